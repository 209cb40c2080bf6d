"""Two runs side by side (ffnn.compare.Lockstep): their loss curves on shared axes, and each
example's output error signal ||delta_L|| against the probability it gives the true class."""

import numpy as np

from ..compare import textbook_delta
from ..losses import LOSSES
from ._layout import (
    base_layout,
    f32,
    figure,
    for_log,
    log_ticks,
    top_legend,
)

SIDE_COLORS = ("#332288", "#117733")   # A indigo, B green (Paul Tol): apart from class colours
SIDE_SYMBOLS = ("circle-open", "circle")  # A open, so it shows where the two clouds overlap
REFERENCE_DASHES = ("dash", "dot", "dashdot", "longdash")   # one per loss, in LOSSES' order
FLOOR = 1e-5     # the bottom of the delta chart's log axis; smaller signals are drawn on it
CEILING = 3.0    # above sqrt(2), the largest per-example signal of a softmax/sigmoid output
# p on a grid dense near 0, where squared error's signal collapses, so the dotted curve
# visibly reaches the floor at the left edge.
_P = np.concatenate([np.geomspace(1e-7, 1e-2, 80, endpoint=False), np.linspace(1e-2, 1, 200)])


def delta_vs_confidence(p_true_a, delta_a, p_true_b, delta_b, labels=("A", "B"), *,
                        output="softmax", k=2, height=360):
    """Each training example as a point: x = p, the probability its network gives the true
    class, y = ||delta_L||, the size of its error signal at the output layer (log scale), for
    both networks; beneath, the textbook curves (ffnn.compare.textbook_delta) of every loss that
    has one for this output (each Loss's `textbook`): cross-entropy dashed, squared error dotted.

    p_true_* (N,), delta_* (N,) from ffnn.compare.output_deltas (per example: already times N).
    output 'softmax' or 'sigmoid' and k pick the curves; for output and k = 2 (softmax) or 1
    (sigmoid) they are exact:
        sigmoid:  cross-entropy ||delta|| = 1 − p           squared error 2p(1 − p)²
        softmax:  cross-entropy ||delta|| = √2 (1 − p)      squared error 4√2 p(1 − p)²
    A confident mistake (p -> 0) gets the largest signal from cross-entropy and almost none from
    squared error. Axes are fixed: x in [0, 1], y in [FLOOR, CEILING]; smaller signals are drawn
    on the floor (their hover gives the value)."""
    data = [_reference(loss, output, k, dash)
            for loss, dash in zip(LOSSES.values(), REFERENCE_DASHES) if output in loss.textbook]
    for side, (p, d) in enumerate(((p_true_a, delta_a), (p_true_b, delta_b))):
        data.append(_points(p, d, labels[side], SIDE_COLORS[side], SIDE_SYMBOLS[side]))
    yrange = [np.log10(FLOOR), np.log10(CEILING)]
    notes = [_note(0.0, "left", "← confident mistakes"), _note(1.0, "right", "confidently right →")]
    layout = base_layout(
        height, margin=_legend_room(data), legend=top_legend(), annotations=notes,
        hovermode="closest",
        xaxis={"title": {"text": "p, the probability of the true class", "standoff": 4},
               "range": [-0.02, 1.02], "zeroline": False},
        yaxis={"title": {"text": "‖δ<sub>L</sub>‖ per example (× N)", "standoff": 4}, "type": "log",
               "range": yrange, **log_ticks(yrange)})
    return figure(data, layout)


def _legend_room(data):
    """The top margin for the legend above the plot: Plotly wraps four entries (two runs, or two
    curves and two runs) into two rows in a half-width chart at 1280 px, and the fixed 30 px
    margin cut the first row off ("A: squared error" was half gone, seen in Chromium)."""
    return {"t": 52} if len(data) > 2 else None


def _reference(loss, output, k, dash):
    name = f"{loss.label.lower()}: {loss.textbook[output][0]}"
    return {"type": "scatter", "mode": "lines", "x": _P,
            "y": for_log(textbook_delta(_P, loss.name, output, k)), "name": name,
            "line": {"color": "#555555", "width": 1.5, "dash": dash},
            "hovertemplate": f"p = %{{x:.3g}}, ‖δ<sub>L</sub>‖ = %{{y:.3g}}<extra>{name}</extra>"}


def _points(p, delta, label, color, symbol):
    p = np.asarray(p, dtype=np.float64).ravel()
    delta = np.asarray(delta, dtype=np.float64).ravel()
    if p.shape != delta.shape:
        raise ValueError(f"p_true and delta must have the same length; got {p.size} and "
                         f"{delta.size}")
    shown = np.where(np.isfinite(delta), np.clip(delta, FLOOR, None), np.nan)
    return {"type": "scatter", "mode": "markers", "x": f32(p),
            "y": f32(shown), "customdata": f32(delta),
            "name": label,
            "marker": {"color": color, "size": 6, "opacity": 0.6, "symbol": symbol},
            "hovertemplate": f"p = %{{x:.3f}}, ‖δ<sub>L</sub>‖ = %{{customdata:.3g}}"
                             f"<extra>{label}</extra>"}


def _note(x, anchor, text):
    return {"x": x, "y": 0, "xref": "x", "yref": "paper", "text": text, "showarrow": False,
            "xanchor": anchor, "yanchor": "bottom", "font": {"size": 10, "color": "#555555"},
            "bgcolor": "rgba(255,255,255,0.7)"}
