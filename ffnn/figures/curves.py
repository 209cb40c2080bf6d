"""The loss L(θ) and the accuracy against the update step t, one point per history row."""

import numpy as np

from ._layout import (
    base_layout,
    event_marks,
    figure,
    for_log,
    log_ticks,
    series,
    step_axis,
    top_legend,
    y_range,
)
from .palette import SPLIT_COLORS

LOG_ABOVE = 1e4   # a loss above this puts the loss axis on a log scale


def _largest(values):
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return float(v.max()) if v.size else 0.0


def loss_curves(history, *, log_y=False, events=(), max_iterations=None, now=None, height=320):
    """Train (and test, when recorded) L(θ_t) against t.

    history: Trainer.history (columns step, train_loss, [test_loss]); now: the numbers at the
    current θ (ffnn.probe.probe), drawn as the last point (at t = 0 the only one); events:
    Trainer.events (or (t, text) pairs), each setting change drawn as a dotted line at t.
    log_y: a log axis, on which non-positive losses become gaps; the axis is log anyway once a
    loss passes LOG_ABOVE (a diverging run: on a linear axis every earlier loss lies flat at 0)."""
    lines = [(split, *series(history, f"{split}_loss", now)) for split in ("train", "test")
             if f"{split}_loss" in history.columns or (now and f"{split}_loss" in now)]
    log_y = log_y or any(_largest(v) > LOG_ABOVE for _, _, v in lines)
    if log_y:
        lines = [(split, t, for_log(v)) for split, t, v in lines]
    data = [_line(t, v, split, f"{split} loss", "%{y:.4~g}") for split, t, v in lines]
    yrange = y_range([v for _, _, v in lines], log=log_y)
    yaxis = {"title": {"text": "loss L(θ)", "standoff": 4}, "range": yrange,
             "type": "log" if log_y else "linear", **(log_ticks(yrange) if log_y else {})}
    # the loss falls: event labels at the top stay clear of the curves
    return _curves(data, history, yaxis, event_marks(events, "top"), max_iterations, height)


def accuracy_curves(history, *, events=(), max_iterations=None, now=None, height=320):
    """Train (and test) accuracy against t, y fixed to [0, 1.02]; a note for regression.
    now: as in loss_curves."""
    if "train_acc" not in history.columns and not (now and "train_acc" in now):
        return _no_accuracy(height)
    data = [_line(*series(history, f"{split}_acc", now), split, f"{split} accuracy",
                  "%{y:.1%}")
            for split in ("train", "test")
            if f"{split}_acc" in history.columns or (now and f"{split}_acc" in now)]
    yaxis = {"title": {"text": "accuracy", "standoff": 4}, "range": [0, 1.02],
             "tickformat": ".0%"}
    # the accuracy rises: event labels at the bottom
    return _curves(data, history, yaxis, event_marks(events, "bottom"), max_iterations, height)


def _line(t, values, split, name, fmt):
    """One split's curve; a lone point (θ₀'s, at t = 0) is a marker with its value beside it."""
    color = SPLIT_COLORS[split]
    alone = {} if len(t) > 1 else {
        "mode": "markers+text", "textfont": {"color": color},
        "textposition": "top right" if split == "train" else "bottom right",
        "text": [f"{name} at θ₀: {float(v):.4g}" for v in values]}
    return {"type": "scatter", "mode": "lines", **alone, "x": t,
            "y": values, "name": name, "marker": {"color": color, "size": 6},
            "line": {"color": color, "width": 2, "dash": "solid" if split == "train" else "dash"},
            "hovertemplate": f"{fmt}<extra>{name}</extra>"}


def _curves(data, history, yaxis, marks, max_iterations, height):
    shapes, notes = marks
    layout = base_layout(height, xaxis=step_axis(history, max_iterations), yaxis=yaxis,
                         hovermode="x unified", legend=top_legend(), shapes=shapes,
                         annotations=notes)
    return figure(data, layout)


def _no_accuracy(height):
    note = {"text": "no accuracy for regression", "x": 0.5, "y": 0.5, "xref": "paper",
            "yref": "paper", "showarrow": False, "font": {"size": 14, "color": "#666666"}}
    hidden = {"visible": False}
    return figure([], base_layout(height, xaxis=hidden, yaxis=hidden, annotations=[note]))
