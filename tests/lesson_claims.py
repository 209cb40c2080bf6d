"""What each lesson claims, checked on what its page shows: the figures' own data (Plotly JSON,
arrays decoded), the LaTeX rows. Shared by the AppTest tests (tests/test_lesson_claims.py) and
the browser's run-through (tests/test_browser_keys.py), which read the same things from the page.

A `Shown` holds: figures, [figure dict] in the page's order; latex, [TeX source]; t, the run's t;
curves, {name: values}: the loss curves the live stage draws (ffnn/app/stage.js), by their
legend names.
"""

import base64
import re
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Shown:
    figures: list
    latex: list = field(default_factory=list)
    t: int = 0
    curves: dict = field(default_factory=dict)


def values(a):
    """A Plotly array (a list, or {"bdata", "dtype"[, "shape"]}) as a float array."""
    if isinstance(a, dict):
        flat = np.frombuffer(base64.b64decode(a["bdata"]), dtype=np.dtype(a["dtype"]))
        shape = a.get("shape")
        flat = flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
        return flat.astype(np.float64)
    return np.array([np.nan if v is None else v for v in a], dtype=np.float64) \
        if isinstance(a, list) and a and not isinstance(a[0], list) else np.array(a, float)


def trace(fig, name):
    found = [t for t in fig["data"] if t.get("name") == name]
    assert found, (name, [t.get("name") for t in fig["data"]])
    return found[0]


def loss_figure(shown):
    """The figure with a "train loss" trace (the home page's, the Training curves')."""
    return next(f for f in shown.figures if any(t.get("name") == "train loss" for t in f["data"]))


def train_loss(shown):
    if "train loss" in shown.curves:
        return np.asarray(shown.curves["train loss"], dtype=np.float64)
    fig = loss_figure(shown)
    return values(trace(fig, "train loss")["y"])


def _rows(latex, name):
    """The numbers of the row vector [a & b & …] on the LaTeX line that starts with `name`."""
    line = next((x.strip("$ \n") for x in latex if x.strip("$ \n").startswith(name)
                 and "bmatrix" in x), "")
    m = re.search(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", line)
    assert m, (name, [x[:40] for x in latex])
    cells = [c.strip() for c in m.group(1).split("&")]
    return np.array([float(c.replace(r"\times10^", "e").replace("{", "").replace("}", ""))
                     for c in cells if c not in (r"\cdots",)])


# ---------------------------------------------------------------- the claims, one per lesson

def update(shown):
    """θ page: one entry's update written out, θ_{t+1} = θ_t − η ∂L/∂θ, holds in its numbers."""
    tex = next(x for x in shown.latex if r"- \eta" in x and "=" in x)
    nums = re.findall(r"(-?\d+\.?\d*(?:\\times10\^\{-?\d+\})?)", tex.split(r"\\")[-1])
    before, eta, grad, after = (float(n.replace(r"\times10^{", "e").rstrip("}")) for n in
                                nums[-4:])
    assert after == np_approx(before - eta * grad), (before, eta, grad, after)


def np_approx(x):
    import pytest
    return pytest.approx(x, rel=2e-3, abs=2e-4)     # the page shows 4 significant digits


def eta_small(shown):
    loss = train_loss(shown)
    assert loss[-1] > 0.95 * loss[0], loss[[0, -1]]           # barely moved by t = 300


def eta_right(shown):
    loss = train_loss(shown)
    assert loss[-1] < 0.25 * loss[0], loss[[0, -1]]           # down to near 0


def eta_large(shown):
    loss = train_loss(shown)
    assert np.median(loss[-50:]) > loss[0], loss[[0, -1]]     # above where it started


def diverge(shown):
    loss = train_loss(shown)
    assert np.isfinite(loss).all() and loss[-1] > 10 * loss[0]   # climbed, last θ finite


def loss_choice(shown):
    """Compare: from the same confidently wrong θ₀, squared error stays stuck (A), cross-
    entropy learns (B)."""
    a, b = (np.asarray(next(v for k, v in shown.curves.items() if k.startswith(side)
                            and k.endswith("· train")), dtype=np.float64) for side in "AB")
    assert a[-1] > 0.9 * a[0], a[[0, -1]]                     # stuck
    assert b[-1] < 0.1 * b[0], b[[0, -1]]                     # learned


def backprop(shown):
    """Backprop: δ_L = ŷ − y, number for number, for the point shown."""
    y_hat = _rows(shown.latex, r"\hat y = ")
    y = _rows(shown.latex, "y = ")
    delta = _rows(shown.latex, r"\delta_L = ")
    assert np.allclose(delta, y_hat - y, atol=2e-3), (delta, y_hat, y)


def gradcheck(shown):
    fig = next(f for f in shown.figures if any(t.get("name") == "error" for t in f["data"]))
    err = values(trace(fig, "error")["y"])
    assert len(err) >= 2 and (err < 1e-6).all(), err


def vanishing(shown):
    """Gradients per layer: ‖∇W₁‖ at least 100 times below ‖∇W_L‖, at θ₀ and at t."""
    fig = next(f for f in shown.figures if any(t.get("name") == "at θ₀" for t in f["data"]))
    for name in ("at θ₀", f"at t = {shown.t}"):
        bars = values(trace(fig, name)["y"])
        assert bars[0] * 100 <= bars[-1], (name, bars)


def zeros(shown):
    """θ page: W₁'s heatmap has identical columns (every hidden unit the same)."""
    fig = next(f for f in shown.figures if any(t.get("type") == "heatmap" for t in f["data"])
               and "W₁" in str(f["layout"].get("annotations")))
    W1 = values(next(t for t in fig["data"] if t.get("type") == "heatmap")["z"])
    W1 = W1.reshape(W1.shape[0], -1)
    assert W1.shape[1] > 1 and np.all(W1 == W1[:, :1]), W1


def xor(shown):
    loss = train_loss(shown)
    assert loss[-1] > 0.5, loss[-1]                           # a straight line cannot


def saturation(shown):
    loss = train_loss(shown)
    assert loss[-1] > 0.25, loss[-1]                          # still high at t = 300


def momentum(shown):
    loss = train_loss(shown)
    assert loss[-1] < 0.3 * loss[0], loss[[0, -1]]            # low within a few hundred


CLAIMS = {name: fn for name, fn in globals().items() if callable(fn) and name in (
    "update", "eta_small", "eta_right", "eta_large", "diverge", "loss_choice", "backprop",
    "gradcheck", "vanishing", "zeros", "xor", "saturation", "momentum")}
