"""The network's answer over the input plane (decision regions, or the regression surface)
with the data points on top."""

import base64

import numpy as np

from ._layout import base_layout, f32, figure, top_legend
from .describe import boundary_alt
from .palette import DIVERGING, POINT_OUTLINE, class_color, class_symbol, mix, rgb
from .png import encode_png

# Full confidence is drawn at class + CAP, not class + 1: plotly gives a value that sits on a
# colour stop shared by two segments the upper segment's colour (the next class's near-white).
CAP = 1.0 - 1e-3
_LIGHT, _FULL = 0.9, 0.45  # how far toward white a class colour is at confidence 0 and 1

# px around the plot area; a phone's page clips the chart to the square's height with them
# (ffnn.app.page.COMPACT_CSS)
MARGIN = {"l": 40, "r": 10, "t": 30, "b": 40}


def class_colorscale(n_classes):
    """k segments on [0, k]: segment c runs from near-white to class c's colour."""
    scale = []
    for c in range(n_classes):
        color = class_color(c)
        scale += [[c / n_classes, mix(color, t=_LIGHT)],
                  [(c + 1) / n_classes, mix(color, t=_FULL)]]
    return scale


def predicted_class(Z):
    """Z (G, G, k) outputs -> cls (G, G) argmax class, p (G, G) its probability, k.

    A single sigmoid output (k = 1) is p(class 1); then p(class 0) = 1 - p, and k = 2."""
    if Z.shape[-1] == 1:
        p1 = Z[..., 0]
        cls = (p1 >= 0.5).astype(np.uint8)
        return cls, np.where(cls == 1, p1, 1.0 - p1), 2
    cls = Z.argmax(axis=-1)
    return cls.astype(np.uint8), np.take_along_axis(Z, cls[..., None], -1)[..., 0], Z.shape[-1]


def class_confidence(Z, discretize=False):
    """Z (G, G, k) -> z (G, G) = class + confidence, cls (G, G), p (G, G).

    confidence = (p_max - 1/k) / (1 - 1/k): 0 where all classes tie, 1 where one is certain;
    capped at CAP (see above). discretize: confidence 1 everywhere (full colours)."""
    cls, p, k = predicted_class(Z)
    if discretize:
        conf = np.full(cls.shape, CAP)
    else:
        conf = np.clip((p - 1.0 / k) / (1.0 - 1.0 / k), 0.0, CAP)
    return cls + conf, cls, p


def decision_boundary(xs, ys, Z, *, task, n_classes, points_train, y_train, points_test=None,
                      y_test=None, show_test=False, discretize=False, extent=6.0, height=520):
    """The network over the plane, data points on top.

    xs (G,), ys (G,), Z (G, G, k) from ffnn.grid.predict_grid: Z[i, j] is the output at
    (x1 = xs[j], x2 = ys[i]). points_* (N, 2); y_* (N,) class indices or regression targets.
    Classification: colour = predicted class, paler where less sure, as a picture in
    layout.images (see region_rgba; ffnn.figures.png says why a picture). Regression: a heatmap
    of Z[..., 0] on the diverging scale from -1 to 1."""
    Z = np.asarray(Z)
    if task == "regression":
        data = [_surface(xs, ys, Z)]
        data += _target_points(points_train, y_train, "train")
        if show_test and points_test is not None:
            data += _target_points(points_test, y_test, "test")
    else:
        k = max(int(n_classes or 2), 2, Z.shape[-1])
        data = _class_points(points_train, y_train, k, "train")
        if show_test and points_test is not None:
            data += _class_points(points_test, y_test, k, "test")
    axis = {"range": [-extent, extent], "showgrid": False, "zeroline": False,
            "constrain": "domain", "ticks": "outside", "ticklen": 3}
    layout = base_layout(
        height, margin=dict(MARGIN), legend=top_legend(),
        # the square sits at the left, where the picture drawn while playing puts it (views.chart)
        xaxis=dict(axis, title={"text": "x₁", "standoff": 4}, constraintoward="left"),
        # ... and at the top: on a narrow (phone) screen the spare height falls below it
        yaxis=dict(axis, title={"text": "x₂", "standoff": 4}, scaleanchor="x", scaleratio=1,
                   constraintoward="top"),
        hoverlabel={"font_size": 11}, meta={"alt": boundary_alt(Z, task, n_classes or 2)})
    if task != "regression":
        layout["images"] = [_regions_image(xs, ys, Z, k, discretize)]
        shown = (np.asarray(points_train, dtype=float),
                 np.asarray(points_test, dtype=float) if show_test and points_test is not None
                 else None)
        layout["datarevision"] = _points_revision(*shown) + f"|k{k}"
    return figure(data, layout)


def region_colors(k):
    """(light, full): for each of k classes, its colour at confidence 0 and at 1, as [r, g, b]
    (the browser's stage paints the regions with them, as region_rgba does)."""
    return ([list(rgb(mix(class_color(c), t=_LIGHT))) for c in range(k)],
            [list(rgb(mix(class_color(c), t=_FULL))) for c in range(k)])


def region_rgba(Z, k, discretize=False):
    """Z (G, G, k) -> (G, G, 4) uint8 colours, row i = ys[i]: class c's colour mixed toward
    white, from _LIGHT (confidence 0) to _FULL (confidence 1); NaN outputs transparent."""
    z, cls, _ = class_confidence(Z, discretize)
    conf = np.nan_to_num(z - cls)[..., None] / CAP
    light = np.array([rgb(mix(class_color(c), t=_LIGHT)) for c in range(k)], dtype=np.float64)
    full = np.array([rgb(mix(class_color(c), t=_FULL)) for c in range(k)], dtype=np.float64)
    rgba = np.empty(Z.shape[:2] + (4,), dtype=np.uint8)
    rgba[..., :3] = np.rint(light[cls] + (full[cls] - light[cls]) * conf)
    rgba[..., 3] = np.where(np.isnan(z), 0, 255)
    return rgba


def _regions_image(xs, ys, Z, k, discretize):
    """The decision regions as a PNG stretched over the grid's cells, under the points."""
    png = encode_png(region_rgba(Z, k, discretize)[::-1])      # PNG rows run top to bottom
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    return {"source": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
            "xref": "x", "yref": "y", "x": xs[0] - dx / 2, "y": ys[-1] + dy / 2,
            "sizex": xs[-1] - xs[0] + dx, "sizey": ys[-1] - ys[0] + dy, "sizing": "stretch",
            "layer": "below", "name": "regions"}


def _points_revision(*arrays):
    """A label that changes when (and only when) the drawn points change: Plotly then skips
    re-rendering the traces on frames where only the regions' picture is new."""
    parts = [f"{a.shape}:{float(np.nansum(a)):.17g}" for a in arrays if a is not None]
    return "|".join(parts)


def _surface(xs, ys, Z):
    return {"type": "heatmap", "x": xs, "y": ys, "z": f32(Z[..., 0]),
            "zmin": -1, "zmax": 1, "colorscale": DIVERGING, "name": "",
            "colorbar": {"thickness": 8, "len": 0.6, "outlinewidth": 0, "title": {"text": "ŷ"}},
            "hovertemplate": "x₁ %{x:.2f}, x₂ %{y:.2f}<br>ŷ = %{z:.3f}<extra></extra>"}


def _outline(split):
    color, width = POINT_OUTLINE[split]
    return {"color": color, "width": width}


def _class_points(points, y, k, split):
    """One scatter trace per class present: its colour and its shape (CLASS_SYMBOLS), outlined
    by split (test: thicker, darker).

    The legend names each class once (train); all test points share one entry "test"."""
    points, y = np.asarray(points), np.asarray(y)
    line = _outline(split)
    traces = []
    if split == "test":
        traces.append({"type": "scatter", "mode": "markers", "x": [None], "y": [None],
                       "name": "test (thick outline)", "legendgroup": "test",
                       "hoverinfo": "skip",
                       "marker": {"color": "#FFFFFF", "size": 7, "symbol": "circle",
                                  "line": line}})
    for c in range(k):
        pts = points[y == c]
        if not len(pts):
            continue
        legend = ({"name": f"class {c}", "legendgroup": f"class {c}"} if split == "train" else
                  {"name": f"class {c} (test)", "legendgroup": "test", "showlegend": False})
        traces.append(dict(
            type="scatter", mode="markers", x=pts[:, 0], y=pts[:, 1], **legend,
            marker={"color": class_color(c), "size": 7, "symbol": class_symbol(c), "line": line},
            hovertemplate=f"{split}, class {c}<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}<extra></extra>"))
    return traces


def _target_points(points, y, split):
    """One scatter trace, filled by the regression target on the diverging scale."""
    points = np.asarray(points)
    if not len(points):
        return []
    line, symbol = _outline(split), "circle"
    return [{
        "type": "scatter", "mode": "markers", "x": points[:, 0], "y": points[:, 1], "name": split,
        "marker": {"color": f32(y), "colorscale": DIVERGING,
                   "cmin": -1, "cmax": 1, "size": 6, "symbol": symbol, "line": line},
        "hovertemplate": f"{split}: y = %{{marker.color:.3f}}<br>"
                         "x₁ %{x:.2f}, x₂ %{y:.2f}<extra></extra>"}]
