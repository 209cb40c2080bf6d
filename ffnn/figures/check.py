"""The gradient check as a chart: backprop against finite differences, per parameter."""

import numpy as np

from ._layout import base_layout, figure, log_ticks
from .palette import layer_color

PASS, FAIL = "#009E73", "#D55E00"


def gradient_check_bars(report, tolerance, height=300):
    """One bar per parameter W_1, b_1, ... (report: ffnn.gradient_check's DataFrame) with its
    relative error on a log axis, coloured pass/fail, and the tolerance as a dashed line."""
    names = [p[0] + p[1:].translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
             for p in report["param"]]
    err = np.maximum(report["rel_error"].to_numpy(dtype=float), 1e-16)   # 0 on a log axis
    colors = [PASS if ok else FAIL for ok in report["passed"]]
    lo = min(np.log10(err).min(), np.log10(tolerance)) - 1
    hi = max(np.log10(err).max(), np.log10(tolerance)) + 1
    data = [{"type": "bar", "x": names, "y": err, "marker": {"color": colors,
             "line": {"color": [layer_color(int(l)) for l in report["layer"]], "width": 2}},
             "hovertemplate": "%{x}: relative error %{y:.2e}<extra></extra>", "name": "error"},
            {"type": "scatter", "x": [names[0], names[-1]], "y": [tolerance, tolerance],
             "mode": "lines", "line": {"color": "#555555", "dash": "dash", "width": 1},
             "name": f"tolerance {tolerance:g}", "hoverinfo": "skip"}]
    yaxis = {"type": "log", "range": [lo, hi], "title": {"text": "relative error"},
             **log_ticks([lo, hi])}
    return figure(data, base_layout(height, yaxis=yaxis, showlegend=False, bargap=0.4))
