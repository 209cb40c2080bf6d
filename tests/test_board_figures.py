"""The class board's figures: valid Plotly (rebuilt with validation on), diverged runs in the top
band, names escaped in hover text, the selected run ringed and drawn thick, a handful of traces
for 500 runs, and log-axis ticks as plain numbers."""

import math

import numpy as np
import plotly.graph_objects as go

from ffnn.figures.board import CURVE_BUDGET, board_curves, log_axis, loss_vs_lr


def runs(n=6, diverged=(4,)):
    out = []
    for i in range(n):
        lr = 10 ** (-3 + 4 * i / max(n - 1, 1))
        out.append({"id": i + 1, "name": f"<b>s{i}</b>" if i == 0 else f"s{i}", "lr": lr,
                    "loss": None if i in diverged else 0.1 + abs(math.log10(lr) + 1) / 3,
                    "diverged": i in diverged, "group": "Adam" if i % 2 else "Gradient descent",
                    "t": 100, "steps": [0, 50, 100], "losses": [1.0, 0.5, 0.2 + i / 100]})
    return out


def test_loss_against_eta():
    data, groups = runs(), ["Gradient descent", "Adam"]
    fig = loss_vs_lr(data, groups, group_title="Optimizer", selected=2)
    go.Figure(fig.to_dict())                               # validated by plotly
    layout = fig.layout
    assert layout.xaxis.type == "log" and layout.yaxis.type == "log"
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert names == ["Gradient descent", "Adam"]               # one legend entry per group
    assert all(t.marker.symbol == "circle" for t in fig.data if t.showlegend is not False)
    groups = fig.data[:-1]
    top = math.log10(max(y for t in groups for y in t.y))
    diverged = [(x, y) for t in groups if t.marker.symbol == "x" for x, y in zip(t.x, t.y)]
    assert len(diverged) == 1 and math.isclose(math.log10(diverged[0][1]), top)
    assert layout.yaxis.range[1] > top > max(math.log10(r["loss"]) for r in data if r["loss"])
    assert all(v <= 10 ** (top - 0.01) for v in layout.yaxis.tickvals)   # no tick in the band
    assert "&lt;b&gt;s0&lt;/b&gt;" in fig.data[0].text[0] and "<b>" not in fig.data[0].text[0]
    ring = fig.data[-1]
    assert ring.x == (data[1]["lr"],) and ring.marker.color == ring.marker.line.color


def test_a_run_that_blew_up_goes_in_the_band():
    data = runs(3, diverged=())
    data[2].update(loss=4e166, losses=[0.7, 1e80, 4e166])      # finite, but 1e166 x L(θ₀)
    fig = loss_vs_lr(data, ["Gradient descent", "Adam", "Squared error"])
    assert fig.layout.yaxis.range[1] < 3                        # the axis is not stretched
    data[2]["group"] = "Squared error"                          # a group whose runs all blew up
    fig = loss_vs_lr(data, ["Gradient descent", "Adam", "Squared error"])
    legend = [(t.name, t.marker.symbol) for t in fig.data if t.showlegend is not False]
    assert legend == [("Gradient descent", "circle"), ("Adam", "circle"), ("Squared error", "x")]
    (blown,) = [c for t in fig.data if t.marker.symbol == "x" for c in t.customdata]
    assert blown[0] == "4e+166 (blew up)"
    curves = board_curves(data, ["Gradient descent", "Adam"])
    assert curves.layout.yaxis.range[1] < 3


def test_every_curve_with_the_selected_one_on_top():
    many = runs(500, diverged=())
    fig = board_curves(many, ["Gradient descent", "Adam"], selected=7)
    go.Figure(fig.to_dict())
    assert len(fig.data) == 3                              # two groups and the selected run
    assert fig.data[-1].line.width > fig.data[0].line.width
    assert list(fig.data[-1].x) == many[6]["steps"]
    assert sum(np.isnan(x) for x in fig.data[0].x) == 250  # one gap after each curve
    assert sum(not np.isnan(x) for x in fig.data[0].x) == 250 * 3     # every point of each


def test_many_long_curves_are_drawn_from_a_budget_of_points():
    many = runs(500, diverged=())
    for r in many:
        r["steps"] = list(range(0, 1000, 5))
        r["losses"] = [1.0 / (1 + s) for s in r["steps"]]
    fig = board_curves(many, ["Gradient descent", "Adam"])
    xs = np.concatenate([np.asarray(t.x) for t in fig.data])
    ys = np.concatenate([np.asarray(t.y) for t in fig.data])
    assert np.isnan(xs).sum() == 500 and len(xs) - 500 <= CURVE_BUDGET     # every run, bounded
    ends = np.flatnonzero(np.isnan(xs)) - 1
    assert (xs[ends] == 995).all() and (xs[ends[:-1] + 2] == 0).all()   # first, last kept
    assert np.isfinite(ys[~np.isnan(xs)]).all()


def test_empty_board():
    for fig in (loss_vs_lr([], []), board_curves([], [])):
        go.Figure(fig.to_dict())
        assert not fig.data


def test_log_ticks_are_plain_numbers():
    assert log_axis((-3, 1))["ticktext"] == ["0.001", "0.01", "0.1", "1", "10"]
    assert log_axis((-1.5, 0.5))["ticktext"] == ["0.1", "0.3", "1", "3"]
    short = log_axis((-0.3, -0.1))["tickvals"]             # a sliver of a decade
    assert len(short) >= 2 and all(10 ** -0.3 <= v <= 10 ** -0.1 for v in short)
    assert len(log_axis((-9, 4))["tickvals"]) <= 5
