"""The class board: a whole class's runs at once. Final loss against the learning rate η (log
axes: the U the room draws, with divergence at the right), and every run's loss curve.

Both take plain lists, one item per run, and colour runs by a group (the setting the lecturer
picks) in the order given. Names are the students' own text: Plotly renders a few HTML tags in
hover text, so they are escaped here and always read as typed.
"""

import html
import math

import numpy as np

from ._layout import base_layout, figure, top_legend
from .palette import CLASS_COLORS

DIVERGED_COLOR = "#555555"
SELECTED_COLOR = "#000000"
LOSS_FLOOR = 1e-12    # a loss of exactly 0 is drawn here (a log axis has no 0)
# A run whose final loss is this many times its loss at θ₀ blew up, even if every number stayed
# finite (η = 300 can end at 1e166): it goes in the top band with the diverged ones, or one such
# run would stretch the loss axis over a hundred decades and flatten everyone else's U.
BLOWN_UP = 100.0


def group_colors(groups):
    """{group: colour} for the groups in their given order (Okabe-Ito, colour-blind safe)."""
    return {g: CLASS_COLORS[i % len(CLASS_COLORS)] for i, g in enumerate(groups)}


def log_axis(log_range, top=None):
    """Ticks of a log axis over `log_range` (log10 units) as plain numbers (0.01, not 10⁻²):
    one per decade over a wide range, 1-2-5 steps over a short one; none above `top`."""
    lo, hi = log_range
    if top is not None:
        hi = min(hi, top)
    decades = range(math.floor(lo), math.ceil(hi) + 1)
    for steps in ((1,), (1, 3), (1, 2, 5), (1, 2, 3, 4, 5, 6, 8)):
        vals = [m * 10.0 ** d for d in decades for m in steps if lo <= math.log10(m) + d <= hi]
        if len(vals) >= 3 or steps[-1] == 8:
            break
    for digits in (2, 3, 4):        # a sliver of a decade: round numbers across it
        if len(vals) >= 2:
            break
        vals = sorted(v for v in {float(f"{10 ** x:.{digits}g}") for x in np.linspace(lo, hi, 4)}
                      if lo <= math.log10(v) <= hi)
    if len(vals) > 5:               # large type on a projector: at most five labels
        vals = vals[::math.ceil(len(vals) / 5)]
    return {"tickvals": vals, "ticktext": [f"{v:g}" for v in vals]}


def _log_range(values, default, pad=0.15):
    v = np.log10([x for x in values if x is not None and x > 0 and math.isfinite(x)])
    if not len(v):
        return list(default)
    lo, hi = float(v.min()), float(v.max())
    pad = max(pad * (hi - lo), 0.2)
    return [lo - pad, hi + pad]


def loss_vs_lr(runs, groups, *, group_title="", selected=None, height=360):
    """Final training loss against η, one marker per run, both axes log.

    runs: [{"id", "name", "lr", "loss" (final train loss or None), "diverged", "group", "t",
    "losses" (the curve, optional)}]; groups: the groups in legend order. Diverged runs (or
    runs whose loss is not finite, or blew up: see BLOWN_UP) are drawn as crosses in a band at
    the top, above every finished run. `selected`: the id of the
    run to ring."""
    losses = [r["loss"] for r in runs if not _diverged(r)]
    yrange = _log_range([max(x, LOSS_FLOOR) for x in losses if x is not None], (-3.3, 1.3))
    band = (yrange[1] - yrange[0]) * 0.12
    finished_top = yrange[1]
    top = yrange[1] + band                      # the diverged band's centre
    yrange = [yrange[0], top + band]
    xrange = _log_range([r["lr"] for r in runs], (-4.3, 1.3), pad=0.08)
    colors = group_colors(groups)
    data = []
    for group in groups:
        mine = [r for r in runs if r["group"] == group]
        if not mine:
            continue
        # Two traces per group, one legend entry (always a circle): finished runs, then the
        # crosses in the band.
        finished = [r for r in mine if not _diverged(r)]
        blown = [r for r in mine if _diverged(r)]
        if finished:
            data.append(_markers(finished, group, colors[group], top))
        if blown:           # in the legend too when the whole group diverged (a cross, then)
            data.append(_markers(blown, group, colors[group], top, legend=not finished,
                                 symbol="x"))
    data.extend(_selected(runs, selected, top))
    shapes = [{"type": "rect", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
               "y0": 10 ** (top - band), "y1": 10 ** (top + band), "line": {"width": 0},
               "fillcolor": "rgba(0,0,0,0.05)", "layer": "below"}]
    notes = [{"text": "diverged or blew up", "xref": "paper", "yref": "y", "x": 0.005, "y": top,
              "xanchor": "left", "showarrow": False, "font": {"size": 11, "color": "#555555"}}]
    legend = top_legend(title={"text": group_title + ":"} if group_title else None)
    layout = base_layout(
        height, margin={"l": 60, "t": 34}, hovermode="closest", shapes=shapes,
        annotations=notes, legend=legend, showlegend=bool(runs),
        xaxis={"title": {"text": "learning rate η", "standoff": 4}, "type": "log",
               "range": xrange, **log_axis(xrange)},
        yaxis={"title": {"text": "final train loss", "standoff": 4}, "type": "log",
               "range": yrange, **log_axis(yrange, top=finished_top)})
    return figure(data, layout)


def _diverged(run):
    """Diverged, not finite, or blown up (see BLOWN_UP): drawn in the top band."""
    loss, start = run["loss"], (run.get("losses") or [None])[0]
    if run["diverged"] or loss is None or not math.isfinite(loss):
        return True
    return start is not None and start > 0 and loss > BLOWN_UP * start


def _y(run, top):
    return 10 ** top if _diverged(run) else max(run["loss"], LOSS_FLOOR)


def _markers(runs, group, color, top, legend=True, symbol="circle"):
    return {
        "type": "scatter", "mode": "markers", "name": group, "legendgroup": group,
        "showlegend": legend,
        "x": [r["lr"] for r in runs], "y": [_y(r, top) for r in runs],
        "text": [label(r) for r in runs],
        "customdata": [[_loss_text(r), r["t"]] for r in runs],
        "marker": {"color": color, "size": 11, "opacity": 0.85,
                   "symbol": symbol,
                   "line": {"width": 0.5, "color": "#FFFFFF"}},
        "hovertemplate": "%{text}<br>η = %{x:.3g}<br>loss %{customdata[0]}<br>t = "
                         "%{customdata[1]}<extra>" + html.escape(group) + "</extra>",
    }


def _selected(runs, selected, top):
    chosen = [r for r in runs if r["id"] == selected]
    if not chosen:
        return []
    r = chosen[0]
    return [{"type": "scatter", "mode": "markers", "x": [r["lr"]], "y": [_y(r, top)],
             "showlegend": False, "hoverinfo": "skip", "name": "selected",
             "marker": {"size": 22, "symbol": "circle-open", "color": SELECTED_COLOR,
                        "line": {"width": 3, "color": SELECTED_COLOR}}}]


def _loss_text(run):
    if run["diverged"] or run["loss"] is None or not math.isfinite(run["loss"]):
        return "diverged"
    blown = " (blew up)" if _diverged(run) else ""
    return f"{run['loss']:.4g}{blown}"


def label(run):
    """The hover label of a run: '#id name', the name escaped (shown as typed, never as HTML)."""
    name = run.get("name") or "anonymous"
    return html.escape(f"#{run['id']} {name}")


def board_curves(runs, groups, *, selected=None, height=360):
    """Every run's training loss against t on one log axis, coloured by group; the selected
    run drawn thick and black on top. runs: [{"id", "name", "group", "steps", "losses"}].

    One trace per group (curves joined with gaps), so 500 runs cost a handful of traces; with
    many runs each curve is drawn from CURVE_BUDGET / runs of its points."""
    colors = group_colors(groups)
    data, finite, last = [], [], 1
    starts = [r["losses"][0] for r in runs if r["losses"] and r["losses"][0] is not None]
    cap = BLOWN_UP * max(starts) if starts else math.inf     # curves that blew up leave the top
    points = max(CURVE_MIN_POINTS, min(CURVE_MAX_POINTS, CURVE_BUDGET // max(1, len(runs))))
    for group in groups:
        xs, ys = [], []
        for r in runs:
            if r["group"] != group or not r["steps"]:
                continue
            idx = _spread(len(r["steps"]), points)
            y = np.asarray(_positive(r["losses"]), dtype=np.float64)[idx]
            xs.extend([np.asarray(r["steps"], dtype=np.float64)[idx], _GAP])
            ys.extend([y, _GAP])
            ok = y[np.isfinite(y)]
            finite.extend(ok[ok <= cap].tolist())
            last = max(last, r["steps"][-1])
        if xs:
            # float32 arrays travel as binary (Plotly's typed arrays), NaN the gap between
            # curves: 500 runs are a few hundred kB, not megabytes of JSON numbers
            data.append({"type": "scatter", "mode": "lines",
                         "name": group, "legendgroup": group,
                         "x": np.concatenate(xs).astype(np.float32),
                         "y": np.concatenate(ys).astype(np.float32),
                         "connectgaps": False, "opacity": 0.7, "hoverinfo": "skip",
                         "line": {"color": colors[group], "width": 1.5}})
    chosen = [r for r in runs if r["id"] == selected and r["steps"]]
    if chosen:
        r = chosen[0]
        data.append({"type": "scatter", "mode": "lines", "x": r["steps"],
                     "y": _positive(r["losses"]), "name": label(r), "showlegend": False,
                     "line": {"color": SELECTED_COLOR, "width": 3},
                     "hovertemplate": "t = %{x}<br>loss %{y:.4g}<extra>" + label(r)
                                      + "</extra>"})
    yrange = _log_range(finite, (-3, 1), pad=0.05)
    layout = base_layout(
        height, margin={"l": 60, "t": 30}, hovermode="closest", showlegend=False,
        xaxis={"title": {"text": "step t", "standoff": 4}, "range": [0, last]},
        yaxis={"title": {"text": "train loss L(θ)", "standoff": 4}, "type": "log",
               "range": yrange, **log_axis(yrange)})
    return figure(data, layout)


CURVE_BUDGET = 30_000        # points of every curve together, at most (each run's drawn evenly)
CURVE_MIN_POINTS, CURVE_MAX_POINTS = 40, 200
_GAP = np.array([np.nan])


def _spread(n, points):
    """Indices of at most `points` evenly spread items of n, the first and last kept."""
    if n <= points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, points).round().astype(np.int64))


def _positive(values):
    """Losses for a log axis: missing or non-finite ones become gaps, 0 the floor."""
    return [None if v is None or not math.isfinite(v) else max(v, LOSS_FLOOR) for v in values]
