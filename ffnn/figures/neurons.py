"""Small multiples for hidden units: each unit's activation over the input plane, and where it
receives learning signal (its δ at the training points)."""

import math

import numpy as np

from ._layout import base_layout, f32, figure, sub
from .palette import DIVERGING

PER_ROW = 8


def _grid(n, per_row):
    cols = min(n, per_row)
    rows = math.ceil(n / cols)
    return rows, cols


def _domains(i, rows, cols, gap=0.02, title=0.06):
    r, c = divmod(i, cols)
    w = (1 - gap * (cols - 1)) / cols
    h = (1 - gap * (rows - 1)) / rows
    x0 = c * (w + gap)
    y1 = 1 - r * (h + gap)
    return [x0, x0 + w], [y1 - h, y1 - h * title]


def _panel_axes(i, rows, cols, extent):
    xd, yd = _domains(i, rows, cols)
    s = "" if i == 0 else str(i + 1)
    ax = {"domain": xd, "range": [-extent, extent], "visible": False}
    ay = {"domain": yd, "range": [-extent, extent], "visible": False, "scaleanchor": f"x{s}"}
    return s, ax, ay, xd, yd


def _title(text, xd, yd):
    return {"text": text, "x": sum(xd) / 2, "y": yd[1], "xref": "paper", "yref": "paper",
            "showarrow": False, "yanchor": "bottom", "font": {"size": 11}}


def unit_activations(xs, ys, maps, layer, *, value_range=None, extent=6.0, per_row=PER_ROW):
    """maps (U, G, G): H_layer,j over the plane (maps[j][i, k] at x1 = xs[k], x2 = ys[i]),
    one small heatmap per unit j. value_range: (low, high) of the activation (its
    Activation.range), the colour range; None (unbounded) centres it on 0 over the values."""
    U = len(maps)
    rows, cols = _grid(U, per_row)
    if value_range is None:
        hi = float(np.nanmax(np.abs(maps))) or 1.0
        lo = -hi
    else:
        lo, hi = value_range
    layout = base_layout(int(rows * 1000 / max(cols, 4)) + 20,
                         margin={"l": 5, "r": 5, "t": 5, "b": 5}, showlegend=False)
    data, notes = [], []
    for j in range(U):
        s, ax, ay, xd, yd = _panel_axes(j, rows, cols, extent)
        layout[f"xaxis{s}"], layout[f"yaxis{s}"] = ax, ay
        data.append({"type": "heatmap", "x": xs, "y": ys, "z": f32(maps[j]),
                     "zmin": lo, "zmax": hi, "colorscale": DIVERGING, "showscale": False,
                     "xaxis": f"x{s}", "yaxis": f"y{s}",
                     "hovertemplate": f"H{sub(layer)},{j + 1}" + "(%{x:.1f}, %{y:.1f}) = "
                                      "%{z:.3f}<extra></extra>"})
        notes.append(_title(f"unit {j + 1}", xd, yd))
    layout["annotations"] = notes
    return figure(data, layout)


def unit_signals(points, deltas, layer, *, extent=6.0, per_row=PER_ROW):
    """points (N, 2) training inputs, deltas (N, U): δ_layer,j for each example (times N, so
    the size per example). One small scatter per unit: colour = δ's sign and size, marker
    size = |δ|. Where the dots are large, that unit's weights are being pushed hardest."""
    U = deltas.shape[1]
    rows, cols = _grid(U, per_row)
    layout = base_layout(int(rows * 1000 / max(cols, 4)) + 20,
                         margin={"l": 5, "r": 5, "t": 5, "b": 5}, showlegend=False)
    top = float(np.nanmax(np.abs(deltas))) or 1.0
    data, notes = [], []
    for j in range(U):
        s, ax, ay, xd, yd = _panel_axes(j, rows, cols, extent)
        layout[f"xaxis{s}"], layout[f"yaxis{s}"] = ax, ay
        d = deltas[:, j]
        data.append({"type": "scatter", "x": points[:, 0], "y": points[:, 1], "mode": "markers",
                     "xaxis": f"x{s}", "yaxis": f"y{s}",
                     "marker": {"color": d, "cmin": -top, "cmax": top, "colorscale": DIVERGING,
                                "size": 2 + 10 * np.sqrt(np.abs(d) / top), "line": {"width": 0}},
                     "hovertemplate": f"δ{sub(layer)},{j + 1} = " + "%{marker.color:.3g}"
                                      "<extra></extra>"})
        notes.append(_title(f"unit {j + 1}", xd, yd))
    layout["annotations"] = notes
    layout["plot_bgcolor"] = "#F4F4F4"
    return figure(data, layout)
