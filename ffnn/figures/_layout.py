"""Layout pieces every figure shares: template, compact margins, fixed ranges, subscripts."""

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from ..events import Event
from .palette import FONT, on_white

# As plain JSON, taken once from the registered (already validated) template.
_TEMPLATE = pio.templates["plotly_white"].to_plotly_json()

F32_MAX = float(np.finfo(np.float32).max)
UIREVISION = "ffnn"  # constant: a redraw with new data keeps what the user toggled in the legend
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def f32(values):
    """values as float32, for a payload half the size; numbers beyond float32's range (a
    diverging run's) are clipped to it instead of overflowing, NaN stays NaN."""
    return np.clip(np.asarray(values, dtype=np.float64), -F32_MAX, F32_MAX).astype(np.float32)


def sub(n):
    """The integer n in subscript digits: sub(12) == '₁₂'."""
    return str(n).translate(_SUBSCRIPTS)


def figure(data, layout):
    """go.Figure from plain dicts, template plotly_white, without plotly's validation.

    Validation costs several times what a frame may cost while training plays (docs/design.md,
    "Measurements behind the code"); tests/test_figures.py rebuilds each figure validated."""
    readable(data, layout)
    return go.Figure({"data": data, "layout": {"template": _TEMPLATE, **layout}}, _validate=False)


def _hex(color):
    return isinstance(color, str) and len(color) == 7 and color.startswith("#")


def readable(data, layout):
    """Text on the white chart in a colour of its own (an annotation, a trace's text labels),
    darkened just enough for 4.5:1 (palette.on_white): the layer and split colours are lighter.
    Text on a box of its own colour (bgcolor) is left as it is. In place."""
    for a in layout.get("annotations") or ():
        font = a.get("font") if isinstance(a, dict) else None
        if font and _hex(font.get("color")) and not a.get("bgcolor"):
            a["font"] = {**font, "color": on_white(font["color"])}
    for tr in data:
        font = tr.get("textfont") if isinstance(tr, dict) else None
        if font and "text" in str(tr.get("mode", "")) and _hex(font.get("color")):
            tr["textfont"] = {**font, "color": on_white(font["color"])}


def base_layout(height, margin=None, **more):
    """A layout dict: small margins and font, constant uirevision (template: see figure)."""
    layout = {"height": height, "font": FONT, "uirevision": UIREVISION,
              "margin": {"l": 50, "r": 10, "t": 30, "b": 40, "autoexpand": False}
              | (margin or {})}
    layout.update(more)
    # Fixed margins: Plotly's automatic margin fitting is costly per redraw (docs/design.md,
    # "Measurements behind the code"); the margins above leave room for the labels.
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {**layout.get(axis, {}), "automargin": False}
    return layout


def top_legend(**more):
    """A small horizontal legend above the plot area."""
    return dict(orientation="h", x=0, y=1.0, xanchor="left", yanchor="bottom",
                font={"size": 11}, bgcolor="rgba(255,255,255,0)", **more)


def column(history, name):
    """history[name] as a float array; empty when the column is absent (or history is empty)."""
    if name not in history.columns:
        return np.empty(0)
    return history[name].to_numpy(dtype=np.float64)


def steps(history):
    """The step t of each history row, as an int array."""
    if "step" not in history.columns:
        return np.empty(0, dtype=np.int64)
    return history["step"].to_numpy(dtype=np.int64)


def series(history, name, now=None):
    """(t, values) of the history column `name` against the t of the θ it was measured at,
    with the current θ's value last. A history row of update s holds the numbers at θ_{s-1}
    (the update computes them on its way), so x = s - 1; `now` (ffnn.probe.probe's dict, or
    None) adds θ_t's value at t: at t = 0 the curve is that one point, L(θ₀)."""
    t, values = steps(history) - 1, column(history, name)
    if len(values) != len(t):
        t, values = np.empty(0, dtype=np.int64), np.empty(0)
    if now is not None and name in now:
        t = np.append(t, now["t"])
        values = np.append(values, now[name])
    return t, values


def step_axis(history, max_iterations=None):
    """x axis over the whole run: [0, max(max_iterations, last step, 1)]."""
    t = steps(history)
    last = int(t[-1]) if len(t) else 0
    return {"title": {"text": "step t", "standoff": 4},
            "range": [0, max(max_iterations or 0, last, 1)],
            "unifiedhovertitle": {"text": "step t = %{x}"}, "showspikes": False}


def for_log(values):
    """values with every non-positive or non-finite entry replaced by NaN (a gap on a log axis)."""
    out = np.array(values, dtype=np.float64)
    out[~(np.isfinite(out) & (out > 0))] = np.nan
    return out


def y_range(arrays, log=False, floor=None):
    """A fixed y range that holds every finite value of `arrays` (log axes: in log10 units).

    Linear: [min(0, lo), hi * 1.05]. Log: a margin of 5% of the span on each side.
    `floor` is a value the range must also include (e.g. a reference line)."""
    vals = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    if floor is not None:
        vals.append(np.array([floor], dtype=np.float64))
    v = np.concatenate(vals) if vals else np.empty(0)
    v = v[np.isfinite(v)]
    if log:
        v = np.log10(v[v > 0])
        if not len(v):
            return [-3, 1]
        lo, hi = v.min(), v.max()
        pad = max(0.05 * (hi - lo), 0.1)
        return [lo - pad, hi + pad]
    if not len(v):
        return [0, 1]
    lo, hi = min(v.min(), 0.0), max(v.max(), 0.0)
    return [lo * 1.05, hi * 1.05 if hi > 0 else 1]


def log_ticks(log_range):
    """Tick settings for a log axis spanning log_range (log10 units): one tick per power of 10
    once it spans a decade (plotly's 2-5 minor labels crowd a short chart otherwise)."""
    if log_range[1] - log_range[0] >= 1:
        return {"dtick": 1, "exponentformat": "power"}
    return {"exponentformat": "power"}


def event_marks(events, where="top"):
    """Shapes and annotations for events (ffnn.events.Event, or (t, text) pairs; divergences
    are not drawn): a dotted vertical line at each step t with its text at the top (or bottom)
    of the plot, staggered in 3 heights so that neighbours do not overlap. Put the text where
    the curves are not: the top for a loss."""
    shapes, notes = [], []
    top = where == "top"
    marks = [(e.t, e.text) if isinstance(e, Event) else e for e in events
             if not isinstance(e, Event) or e.setting]
    for i, (t, text) in enumerate(marks):
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": t, "x1": t,
                       "y0": 0, "y1": 1, "line": {"color": "#777777", "width": 1, "dash": "dot"}})
        y = 1 - 0.08 * (i % 3) if top else 0.02 + 0.08 * (i % 3)
        notes.append({"x": t, "y": y, "xref": "x", "yref": "paper", "text": text,
                      "showarrow": False, "xanchor": "left", "yanchor": "top" if top else "bottom",
                      "xshift": 2, "font": {"size": 10, "color": "#555555"},
                      "bgcolor": "rgba(255,255,255,0.7)"})
    return shapes, notes
