"""The loss on a plane through theta (ffnn.landscape): contours of the slice, the training path
projected onto it, theta_t at the centre and theta_0 where the path starts."""

import numpy as np

from ._layout import base_layout, figure, sub, top_legend
from .palette import SPLIT_COLORS

# ColorBrewer Blues, dark at low loss: the valley reads as the deep part, and the path (orange)
# stays visible on dark and on light.
SEQUENTIAL = [[i / 8, c] for i, c in enumerate((
    "#08306B", "#08519C", "#2171B5", "#4292C6", "#6BAED6", "#9ECAE1", "#C6DBEF", "#DEEBF7",
    "#F7FBFF"))]
PATH = "#E69F00"
CENTER = "#D55E00"
N_LEVELS = 24


def landscape_contour(alphas, betas, L, trajectory=None, *, steps=None, center_step=None,
                      log=True, height=520):
    """Filled contours of L over the (alpha, beta) plane, the projected path on top.

    alphas (G,), betas (G,), L (G, G) from ffnn.landscape.landscape: L[i, j] is the loss at
    (alphas[j], betas[i]). trajectory (S, 2): (alpha, beta) of theta_0 .. theta_t from
    ffnn.landscape.project, first row theta_0; steps (S,): their iterations, for the hover.
    center_step: the t of the centre, for its label. log: levels evenly spaced in log10 L
    (non-positive or non-finite losses are left blank). Axes fixed to the grid's extent."""
    alphas, betas = np.asarray(alphas, dtype=np.float64), np.asarray(betas, dtype=np.float64)
    L = np.asarray(L, dtype=np.float64)
    z = _levels_of(L, log)
    data = [_contour(alphas, betas, L, z, log)]
    if trajectory is not None and len(trajectory):
        data += _path(np.asarray(trajectory, dtype=np.float64), steps, alphas, betas)
    t = "t" if center_step is None else str(int(center_step))
    data.append({"type": "scatter", "mode": "markers", "x": [0.0], "y": [0.0],
                 "name": f"θ{'ₜ' if center_step is None else sub(t)} (centre)",
                 "marker": {"symbol": "star", "size": 17, "color": CENTER,
                            "line": {"color": "white", "width": 1.2}},
                 "hovertemplate": f"θ at t = {t}: the centre (0, 0)<extra></extra>"})
    axis = {"showgrid": False, "zeroline": False, "ticks": "outside", "ticklen": 3,
            "constrain": "domain"}
    layout = base_layout(
        height, margin={"l": 50, "r": 10, "t": 30, "b": 40}, legend=top_legend(),
        hovermode="closest",
        xaxis=dict(axis, range=[alphas[0], alphas[-1]], title={"text": "α (along d₁)",
                                                                 "standoff": 4}),
        yaxis=dict(axis, range=[betas[0], betas[-1]], scaleanchor="x", scaleratio=1,
                   title={"text": "β (along d₂)", "standoff": 4}))
    return figure(data, layout)


def landscape_surface_3d(alphas, betas, L, *, log=True, height=520):
    """The same slice as a surface z = L (or log10 L) over (alpha, beta), theta_t marked."""
    alphas, betas = np.asarray(alphas, dtype=np.float64), np.asarray(betas, dtype=np.float64)
    L = np.asarray(L, dtype=np.float64)
    z = _levels_of(L, log)
    lo, hi = _finite_range(z)
    data = [{"type": "surface", "x": alphas, "y": betas, "z": z, "cmin": lo, "cmax": hi,
             "colorscale": SEQUENTIAL, "customdata": L, "name": "",
             "colorbar": _colorbar(lo, hi, log),
             "hovertemplate": "α %{x:.2f}, β %{y:.2f}<br>L = %{customdata:.4g}<extra></extra>"}]
    i, j = np.flatnonzero(betas == 0), np.flatnonzero(alphas == 0)
    if len(i) and len(j) and np.isfinite(z[i[0], j[0]]):
        data.append({"type": "scatter3d", "mode": "markers", "x": [0.0], "y": [0.0],
                     "z": [z[i[0], j[0]]], "name": "θₜ (centre)", "showlegend": False,
                     "marker": {"size": 5, "color": CENTER}, "hoverinfo": "skip"})
    zt = "log₁₀ L(θ)" if log else "L(θ)"
    scene = {"xaxis": {"title": {"text": "α"}, "range": [alphas[0], alphas[-1]]},
             "yaxis": {"title": {"text": "β"}, "range": [betas[0], betas[-1]]},
             "zaxis": {"title": {"text": zt}, "range": [lo, hi]},
             "aspectmode": "cube", "camera": {"eye": {"x": 1.5, "y": -1.5, "z": 1.1}}}
    layout = base_layout(height, margin={"l": 0, "r": 0, "t": 10, "b": 0}, scene=scene)
    return figure(data, layout)


def _levels_of(L, log):
    """What the colours follow: log10 L (NaN where L <= 0 or not finite), or L itself."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(np.where(L > 0, L, np.nan)) if log else L.copy()
    z[~np.isfinite(z)] = np.nan
    return z


def _finite_range(z):
    v = z[np.isfinite(z)]
    if not v.size:
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def _contour(alphas, betas, L, z, log):
    lo, hi = _finite_range(z)
    return {"type": "contour", "x": alphas, "y": betas, "z": z, "zmin": lo, "zmax": hi,
            "autocontour": False,
            "contours": {"start": lo, "end": hi, "size": (hi - lo) / N_LEVELS,
                         "coloring": "fill", "showlines": True},
            "line": {"color": "rgba(255,255,255,0.35)", "width": 0.6, "smoothing": 0.85},
            "colorscale": SEQUENTIAL, "customdata": L, "name": "",
            "colorbar": _colorbar(lo, hi, log),
            "hovertemplate": "α %{x:.2f}, β %{y:.2f}<br>L = %{customdata:.4g}<extra></extra>"}


def _colorbar(lo, hi, log):
    """A slim colour bar titled L(θ); on a log scale its ticks read as losses, not exponents."""
    bar = {"thickness": 10, "len": 0.8, "outlinewidth": 0, "title": {"text": "L(θ)"}}
    if log:
        ticks = np.linspace(lo, hi, 6)
        bar.update(tickvals=ticks, ticktext=[f"{10 ** v:.3g}" for v in ticks])
    return bar


def _path(traj, steps, alphas, betas):
    """The path theta_0 .. theta_t as a line with markers, and theta_0 marked on its own."""
    steps = np.arange(len(traj)) if steps is None else np.asarray(steps)
    custom = np.asarray(steps, dtype=np.float64)
    x0, y0 = traj[0]
    inside = alphas[0] <= x0 <= alphas[-1] and betas[0] <= y0 <= betas[-1]
    start = "θ₀ (start)" if inside else "θ₀ (start, outside the span)"
    return [
        {"type": "scatter", "mode": "lines+markers", "x": traj[:, 0], "y": traj[:, 1],
         "customdata": custom, "name": "path θ₀ … θₜ, projected",
         "line": {"color": PATH, "width": 2},
         "marker": {"color": PATH, "size": 4},
         "hovertemplate": "θ at t = %{customdata:.0f}<br>α %{x:.3f}, β %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "x": [x0], "y": [y0], "name": start,
         "cliponaxis": True,
         "marker": {"symbol": "circle", "size": 11, "color": "white",
                    "line": {"color": SPLIT_COLORS["train"], "width": 2}},
         "hovertemplate": f"θ₀ (t = {int(steps[0])})<br>α %{{x:.3f}}, β %{{y:.3f}}<extra></extra>"},
    ]
