"""A chart's text alternative, read from the figure's own data (what a screen reader says).

A builder that knows what its figure means writes the sentence itself in `layout.meta["alt"]`
(the decision boundary: the class at the centre, each class's share); every other figure is
described from its traces: each line from its first to its last value with its extremes, each
bar's value, each heatmap's shape and range. `describe(fig)` returns one plain-text paragraph.
"""

import math
import re

import numpy as np

from ._layout import sub
from .palette import CLASS_COLOR_NAMES

MAX_BARS = 12      # bars named one by one; more are summed up as a range
MAX_TRACES = 12    # traces described; the rest counted
GRIDS = ("heatmap", "contour", "surface")


def num(v, digits=3):
    """v in at most `digits` significant digits, as the charts' hover labels print it."""
    if v is None or not math.isfinite(float(v)):
        return "not a number" if v is not None and math.isnan(float(v)) else str(v)
    return f"{float(v):.{digits}g}".replace("e+0", "e+").replace("e-0", "e-")


def text_of(title):
    """A Plotly title (object, dict or str) as plain text: no HTML tags."""
    t = getattr(title, "text", None) if not isinstance(title, (str, dict)) else title
    if isinstance(t, dict):
        t = t.get("text")
    t = re.sub(r"<br\s*/?>", " ", str(t or ""))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", "", t)).strip()


def _axis_titles(fig, trace):
    """(x title, y title) of the axes a trace is drawn on."""
    lay = fig.layout
    xa = getattr(trace, "xaxis", None) or "x"
    ya = getattr(trace, "yaxis", None) or "y"
    x, y = lay.to_plotly_json().get(f"xaxis{xa[1:]}"), lay.to_plotly_json().get(f"yaxis{ya[1:]}")
    return text_of((x or {}).get("title")), text_of((y or {}).get("title"))


def _finite(a):
    a = np.asarray(a, dtype=float).ravel() if a is not None else np.zeros(0)
    return a[np.isfinite(a)]


def _line(fig, tr):
    x = np.asarray(tr.x if tr.x is not None else range(len(tr.y or ())), dtype=object)
    y = np.asarray(tr.y if tr.y is not None else (), dtype=object)
    name = tr.name or "a series"
    xt, yt = _axis_titles(fig, tr)
    keep = [i for i, v in enumerate(y) if v is not None and np.isfinite(float(v))]
    if not keep:
        return f"{name}: no values"
    what = f"{yt} " if yt else ""
    at = (lambda i: f" at {xt or 'x'} = {num(x[i]) if _is_num(x[i]) else x[i]}")
    if len(keep) == 1:
        return f"{name}: {what}{num(float(y[keep[0]]))}{at(keep[0])}"
    if "lines" not in (tr.mode or "lines"):
        return f"{name}: {len(keep)} points"
    i0, i1 = keep[0], keep[-1]
    vals = np.asarray([float(y[i]) for i in keep])
    s = f"{name}: {what}from {num(vals[0])}{at(i0)} to {num(vals[-1])}{at(i1)}"
    if len(vals) > 2:
        s += f" (lowest {num(vals.min())}, highest {num(vals.max())})"
    return s


def _is_num(v):
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def _bars(fig, tr):
    horizontal = tr.orientation == "h"
    cats, vals = (tr.y, tr.x) if horizontal else (tr.x, tr.y)
    cats = list(cats if cats is not None else range(len(vals or ())))
    vals = list(vals if vals is not None else ())
    name = tr.name or "bars"
    if len(vals) > MAX_BARS:
        v = _finite(vals)
        return f"{name}: {len(vals)} bars from {num(v.min())} to {num(v.max())}" if v.size else name
    pairs = ", ".join(f"{text_of(c)} {num(v)}" for c, v in zip(cats, vals, strict=False))
    return f"{name}: {pairs}"


def _grid(fig, tr, kind):
    z = _finite(tr.z)
    shape = np.shape(tr.z) if tr.z is not None else ()
    name = tr.name or text_of(getattr(tr, "colorbar", {}) and tr.colorbar.title) or kind
    size = f"{shape[0]}×{shape[1]} " if len(shape) == 2 else ""
    if not z.size:
        return f"{name}: {size}{kind}, no values"
    return f"{name}: {size}{kind} from {num(z.min())} to {num(z.max())}"


def _trace(fig, tr):
    kind = tr.type
    if kind in ("scatter", "scattergl"):
        return _line(fig, tr)
    if kind == "bar":
        return _bars(fig, tr)
    if kind in ("heatmap", "contour"):
        return _grid(fig, tr, "map" if kind == "heatmap" else "contour map")
    if kind == "surface":
        return _grid(fig, tr, "surface")
    if kind == "scatter3d":
        z = _finite(tr.z)
        end = f", ending at {num(z[-1])}" if z.size else ""
        return f"{tr.name or 'a path'}: {len(z)} points{end}"
    return tr.name or kind


def describe(fig):
    """One paragraph saying what `fig` shows: its own `layout.meta["alt"]` when its builder wrote
    one, else its title, then each trace (shown ones only) from its data."""
    meta = fig.layout.meta
    if isinstance(meta, dict) and meta.get("alt"):
        return str(meta["alt"])
    title = text_of(fig.layout.title)
    # the traces on screen; an unnamed helper (a marker at θ_t, a guide line) says nothing new
    shown = [tr for tr in fig.data if tr.visible in (None, True)
             and (tr.name or tr.showlegend is not False)]
    notes = [text_of(a.text) for a in fig.layout.annotations or () if text_of(a.text)]
    parts = [_trace(fig, tr) for tr in shown[:MAX_TRACES]]
    # one panel title per map (subplot titles, in the panels' order): each map by its title
    grids = [i for i, tr in enumerate(shown[:MAX_TRACES]) if tr.type in GRIDS and not tr.name]
    if grids and len(grids) == len(notes):
        for i, note in zip(grids, notes, strict=True):
            parts[i] = note + parts[i][parts[i].index(":"):]
        notes = []
    if len(shown) > MAX_TRACES:
        parts.append(f"and {len(shown) - MAX_TRACES} more")
    head = f"Chart: {title}." if title else "Chart."
    body = "; ".join(p for p in parts if p)
    tail = f" Labels: {'; '.join(notes[:8])}." if notes else ""
    return f"{head} {body}.{tail}" if body else f"{head}{tail}"


def boundary_alt(Z, task, k, t=None):
    """The decision boundary in words, as the stage says it: the class holding the centre of the
    plane and each class's share of it (regression: the output's range and its centre value).
    Z (G, G, k) from ffnn.grid.predict_grid."""
    Z = np.asarray(Z, dtype=float)
    G = Z.shape[0]
    head = "Decision boundary" + (f" at t = {t}" if t is not None else "")
    if task == "regression":
        z = _finite(Z[..., 0])
        c = Z[G // 2, G // 2, 0]
        return (f"{head}: the network's output ŷ runs from {num(z.min(), 2)} to "
                f"{num(z.max(), 2)} over the plane, {num(c, 2)} at the centre.")
    cls = (Z[..., 0] >= 0.5).astype(int) if Z.shape[-1] == 1 else np.argmax(Z, axis=-1)
    share = np.bincount(cls.ravel(), minlength=max(int(k), 2))
    centre = int(cls[G // 2, G // 2])

    def name(c):
        return f"class {c} ({CLASS_COLOR_NAMES[c % len(CLASS_COLOR_NAMES)]})"
    parts = [f"{name(c)} {round(100 * n / cls.size)} %" + (", the centre included"
             if c == centre else "") for c, n in sorted(enumerate(share), key=lambda p: -p[1])
             if n > 0]
    return f"{head}: {name(centre)} holds the centre of the plane. Area: {'; '.join(parts)}."


def network_alt(W, sizes, grads=None):
    """The network in words, as the stage says it: its widths, its largest weight and, given
    ‖∇W_l‖ for l = 1..L, the smallest and the largest gradient. W: L arrays (fan_in, fan_out)."""
    best = None
    for l, w in enumerate(W, start=1):
        w = np.asarray(w, dtype=float)
        a = np.where(np.isfinite(w), np.abs(w), -1.0)
        i, j = np.unravel_index(int(np.argmax(a)), a.shape)
        if a[i, j] >= 0 and (best is None or a[i, j] > abs(best[3])):
            best = (l, i + 1, j + 1, float(w[i, j]))
    s = f"Network {'-'.join(str(n) for n in sizes)}, {len(W)} layers of weights."
    if best:
        s += f" Largest weight W{sub(best[0])}[{best[1]}, {best[2]}] = {num(best[3])}."
    g = [(l, float(v)) for l, v in enumerate(grads or (), start=1) if np.isfinite(v)]
    if g:
        lo, hi = min(g, key=lambda p: p[1]), max(g, key=lambda p: p[1])
        s += (f" ‖∇W{sub(lo[0])}‖ = {num(lo[1])} is the smallest gradient, "
              f"‖∇W{sub(hi[0])}‖ = {num(hi[1])} the largest.")
    return s
