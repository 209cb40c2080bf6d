"""The error surface L(w, b) of one sigmoid neuron: its contour map as a picture (the live stage
draws the paths θ_0, θ_1, ... on it in the browser) and in 3-D with the paths lifted onto it."""

import math

import numpy as np

from ..optimizers import OPTIMIZERS
from ._layout import base_layout, f32, figure, top_legend
from .palette import mix, rgb

# One colour per update rule, the same in every figure (Okabe-Ito, colour-blind safe; its yellow
# is left out: it vanishes on the light surface).
OPTIMIZER_COLORS = {"gd": "#D55E00", "momentum": "#0072B2", "nesterov": "#CC79A7",
                    "adagrad": "#009E73", "rmsprop": "#E69F00", "adam": "#000000"}
_SPARE = ("#56B4E9", "#882255", "#117733")

# Viridis moved 45% toward white: low loss (the valley) violet, high loss (the plateau) pale
# yellow. Perceptually ordered, and light enough that the saturated paths stand out on it.
SURFACE_SCALE = [[i / 4, mix(c, t=0.45)] for i, c in
                 enumerate(("#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725"))]
N_LEVELS = 28          # contour levels, evenly spaced in log10 L
DECADES = 3.0          # the levels span at most 3 decades below the largest loss
LIFT = 0.02            # 3-D paths float this fraction of max L above the surface (or it hides them)
_NICE = (1, 2, 5)


def optimizer_color(name, i=0):
    """The colour of update rule `name` (its i-th place picks a spare for unknown names)."""
    return OPTIMIZER_COLORS.get(name) or _SPARE[i % len(_SPARE)]


def optimizer_label(name):
    return OPTIMIZERS[name].label if name in OPTIMIZERS else str(name)


def log_levels(L):
    """(lo, hi) in log10 units for the colours: from max(min L, max L / 10^DECADES) to max L.

    Log-spaced levels give the flat plateau (L changes in its 2nd digit) and the narrow valley
    (L falls by decades) a few levels each; a linear scale would spend them all on one."""
    v = np.asarray(L, dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return -3.0, 0.0
    hi = math.log10(v.max())
    lo = max(math.log10(v.min()), hi - DECADES)
    return lo, hi if hi > lo else lo + 1.0


def surface_rgba(L, upsample=4):
    """L (G, G) -> (uG, uG, 4) uint8, row 0 at the top (the largest b): the contour map's
    filled levels (N_LEVELS bands of log10 L over log_levels, SURFACE_SCALE), as a picture;
    log10 L is interpolated linearly to `upsample` times the grid, so the bands' edges are
    smooth where the picture is enlarged."""
    lo, hi = log_levels(L)
    z = np.clip((_log_z(L, lo).astype(np.float64) - lo) / (hi - lo), 0.0, 1.0)
    G = z.shape[0]
    fine = np.linspace(0, G - 1, upsample * G)
    z = np.array([np.interp(fine, np.arange(G), row) for row in z])            # along w
    z = np.array([np.interp(fine, np.arange(G), col) for col in z.T]).T        # along b
    z = (np.minimum(np.floor(z * N_LEVELS), N_LEVELS - 1) + 0.5) / N_LEVELS   # band centres
    stops = np.array([v for v, _ in SURFACE_SCALE])
    colors = np.array([rgb(c) for _, c in SURFACE_SCALE], dtype=np.float64)
    out = np.empty(z.shape + (4,), dtype=np.uint8)
    for c in range(3):
        out[..., c] = np.rint(np.interp(z, stops, colors[:, c]))
    out[..., 3] = 255
    return out[::-1]


def colorbar_ticks(L):
    """[(log10 value, text)]: the colour bar's ticks, 1-2-5 values of L (see _colorbar)."""
    bar = _colorbar(*log_levels(L))
    return list(zip(bar["tickvals"], bar["ticktext"]))


def _log_z(L, lo):
    return f32(np.log10(np.maximum(np.nan_to_num(L, nan=10.0 ** lo), 10.0 ** lo)))


def _colorbar(lo, hi):
    """Colour bar ticks at 1-2-5 values of L inside [10^lo, 10^hi], written as L, not log L."""
    vals = [m * 10.0 ** e for e in range(math.floor(lo), math.ceil(hi) + 1) for m in _NICE]
    vals = [v for v in vals if lo <= math.log10(v) <= hi]
    return {"thickness": 10, "len": 0.85, "outlinewidth": 0, "title": {"text": "L(θ)"},
            "tickvals": [math.log10(v) for v in vals], "ticktext": [f"{v:g}" for v in vals]}


def _reveal(path, current_step):
    """Rows 0..t of `path` (all when current_step is None) and the index of the current row."""
    path = np.asarray(path, dtype=np.float64).reshape(-1, 2)
    t = len(path) - 1 if current_step is None else min(max(int(current_step), 0), len(path) - 1)
    return path[:t + 1], t


def surface_height(ws, bs, L, path):
    """L at the points of `path` (T, 2), bilinear in the grid; NaN outside it (a gap)."""
    ws, bs, L = np.asarray(ws), np.asarray(bs), np.asarray(L, dtype=np.float64)
    path = np.asarray(path, dtype=np.float64).reshape(-1, 2)
    fw = np.interp(path[:, 0], ws, np.arange(len(ws)), left=np.nan, right=np.nan)
    fb = np.interp(path[:, 1], bs, np.arange(len(bs)), left=np.nan, right=np.nan)
    ok = np.isfinite(fw) & np.isfinite(fb)
    z = np.full(len(path), np.nan)
    j = np.minimum(fw[ok].astype(int), len(ws) - 2)
    i = np.minimum(fb[ok].astype(int), len(bs) - 2)
    u, v = fw[ok] - j, fb[ok] - i
    z[ok] = ((1 - u) * (1 - v) * L[i, j] + u * (1 - v) * L[i, j + 1]
             + (1 - u) * v * L[i + 1, j] + u * v * L[i + 1, j + 1])
    return z


def error_surface_3d(ws, bs, L, paths, *, losses=None, current_step=None, height=560):
    """L(w, b) as a 3-D surface (height L, colour as in surface_rgba's map) with each path lifted
    onto it: z_t = L(θ_t), from `losses` {name: (T,)} when given, else read off the grid."""
    lo, hi = log_levels(L)
    L = np.asarray(L, dtype=np.float64)
    top = float(np.nanmax(L)) if np.isfinite(L).any() else 1.0
    data = [{"type": "surface", "x": ws, "y": bs, "z": f32(L),
             "surfacecolor": _log_z(L, lo), "cmin": lo, "cmax": hi,
             "colorscale": SURFACE_SCALE, "colorbar": _colorbar(lo, hi), "name": "L(θ)",
             "contours": {"z": {"show": False}},
             "hovertemplate": "w %{x:.2f}, b %{y:.2f}<br>L = %{z:.4g}<extra></extra>"}]
    lift = LIFT * top
    for i, (name, path) in enumerate(paths.items()):
        shown, t = _reveal(path, current_step)
        z = (np.asarray(losses[name], dtype=np.float64)[:t + 1] if losses is not None
             else surface_height(ws, bs, L, shown))
        color, label = optimizer_color(name, i), optimizer_label(name)
        data.append({"type": "scatter3d", "mode": "lines", "x": shown[:, 0], "y": shown[:, 1],
                     "z": z + lift, "name": label, "line": {"color": color, "width": 6},
                     "hovertemplate": "w %{x:.3f}, b %{y:.3f}<extra>" + label + "</extra>"})
        data.append({"type": "scatter3d", "mode": "markers", "x": shown[-1:, 0],
                     "y": shown[-1:, 1], "z": z[-1:] + lift, "name": f"{label}: θ_{t}",
                     "showlegend": False, "hoverinfo": "skip",
                     "marker": {"color": color, "size": 6, "line": {"color": "white",
                                                                    "width": 1}}})
    scene = {"xaxis": {"title": {"text": "w"}, "range": [float(ws[0]), float(ws[-1])]},
             "yaxis": {"title": {"text": "b"}, "range": [float(bs[0]), float(bs[-1])]},
             "zaxis": {"title": {"text": "L(θ)"}, "range": [0, 1.05 * top]},
             "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6},
             "camera": {"eye": {"x": 0.3, "y": -1.6, "z": 1.0}}}    # plateau and valley in view
    layout = base_layout(height, margin={"l": 0, "r": 0, "t": 30, "b": 0}, scene=scene,
                         legend=top_legend())
    return figure(data, layout)
