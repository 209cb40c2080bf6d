"""The live stage: one Components-v2 element (stage.js) that draws a run in the browser, and
the bytes each of its mounts is sent.

A mount is one view of a player's stage: "play" (the Play/Pause button, in the control row),
"plane" (the decision boundary; it carries the batches of frames), "side" (the counter, the
numbers, the network and the loss), "clock" (pages whose charts the server draws). The
mounts of one player share one stage in the page, so the boundary and the network always show
the same t. docs/design.md, "The live stage", has the protocol.

A message is a JSON header, then float64 arrays it refers to by [offset, rows, cols]: θ travels
as its exact bits (what the browser draws is the engine's θ), at 8 bytes a number.
"""

import json
from pathlib import Path

import numpy as np
import streamlit as st

from ffnn.activations import ACTIVATIONS
from ffnn.datasets import FEATURES
from ffnn.figures.boundary import region_colors
from ffnn.figures.palette import (
    CLASS_COLOR_NAMES,
    CLASS_COLORS,
    CLASS_SYMBOLS,
    DIVERGING,
    INPUT_COLOR,
    LAYER_COLORS,
    POINT_OUTLINE,
    SIGN_COLORS,
    SPLIT_COLORS,
    on_white,
    rgb,
)
from ffnn.losses import OUTPUTS

_HERE = Path(__file__).parent
COMPONENT = st.components.v2.component(
    "ffnn_stage", js=(_HERE / "stage.js").read_text(), css=(_HERE / "stage.css").read_text())
FEED = st.components.v2.component("ffnn_feed", js=(_HERE / "feed.js").read_text())
EXTENT = 6.0      # the input plane [-6, 6]^2, as in TensorFlow Playground
RESOLUTION = 80   # grid points per side of the decision boundary (80 x 80 = 6,400 outputs)


class Message:
    """A header and the float64 arrays it refers to; `ref(array)` -> [offset, rows, cols]."""

    def __init__(self):
        self.parts, self.size = [], 0

    def ref(self, array):
        a = np.ascontiguousarray(array, dtype=np.float64)
        rows = a.shape[0] if a.ndim else 1
        out = [self.size, int(rows), int(a.size // rows) if rows else 0]
        self.parts.append(a.ravel())
        self.size += a.size
        return out

    def bytes(self, head):
        text = json.dumps(head, separators=(",", ":"), allow_nan=False).encode()
        pad = (8 - (4 + len(text)) % 8) % 8
        blob = np.concatenate(self.parts) if self.parts else np.empty(0)
        return len(text).to_bytes(4, "little") + text + b" " * pad + blob.tobytes()


def frames_ref(msg, frames):
    """{t, theta, num} refs of an ffnn.frames.Frames."""
    return {"t": msg.ref(frames.steps.astype(np.float64)), "theta": msg.ref(frames.thetas),
            "num": msg.ref(np.nan_to_num(frames.numbers, nan=np.nan, posinf=np.inf))}


def net_info(net, features):
    """What the browser's forward pass needs: the widths, g and O as JavaScript (read from the
    registries), the features' formulas."""
    return {"sizes": list(net.sizes), "acts": [ACTIVATIONS[a].js for a in net.activation],
            "out": OUTPUTS[net.output].js, "features": [FEATURES[f][2] for f in features]}


def plane_static(msg, data, nets, *, show_test=False, discretize=False):
    """The boundary's fixed part: each side's network's formulas (`nets`: one, or a pair's
    two), the grid, the colours and the points. `rev` names it (plane_rev)."""
    net = nets[0]
    k = max(int(data.n_classes or 2), 2, net.sizes[-1])
    light, full = region_colors(k)
    sets = [("train", data.points_train, data.y_train)]
    if show_test and data.points_test is not None and len(data.points_test):
        sets.append(("test", data.points_test, data.y_test))
    regression = data.task == "regression"
    legend = [] if regression else [
        {"name": f"class {c}", "color": CLASS_COLORS[c % len(CLASS_COLORS)],
         "shape": CLASS_SYMBOLS[c % len(CLASS_SYMBOLS)], "split": "train"}
        for c in range(k) if np.any(np.asarray(data.y_train) == c)]
    if len(sets) > 1 and not regression:
        legend.append({"name": "test (thick outline)", "color": "#FFFFFF", "shape": "circle",
                       "split": "test"})
    y_of = (lambda y: [float(v) for v in y]) if regression else (lambda y: [int(v) for v in y])
    plane = {
        "extent": EXTENT, "res": RESOLUTION, "task": data.task, "k": k, "discretize": discretize,
        "light": light, "full": full, "colors": list(CLASS_COLORS), "legend": legend,
        "color_names": list(CLASS_COLOR_NAMES), "symbols": list(CLASS_SYMBOLS),
        "outline": {k: list(v) for k, v in POINT_OUTLINE.items()},
        "scale": [[s, list(rgb(c))] for s, c in DIVERGING],
        "sets": [{"split": split, "points": msg.ref(np.asarray(p, dtype=np.float64)),
                  "y": y_of(y)} for split, p, y in sets]}
    return {"rev": plane_rev(data, nets, show_test, discretize),
            "nets": [net_info(n, data.features) for n in nets], "plane": plane}


def plane_rev(data, nets, show_test, discretize):
    """A name for what plane_static sends: the browser says which one it holds."""
    parts = [f"{id(n)}:{n.activation}:{n.output}" for n in nets]
    return f"{id(data)}:{'/'.join(parts)}:{show_test}:{discretize}"


def side_info(run, grads_0):
    """The numbers' and the network's small part, sent with every message."""
    tr, net = run.trainer, run.net
    return {
        "max_iterations": tr.max_iterations, "has_test": tr.X_test is not None,
        "has_acc": tr.labels is not None, "events": [[e.t, e.text] for e in tr.setting_changes],
        "input_labels": [FEATURES[f][0] for f in run.data.features],
        "activations": list(net.activation), "output": net.output, "grads_0": clean(grads_0),
        "layer_colors": list(LAYER_COLORS),
        "layer_text_colors": [on_white(c) for c in LAYER_COLORS],
        "sign": dict(SIGN_COLORS), "input_color": INPUT_COLOR,
        "colors": {"train": SPLIT_COLORS["train"], "test": on_white(SPLIT_COLORS["test"])},
        "scale": [[s, list(rgb(c))] for s, c in DIVERGING]}


def curve_ref(msg, history):
    """L(θ) against t from the history (a row of update s holds L(θ_{s-1})), for the loss."""
    t = history["step"].to_numpy(dtype=np.float64) - 1
    out = {"t": msg.ref(t), "train": msg.ref(history["train_loss"].to_numpy(np.float64))}
    if "test_loss" in history.columns:
        out["test"] = msg.ref(history["test_loss"].to_numpy(np.float64))
    return out


def mount(name, view, key, msg=None, head=None, *, height=None, width="stretch", **callbacks):
    """Draw one mount of stage `name`: view "play", "plane", "side", "pair" or "surface"."""
    msg = msg or Message()
    data = msg.bytes({"player": name, "view": view, **(head or {})})
    return COMPONENT(data=data, key=key, height=height or "content", width=width, **callbacks)


def feed(name, view, key, msg, head, **callbacks):
    """The feed of stage `name`: its batch (and what `view` needs of the run), no drawing."""
    data = msg.bytes({"player": name, "view": view, **head})
    return FEED(data=data, key=key, height=0, **callbacks)


def clean(numbers):
    """JSON has no NaN or infinity: None in their place."""
    return [None if not np.isfinite(x) else float(x) for x in numbers]
