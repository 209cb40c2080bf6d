"""How big ∇θ is, layer by layer: gradient norms and update-to-weight ratios over the run, and
any list of matrices (W_l, ∇W_l, b_l ...) as a row of heatmaps."""

import math

import numpy as np

from ._layout import (
    base_layout,
    column,
    figure,
    for_log,
    log_ticks,
    series,
    step_axis,
    steps,
    sub,
    top_legend,
    y_range,
)
from .palette import DIVERGING, layer_color

HEALTHY_RATIO = 1e-3  # rule of thumb (CS231n): η‖∇W‖/‖W‖ near 1e-3 per update


def gradient_norms(history, L, *, log_y=True, show_bias=True, max_iterations=None, now=None,
                   height=340):
    """‖∇W_l‖ (solid) and ‖∇b_l‖ (dotted) for l = 1..L against t, colour = layer.

    history: Trainer.history with columns grad_W1..grad_WL, grad_b1..grad_bL (norms of each
    update's gradient, at the θ it started from); now: the norms at the current θ
    (ffnn.probe.probe), the last point. log_y: a log axis, on which zero norms become gaps."""
    data, ys = [], []
    for l in range(1, L + 1):
        for name, dash in [("W", "solid")] + ([("b", "dot")] if show_bias else []):
            t, y = series(history, f"grad_{name}{l}", now)
            ys.append(for_log(y) if log_y else y)
            data.append(_layer_line(t, ys[-1], l, f"‖∇{name}{sub(l)}‖", dash))
            data[-1]["showlegend"] = name == "W"          # one legend entry per layer
    yrange = y_range(ys, log=log_y)
    yaxis = {"title": {"text": "gradient norm", "standoff": 4}, "range": yrange,
             "type": "log" if log_y else "linear", **(log_ticks(yrange) if log_y else {})}
    layout = base_layout(height, xaxis=step_axis(history, max_iterations), yaxis=yaxis,
                         hovermode="x unified", **side_legend(L))
    return figure(data, layout)


def side_legend(L):
    """A legend of one entry per layer: above the plot while it fits in a row, else a column
    at the right (a row of many layers would wrap past the top margin and be cut off)."""
    if L <= 4:
        return {"legend": top_legend()}
    return {"legend": {"orientation": "v", "x": 1.01, "y": 1, "xanchor": "left",
                       "yanchor": "top", "font": {"size": 11}},
            "margin": {"l": 50, "r": 130, "t": 20, "b": 40, "autoexpand": False}}


def gradient_bars(now, start, L, t, height=300):
    """‖∇W_l‖ for l = 1..L as bars on a log axis: at θ₀ (grey) and at θ_t (the layer's
    colour), side by side; a layer 100 times weaker is two decades lower (as in Glorot and
    Bengio, 2010). now, start: dicts with grad_W1..L (ffnn.probe.probe, a history row)."""
    names = [f"W{sub(l)}" for l in range(1, L + 1)]
    at_0 = for_log([start[f"grad_W{l}"] for l in range(1, L + 1)])
    at_t = for_log([now[f"grad_W{l}"] for l in range(1, L + 1)])
    data = [{"type": "bar", "x": names, "y": at_0, "name": "at θ₀", "marker": {"color": "#BBBBBB"},
             "hovertemplate": "‖∇%{x}‖ at θ₀ = %{y:.3~g}<extra></extra>"}]
    if t:
        data.append({"type": "bar", "x": names, "y": at_t, "name": f"at t = {t}",
                     "marker": {"color": [layer_color(l) for l in range(1, L + 1)]},
                     "hovertemplate": f"‖∇%{{x}}‖ at t = {t} = %{{y:.3~g}}<extra></extra>"})
    yrange = y_range([at_0, at_t], log=True)
    yrange = [min(yrange[0], yrange[1] - 1), yrange[1]]      # at least a decade shown
    layout = base_layout(
        height, barmode="group", legend=top_legend(), hovermode="closest",
        xaxis={"title": {"text": "layer l", "standoff": 4}},
        yaxis={"title": {"text": "‖∇Wₗ‖", "standoff": 4}, "type": "log", "range": yrange,
               **log_ticks(yrange)})
    return figure(data, layout)


def update_ratio(history, L, *, max_iterations=None, now=None, lr_now=None, height=340):
    """η‖∇W_l‖ / ‖W_l‖ per layer against step t (log scale), with the 1e-3 rule of thumb.

    From the history columns lr, grad_W{l} and norm_W{l} (‖W_l‖_F before the update). It is the
    relative size of the update θ ← θ − η∇θ for plain gd; other optimizers rescale the step.
    now, lr_now: the numbers at the current θ (ffnn.probe.probe) and η, the last point (at
    t = 0 the only one: the first update's size)."""
    t = steps(history) - 1           # each row's numbers are at θ_{s-1}: see series
    lr = column(history, "lr")
    if now is not None:
        t, lr = np.append(t, now["t"]), np.append(lr, lr_now)
    data, ys = [], []
    for l in range(1, L + 1):
        grad, norm = series(history, f"grad_W{l}", now)[1], series(history, f"norm_W{l}", now)[1]
        ratio = np.full(len(t), np.nan)
        if len(grad) == len(t) and len(norm) == len(t) and len(lr) == len(t):
            np.divide(lr * grad, norm, out=ratio, where=norm > 0)   # ‖W_l‖ = 0: no ratio
        ys.append(for_log(ratio))
        data.append(_layer_line(t, ys[-1], l, f"η‖∇W{sub(l)}‖/‖W{sub(l)}‖", "solid"))
    xaxis = step_axis(history, max_iterations)
    data.append(_reference_line(xaxis["range"][1]))
    yrange = y_range(ys, log=True, floor=HEALTHY_RATIO)
    yaxis = {"title": {"text": "update / weight", "standoff": 4}, "type": "log",
             "range": yrange, **log_ticks(yrange)}
    layout = base_layout(height, xaxis=xaxis, yaxis=yaxis, hovermode="x unified",
                         **side_legend(L))
    return figure(data, layout)


def _layer_line(t, y, l, name, dash):
    color = layer_color(l)
    return {"type": "scatter", "mode": "lines" if len(t) > 1 else "markers", "x": t, "y": y,
            "name": name, "legendgroup": f"layer {l}",
            "line": {"color": color, "width": 2, "dash": dash},
            "marker": {"color": color, "size": 6},
            "hovertemplate": f"%{{y:.3~g}}<extra>{name}</extra>"}


def _reference_line(x_end):
    """The dashed 1e-3 line, a trace rather than a shape: shapes and annotations disagree on
    log-axis units, a trace does not."""
    return {"type": "scatter", "mode": "lines+text", "x": [0, x_end],
            "y": [HEALTHY_RATIO, HEALTHY_RATIO], "hoverinfo": "skip", "showlegend": False,
            "name": "rule of thumb", "line": {"color": "#777777", "width": 1, "dash": "dash"},
            "text": ["", "≈ 1e-3: healthy (rule of thumb)"], "textposition": "top left",
            "textfont": {"size": 10, "color": "#555555"}}


# ---- matrices ---------------------------------------------------------------------------------

def shape_label(sizes, l, name="W"):
    """The lecture's shape of W_l for layer widths `sizes`, in Plotly's text markup, e.g.
    'W₂ ∈ ℝ<sup>8×8</sup> (ℝ<sup>n×n</sup>)': the exponent set as one, as the lecture writes
    ℝ^{n×k}. W_L is n×k in the lecture; a hidden W_l is n×n when its layer keeps the width."""
    m, n = sizes[l - 1], sizes[l]
    L = len(sizes) - 1
    tag = " (ℝ<sup>n×k</sup>)" if l == L else (" (ℝ<sup>n×n</sup>)" if m == n else "")
    return f"{name}{sub(l)} ∈ ℝ<sup>{m}×{n}</sup>{tag}"


def bias_label(sizes, l, name="b"):
    """The lecture's shape of b_l: 'b₂ ∈ ℝ<sup>8</sup> (ℝ<sup>n</sup>)', or ℝ<sup>k</sup> for
    the output layer."""
    tag = " (ℝ<sup>k</sup>)" if l == len(sizes) - 1 else " (ℝ<sup>n</sup>)"
    return f"{name}{sub(l)} ∈ ℝ<sup>{sizes[l]}</sup>{tag}"


# room for a title's two lines at their presented sizes (16 and 12 px; 13 and 12 otherwise): at
# 34 px the presented titles ran into the matrices above them; a gap under each row of
# matrices for its column numbers (12 px type)
_TITLE_PX, _GAP_PX, _MARGIN_PX, _SMALL_PX = 42, 26, 10, 12
_NOMINAL_WIDTH = 700  # px: the default height makes cells about square at this width


def matrix_heatmaps(mats, titles, *, symmetric=True, height=None, per_row=4):
    """A heatmap per matrix, `per_row` to a row, every cell the same size.

    mats: 2-D arrays (rows = fan_in, the inputs or units of layer l-1; columns = fan_out) or
    1-D arrays (biases, shown as one row), or None to leave a place empty; titles: one per
    matrix, e.g. 'W₂ ∈ ℝ^(8×8) (n×n)' (a part in parentheses goes to a second, smaller line).
    symmetric: diverging colours with zmin = -zmax, zmax = max |value| of that matrix;
    otherwise Viridis from min to max.
    Hover: 'row i, col j: value', counting from 1."""
    mats = [None if m is None else np.atleast_2d(np.asarray(m, dtype=np.float64)) for m in mats]
    cols = max(1, min(len(mats), per_row))
    grid = [mats[r * cols:(r + 1) * cols] for r in range(max(1, math.ceil(len(mats) / cols)))]
    # widths in cells of each grid column (at least 4, for its title), heights of each row
    slot_cells = [max([4] + [row[c].shape[1] for row in grid
                             if c < len(row) and row[c] is not None]) for c in range(cols)]
    row_cells = [max([1] + [M.shape[0] for M in row if M is not None]) for row in grid]
    cell_x = (1 - 0.04 * (cols - 1)) / sum(slot_cells)        # paper units per cell
    cell_px = float(np.clip(_NOMINAL_WIDTH * cell_x, 4, 26))
    if height is None:
        height = int(2 * _MARGIN_PX + sum(_TITLE_PX + _GAP_PX + cell_px * n for n in row_cells))
    plot_px = height - 2 * _MARGIN_PX
    cell_y = max(plot_px - len(grid) * (_TITLE_PX + _GAP_PX), 10) / plot_px / sum(row_cells)
    margin = {"l": _MARGIN_PX, "r": _MARGIN_PX, "t": _MARGIN_PX, "b": _MARGIN_PX}
    layout = base_layout(height, margin=margin, showlegend=False)
    data, notes = [], []
    tops = _row_tops(row_cells, cell_y, plot_px)
    for i, (M, title) in enumerate(zip(mats, titles)):
        if M is None:
            continue
        r, c = divmod(i, cols)
        suffix = "" if not data else str(len(data) + 1)     # x, y, then x2, y2, ...
        centre = (sum(slot_cells[:c]) + slot_cells[c] / 2) * cell_x + 0.04 * c
        x_domain = [centre - M.shape[1] * cell_x / 2, centre + M.shape[1] * cell_x / 2]
        y_domain = [max(tops[r] - M.shape[0] * cell_y, 0.0), tops[r]]
        lo, hi, scale = _z_range(M, symmetric)
        data.append(_matrix_trace(M, title, suffix, lo, hi, scale))
        layout[f"xaxis{suffix}"], layout[f"yaxis{suffix}"] = _matrix_axes(
            M, suffix, x_domain, y_domain, cell_px)
        notes.append(_title(title, f"±{hi:.2g}" if symmetric else f"{lo:.2g} … {hi:.2g}",
                            centre, tops[r]))
    layout["annotations"] = notes
    return figure(data, layout)


def _row_tops(row_cells, cell_y, plot_px):
    """Paper y of the top of each row of matrices, top row first, under its titles."""
    tops, top = [], 1.0
    for n in row_cells:
        top -= _TITLE_PX / plot_px
        tops.append(top)
        top -= n * cell_y + _GAP_PX / plot_px
    return tops


def _title(title, span, x, y):
    """Two lines over a matrix: its name and shape (the lecture's shape after it, in
    parentheses), then its colour scale in words: 'W₂ ∈ ℝ⁴ˣ² (n×k)', 'colour scale ±0.017'."""
    main, _, tag = title.partition(" (")
    if tag:
        main += " (" + tag.replace("ℝ<sup>", "").replace("</sup>", "")
    return {"text": f"{main}<br><span style='font-size:{_SMALL_PX}px;color:#595959'>colour "
                    f"scale {span}</span>",
            "x": x, "y": y, "xref": "paper", "yref": "paper", "yanchor": "bottom",
            "xanchor": "center", "showarrow": False, "font": {"size": 13}}
    # xanchor: Plotly's "auto" anchors a paper x under 1/3 by its left end and over 2/3 by its
    # right one: the titles stood off their matrices and ran into each other on a phone


def _matrix_trace(M, title, suffix, lo, hi, scale):
    gap = 1 if max(M.shape) <= 16 else 0      # cell borders while the cells are big enough
    return {"type": "heatmap", "z": M, "x": np.arange(1, M.shape[1] + 1),
            "y": np.arange(1, M.shape[0] + 1), "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
            "zmin": lo, "zmax": hi, "colorscale": scale, "showscale": False, "xgap": gap,
            "ygap": gap,
            "hovertemplate": f"row %{{y}}, col %{{x}}: %{{z:.3~g}}<extra>{title}</extra>"}


def _matrix_axes(M, suffix, x_domain, y_domain, cell_px):
    """Axes filling the given domains, rows from top to bottom like a matrix."""
    common = {"showgrid": False, "zeroline": False, "ticks": "", "tickfont": {"size": 12}}
    xaxis = common | {"domain": x_domain, "anchor": f"y{suffix}",
                      "range": [0.5, M.shape[1] + 0.5],
                      "tickvals": _tickvals(M.shape[1], cell_px)}
    yaxis = common | {"domain": y_domain, "anchor": f"x{suffix}",
                      "range": [M.shape[0] + 0.5, 0.5],
                      "tickvals": _tickvals(M.shape[0], cell_px),
                      "showticklabels": M.shape[0] > 1}
    return xaxis, yaxis


def _tickvals(n, cell_px):
    """1-based tick positions about 16 px or more apart, for 12 px labels (cells of about
    cell_px): 1, then every 1st, 2nd, 4th, 8th or 16th index."""
    step = next((s for s in (1, 2, 4, 8, 16) if s * cell_px >= 16), 32)
    return [1] + [k for k in range(step, n + 1, step) if k > 1 and (k - 1) * cell_px >= 16]


def _z_range(M, symmetric):
    """(zmin, zmax, colorscale), guarded for all-zero or non-finite matrices."""
    finite = M[np.isfinite(M)]
    if symmetric:
        top = float(np.abs(finite).max()) if finite.size else 0.0
        top = top if top > 0 else 1.0
        return -top, top, DIVERGING
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return lo, (hi if hi > lo else lo + 1.0), "Viridis"
