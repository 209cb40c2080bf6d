"""θ itself: the network drawn as a graph whose edges are the weights W_l and whose nodes carry
the biases b_l, and θ as heatmaps."""

import numpy as np

from ._layout import base_layout, f32, figure, sub
from .describe import network_alt
from .gradients import bias_label, matrix_heatmaps, shape_label
from .palette import DIVERGING, INPUT_COLOR, SIGN_COLORS, layer_color

# |w| / max|w| binned: each bin one line trace per sign, so at most 10 traces for any net.
_WIDTHS = (0.6, 1.2, 2.0, 3.0, 4.5)
_OPACITIES = (0.18, 0.35, 0.55, 0.75, 0.95)
_HOVER_AT = 0.4  # hover marker 40% along each edge: midpoints of crossing edges coincide


def network_graph(W, b, sizes, *, input_labels=None, activations=None, output=None,
                  grads=None, grads_0=None, height=420):
    """Columns of units (inputs, hidden layers, outputs) joined by every weight.

    W: L arrays (fan_in, fan_out), W[l-1][i, j] joins unit i of layer l-1 to unit j of layer l;
    b: L arrays (fan_out,); sizes: [n_in, n_1, ..., k]. Edge colour = sign of w, width and
    opacity = |w|; node colour = its bias (inputs grey). activations: names of the hidden
    layers' g; output: name of the output function; both only label the columns.
    grads: ‖∇W_l‖ for l = 1..L (L floats): under each layer's weights, a bar whose length is
    the norm on a log scale shared by all layers, and its value; grads_0: the same at θ₀,
    drawn as a grey bar behind (how far each layer's gradient has moved since)."""
    L = len(W)
    widest = max(sizes)
    ys = [_column_y(n, widest) for n in sizes]
    edges = _edges(W, ys)
    # thinner, fainter lines as the layers widen: 32 x 32 weights would be a solid block
    density = float(np.clip(10 / widest, 0.3, 1.0))
    labels = list(input_labels) if input_labels else [f"x{sub(i + 1)}" for i in range(sizes[0])]
    data = _edge_traces(edges, density) + _edge_hover(edges)
    band = 0.0 if grads is None else GRAD_BAND * height / (height - 56)
    plot_px = (height - 56) / (1 + band / 2)           # the units' share of the plot, in px
    size = _node_size(widest, plot_px + 56)
    data += _node_traces(b, sizes, ys, size, labels)
    # room above and below the outer units for their radius, in data units
    top = 1.0 + 2.0 * (size / 2 + 3) / max(plot_px - size - 6, 50)
    left = 24 + 7 * max(len(s) for s in labels)        # room for the input labels, in px
    notes = _column_labels(L, activations, output)
    if grads is not None:
        bars, more = _gradient_band(grads, grads_0, -top - band / 2, band)
        data += bars
        notes += more
    layout = base_layout(
        height, margin={"l": left, "r": 48, "t": 12, "b": 44}, showlegend=False,
        hovermode="closest", xaxis={"visible": False, "range": [0, L]},
        yaxis={"visible": False, "range": [-top - band, top]}, annotations=notes,
        meta={"alt": network_alt(W, sizes, grads)})
    return figure(data, layout)


GRAD_BAND = 0.5   # the gradient band's height, in data units per unit of the units' height


def gradient_scale(values):
    """(lo, hi) powers of ten spanning the finite positive `values` (at least two decades):
    the shared log scale of the gradient bars."""
    v = np.asarray([x for x in values if np.isfinite(x) and x > 0], dtype=np.float64)
    if not len(v):
        return -3.0, -1.0
    lo, hi = np.floor(np.log10(v.min())), np.ceil(np.log10(v.max()))
    if hi - lo < 2:
        lo = hi - 2
    return float(lo), float(hi)


def _gradient_band(grads, grads_0, y, band):
    """Per layer l, between its two columns: a bar of length log10 ‖∇W_l‖ on the shared scale
    (colour of layer l), θ₀'s in grey behind it, and the value written above."""
    lo, hi = gradient_scale(list(grads) + list(grads_0 or ()))
    span = 0.8                                   # of the gap between two columns

    def length(g):
        if not (np.isfinite(g) and g > 0):
            return 0.0
        return span * float(np.clip((np.log10(g) - lo) / (hi - lo), 0.02, 1.0))

    traces, notes = [], []
    for l, g in enumerate(grads, start=1):
        x0 = l - 1 + (1 - span) / 2
        rows = [("θ₀", grads_0[l - 1], "#CCCCCC", 9)] if grads_0 is not None else []
        rows.append(("now", g, layer_color(l), 5))
        for name, value, color, width in rows:
            traces.append({"type": "scatter", "mode": "lines", "x": [x0, x0 + length(value)],
                           "y": [y, y], "hoverinfo": "skip", "name": f"‖∇W{sub(l)}‖ {name}",
                           "line": {"color": color, "width": width}})
        # past 3 layers the value alone, in the layer's colour: "‖∇W₁‖ 0.0119" is ~75 px and
        # overlapped its neighbours (seen in Chromium: 7 layers in a 398 px column)
        text = f"‖∇W{sub(l)}‖ {_sci(g)}" if len(grads) <= 3 else _sci(g)
        notes.append({"text": text, "x": l - 0.5, "y": y + band * 0.12,
                      "xref": "x", "yref": "y", "yanchor": "bottom", "showarrow": False,
                      "font": {"size": 11 if len(grads) <= 3 else 10, "color": layer_color(l)}})
    return traces, notes


def _sci(value):
    """A gradient norm in three significant digits: 0.0123, 4.56e-05."""
    if not np.isfinite(value):
        return "∞" if value > 0 else "NaN"
    return f"{value:.3g}" if value == 0 or 1e-3 <= abs(value) < 1e4 else f"{value:.2e}"


def param_heatmaps(W, b, *, height=None, per_row=4, names=("W", "b")):
    """W_l with b_l right under it (b_l has one entry per column of W_l), titled with the
    lecture's shapes; more than `per_row` layers wrap to further pairs of rows.
    names=("∇W", "∇b") titles the same layout for the gradient ∇θ."""
    sizes = [W[0].shape[0]] + [w.shape[1] for w in W]
    L = len(W)
    per_row = min(L, per_row)
    mats, titles = [], []
    for start in range(0, L, per_row):
        layers = range(start + 1, min(start + per_row, L) + 1)
        # pad a short last chunk so that each b_l stays under its W_l
        pad = per_row - len(layers)
        for kind in ("W", "b"):
            for l in layers:
                mats.append(W[l - 1] if kind == "W" else b[l - 1])
                titles.append(shape_label(sizes, l, names[0]) if kind == "W"
                              else bias_label(sizes, l, names[1]))
            mats += [None] * pad
            titles += [None] * pad
    return matrix_heatmaps(mats, titles, per_row=per_row, height=height)


def _column_y(n, widest):
    """y of n units, unit 1 on top, same spacing in every column, centred on 0."""
    gap = 2.0 / (max(widest, 4) - 1)
    return ((n - 1) / 2 - np.arange(n)) * gap


def _edges(W, ys):
    """Every weight as a segment: dict of flat arrays x0, x1, y0, y1, w, layer, i, j."""
    parts = []
    for l, M in enumerate(W, start=1):
        M = np.asarray(M, dtype=np.float64)
        i, j = np.indices(M.shape)
        i, j = i.ravel(), j.ravel()
        parts.append((np.full(i.size, l - 1.0), ys[l - 1][i], ys[l][j], M.ravel(),
                      np.full(i.size, l), i, j))
    x0, y0, y1, w, layer, i, j = (np.concatenate(p) for p in zip(*parts))
    return {"x0": x0, "x1": x0 + 1, "y0": y0, "y1": y1, "w": w, "layer": layer, "i": i, "j": j}


def _edge_traces(e, density=1.0):
    """≤ 10 line traces: a (|w| bin, sign) pair each, segments separated by NaN; bigger
    weights drawn last, so on top whatever their sign."""
    w = e["w"]
    top = np.abs(w[np.isfinite(w)]).max(initial=0.0)
    size = np.abs(np.nan_to_num(w)) / (top if top > 0 else 1.0)
    bins = np.minimum((size * len(_WIDTHS)).astype(int), len(_WIDTHS) - 1)
    traces = []
    for k in range(len(_WIDTHS)):
        for sign, negative in (("positive", False), ("negative", True)):
            pick = (bins == k) & ((w < 0) == negative)
            if not pick.any():
                continue
            n = int(pick.sum())
            xs = np.column_stack([e["x0"][pick], e["x1"][pick], np.full(n, np.nan)])
            ys = np.column_stack([e["y0"][pick], e["y1"][pick], np.full(n, np.nan)])
            traces.append({"type": "scatter", "mode": "lines",
                           "x": xs.astype(np.float32).ravel(), "y": ys.astype(np.float32).ravel(),
                           "hoverinfo": "skip", "opacity": _OPACITIES[k] * (0.4 + 0.6 * density),
                           "name": f"{sign} weights, bin {k + 1}",
                           "line": {"color": SIGN_COLORS[sign], "width": _WIDTHS[k] * density,
                                    "dash": "dash" if negative else "solid"}})
    return traces


def _edge_hover(e):
    """Invisible markers along the edges, one trace per layer l, whose hover names the weight:
    'W₂[3, 5] = -0.42' (1-based). Numbers go as customdata (float32), not as 5000 strings: a
    third of the time and about half the JSON (docs/design.md, "Measurements behind the code")."""
    t = _HOVER_AT
    x = (e["x0"] + t).astype(np.float32)
    y = (e["y0"] + t * (e["y1"] - e["y0"])).astype(np.float32)
    custom = f32(np.column_stack([e["i"] + 1, e["j"] + 1, e["w"]]))
    traces = []
    for l in range(1, int(e["layer"].max(initial=0)) + 1):
        pick = e["layer"] == l
        traces.append({
            "type": "scatter", "mode": "markers", "x": x[pick], "y": y[pick],
            "customdata": custom[pick], "name": f"W{sub(l)}",
            "hovertemplate": f"W{sub(l)}[%{{customdata[0]}}, %{{customdata[1]}}] = "
                             "%{customdata[2]:.3~g}<extra></extra>",
            "marker": {"size": 8, "color": "rgba(0,0,0,0)"}})
    return traces


def _node_size(widest, height):
    """Marker diameter in px: units of the widest layer a quarter of their spacing apart."""
    return float(np.clip(0.75 * (height - 60) / max(widest, 1), 5, 20))


def _node_traces(b, sizes, ys, size, labels):
    """Inputs (grey, labelled) and the units of layers 1..L (filled by their bias); not
    clipped at the plot's edge, which runs through the first and last columns."""
    outline = {"color": "#555555", "width": 1}
    inputs = {"type": "scatter", "mode": "markers+text", "x": np.zeros(sizes[0]), "y": ys[0],
              "text": labels, "textposition": "middle left", "name": "inputs",
              "cliponaxis": False,
              "textfont": {"size": 11 if sizes[0] <= 12 else 8},
              "marker": {"color": INPUT_COLOR, "size": size, "line": outline},
              "hovertemplate": "input %{text}<extra></extra>"}
    bias = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in b])
    finite = bias[np.isfinite(bias)]
    top = float(np.abs(finite).max()) if finite.size else 0.0
    top = top if top > 0 else 1.0
    xs = np.concatenate([np.full(n, l, dtype=np.float64) for l, n in enumerate(sizes[1:], 1)])
    text = [f"b{sub(l)}[{j + 1}] = {v:.3g}"
            for l, n in enumerate(sizes[1:], 1) for j, v in enumerate(b[l - 1].tolist())]
    units = {"type": "scatter", "mode": "markers", "x": xs, "y": np.concatenate(ys[1:]),
             "cliponaxis": False, "text": text, "name": "units",
             "hovertemplate": "%{text}<extra></extra>",
             "marker": {"color": bias, "colorscale": DIVERGING, "cmin": -top, "cmax": top,
                        "size": size, "line": outline}}
    return [inputs, units]


def _column_labels(L, activations, output):
    """'input', 'layer l<br>g' for hidden layers, 'layer L: output<br>O' under the columns."""
    names = ["input"]
    for l in range(1, L):
        g = activations[l - 1] if activations else None
        names.append(f"layer {l}" + (f"<br>{g}" if g else ""))
    # past 3 layers "output" alone: the wide "layer 7: output" covered "layer 6"
    names.append(("output" if L > 3 else f"layer {L}: output")
                 + (f"<br>{output}" if output else ""))
    # the output column's label ends at its units (a wide one would pass the figure's edge)
    return [{"text": name, "x": c, "y": 0, "xref": "x", "yref": "paper", "yanchor": "top",
             "yshift": -4, "showarrow": False, "font": {"size": 11, "color": "#444444"},
             **({"xanchor": "right", "xshift": 12} if c == L and c else {})}
            for c, name in enumerate(names)]

