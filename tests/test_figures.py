"""Tests of the figure builders: what each figure holds (values, ranges, traces, colours), read
back from the returned go.Figure, on hand-made inputs and on real Trainer histories."""

import base64
import subprocess
import sys

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from ffnn import Network, Trainer
from ffnn.datasets import make_dataset
from ffnn.figures import (
    CLASS_COLORS,
    DIVERGING,
    LAYER_COLORS,
    SIGN_COLORS,
    accuracy_curves,
    bias_label,
    decision_boundary,
    gradient_norms,
    layer_color,
    loss_curves,
    matrix_heatmaps,
    network_graph,
    param_heatmaps,
    shape_label,
    update_ratio,
)
from ffnn.figures.boundary import _FULL, _LIGHT, CAP
from ffnn.figures.palette import mix, rgb
from ffnn.figures.png import decode_png, encode_png
from ffnn.grid import predict_grid

WIDE = [2, 32, 32, 32, 32, 32, 32, 3]  # 6 hidden layers of 32: the largest net the app draws


# ---- fixtures: real runs of the engine ------------------------------------------------------

@pytest.fixture(scope="module")
def circle():
    return make_dataset("circle", n_samples=200, seed=0)


@pytest.fixture(scope="module")
def run(circle):
    """A classification run with test data and two mid-run changes (events)."""
    net = Network([2, 6, 6, 2], seed=0)
    tr = Trainer(net, circle.X_train, circle.y_train, lr=0.3, X_test=circle.X_test,
                 y_test=circle.y_test, max_iterations=200)
    tr.step(40)
    tr.lr = 0.1
    tr.step(20)
    tr.set_optimizer("momentum")
    tr.step(10)
    return tr


@pytest.fixture(scope="module")
def regression_run():
    ds = make_dataset("plane", n_samples=100, seed=0)
    net = Network([2, 4, 1], output="linear", loss="squared_error", seed=0)
    tr = Trainer(net, ds.X_train, ds.y_train, lr=0.05, max_iterations=50)
    tr.step(20)
    return ds, tr


def traces(fig, kind):
    return [t for t in fig.data if t.type == kind]


def valid(fig):
    """Rebuild the figure with plotly's validation on: the builders skip it for speed, so a
    misspelt property would otherwise reach the browser unnoticed."""
    go.Figure(fig.to_dict())
    fig.to_json()
    return fig


# ---- palette --------------------------------------------------------------------------------

def test_palette_colours_are_distinct_and_used_the_same_way():
    assert len(set(LAYER_COLORS)) == len(LAYER_COLORS) >= 8
    assert layer_color(1) == LAYER_COLORS[0]
    assert layer_color(len(LAYER_COLORS) + 2) == layer_color(2)       # cycles for deep nets
    # Okabe-Ito; binary classes as in Playground: class 0 orange, class 1 blue
    assert CLASS_COLORS[:2] == ("#E69F00", "#0072B2") and len(CLASS_COLORS) == 8
    # weights: positive blue, negative orange; the diverging scale runs from - to + via white
    assert DIVERGING[0][1] == SIGN_COLORS["negative"]
    assert DIVERGING[-1][1] == SIGN_COLORS["positive"]
    assert (DIVERGING[0][0], DIVERGING[-1][0]) == (0.0, 1.0)
    assert any(pos == 0.5 for pos, _ in DIVERGING)


# ---- decision boundary ----------------------------------------------------------------------

def boundary(Z, **kw):
    G = Z.shape[0]
    xs = np.linspace(-6, 6, G)
    args = {"task": "classification", "n_classes": max(Z.shape[-1], 2),
            "points_train": np.zeros((0, 2)), "y_train": np.zeros(0, dtype=int)} | kw
    return valid(decision_boundary(xs, xs.copy(), Z, **args))


def regions(fig):
    """The decision regions' picture -> (RGBA (G, G, 4) with row i = ys[i], the image dict)."""
    (img,) = [i for i in fig.layout.images if i.name == "regions"]
    head, data = img.source.split(",", 1)
    assert head == "data:image/png;base64"
    return decode_png(base64.b64decode(data))[::-1], img


def expected_rgba(cls, conf, k=3):
    """Colour of a cell by hand: class colour mixed toward white, _LIGHT at confidence 0 to
    _FULL at confidence 1 (both from ffnn.figures.boundary)."""
    light = np.array(rgb(mix(CLASS_COLORS[cls], t=_LIGHT)), dtype=float)
    full = np.array(rgb(mix(CLASS_COLORS[cls], t=_FULL)), dtype=float)
    return [*np.rint(light + (full - light) * conf), 255]


def test_regions_picture_covers_the_grid_from_predict_grid(circle):
    net = Network([2, 4, 2], seed=1)
    xs, ys, Z = predict_grid(net, resolution=30)
    fig = boundary(Z, points_train=circle.points_train, y_train=circle.y_train)
    rgba, img = regions(fig)
    assert rgba.shape == (30, 30, 4)
    assert not traces(fig, "heatmap")                        # the points are the only traces
    dx = xs[1] - xs[0]
    # the picture's cells are centred on the grid points, like a heatmap's
    assert img.x == pytest.approx(xs[0] - dx / 2) and img.sizex == pytest.approx(12 + dx)
    assert img.y == pytest.approx(ys[-1] + dx / 2) and img.layer == "below"
    # each cell has its argmax class's hue: compare with the class colours by hand
    cls = Z.argmax(axis=-1)
    conf = np.clip((Z.max(axis=-1) - 0.5) / 0.5, 0, CAP) / CAP
    for i, j in [(0, 0), (15, 15), (29, 3), (7, 22)]:
        np.testing.assert_allclose(rgba[i, j], expected_rgba(cls[i, j], conf[i, j]), atol=1)


def test_colour_is_class_plus_confidence_by_hand():
    # 3 classes; confidence = (p_max - 1/3) / (1 - 1/3)
    Z = np.array([[[0.2, 0.5, 0.3], [1 / 3, 1 / 3, 1 / 3]],
                  [[0.1, 0.1, 0.8], [0.9, 0.05, 0.05]]])
    rgba, _ = regions(boundary(Z))
    np.testing.assert_allclose(rgba[0, 0], expected_rgba(1, (0.5 - 1 / 3) / (2 / 3)), atol=1)
    np.testing.assert_allclose(rgba[0, 1], expected_rgba(0, 0.0), atol=1)   # a tie: palest
    np.testing.assert_allclose(rgba[1, 0], expected_rgba(2, (0.8 - 1 / 3) / (2 / 3)), atol=1)
    np.testing.assert_allclose(rgba[1, 1], expected_rgba(0, (0.9 - 1 / 3) / (2 / 3)), atol=1)


def test_single_sigmoid_output_is_p_of_class_1():
    # k = 1: Z = p(class 1); p(class 0) = 1 - Z; two classes, so confidence = 2 p_max - 1
    Z = np.array([[[0.9], [0.2]], [[0.5], [0.6]]])
    rgba, _ = regions(boundary(Z, n_classes=2))
    np.testing.assert_allclose(rgba[0, 0], expected_rgba(1, 0.8), atol=1)
    np.testing.assert_allclose(rgba[0, 1], expected_rgba(0, 0.6), atol=1)
    np.testing.assert_allclose(rgba[1, 0], expected_rgba(1, 0.0), atol=1)
    np.testing.assert_allclose(rgba[1, 1], expected_rgba(1, 0.2), atol=1)


def test_discretize_gives_full_colours():
    Z = np.array([[[0.4, 0.35, 0.25], [0.2, 0.7, 0.1]],
                  [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]])
    rgba, _ = regions(boundary(Z, discretize=True))
    for (i, j), c in {(0, 0): 0, (0, 1): 1, (1, 0): 0, (1, 1): 2}.items():
        np.testing.assert_allclose(rgba[i, j], expected_rgba(c, 1.0), atol=1)
    certain, _ = regions(boundary(Z))                         # p = 1 is full colour too
    np.testing.assert_allclose(certain[1, 1], expected_rgba(2, 1.0), atol=1)


def test_non_finite_outputs_leave_blank_cells():
    # a diverged net's NaN outputs: transparent cells, no cast warning, the others unchanged
    Z = np.array([[[np.nan, np.nan], [0.3, 0.7]], [[0.5, 0.5], [1.0, 0.0]]])
    rgba, _ = regions(boundary(Z))
    assert rgba[0, 0, 3] == 0 and rgba[0, 1, 3] == 255
    np.testing.assert_allclose(rgba[0, 1], expected_rgba(1, 0.4), atol=1)


def test_points_are_redrawn_only_when_they_change(circle):
    # datarevision tells Plotly the traces are unchanged between frames: it must stay the same
    # when only Z changes and differ when the points or the test toggle change.
    kw = {"points_train": circle.points_train, "y_train": circle.y_train,
          "points_test": circle.points_test, "y_test": circle.y_test}
    a = boundary(np.full((4, 4, 2), 0.5), **kw).layout.datarevision
    b = boundary(np.full((4, 4, 2), 0.9), **kw).layout.datarevision
    c = boundary(np.full((4, 4, 2), 0.9), show_test=True, **kw).layout.datarevision
    moved = dict(kw, points_train=circle.points_train + 0.1)
    d = boundary(np.full((4, 4, 2), 0.9), **moved).layout.datarevision
    assert a == b and len({b, c, d}) == 3


def test_png_round_trip():
    rgba = np.random.default_rng(0).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(encode_png(rgba)), rgba)


def test_points_coloured_by_class_and_test_points_only_when_asked(circle):
    Z = np.full((4, 4, 2), 0.5)
    kw = {"points_train": circle.points_train, "y_train": circle.y_train,
          "points_test": circle.points_test, "y_test": circle.y_test}
    hidden = boundary(Z, **kw)
    shown = boundary(Z, show_test=True, **kw)
    train = traces(hidden, "scatter")
    assert [t.name for t in train] == ["class 0", "class 1"]
    assert [t.marker.color for t in train] == list(CLASS_COLORS[:2])
    assert sum(len(t.x) for t in train) == len(circle.points_train)
    assert not any(t.legendgroup == "test" for t in hidden.data)
    test = [t for t in shown.data if t.legendgroup == "test" and t.x[0] is not None]
    assert sum(len(t.x) for t in test) == len(circle.points_test)
    # a class has a shape of its own as well as a colour; a test point a thicker outline
    assert [t.marker.symbol for t in train] == ["circle", "square"]
    assert [t.marker.symbol for t in test] == ["circle", "square"]
    assert all(t.marker.line.width > train[0].marker.line.width for t in test)


def test_axes_are_fixed_and_square():
    fig = boundary(np.full((3, 3, 2), 0.5), extent=5.0)
    assert list(fig.layout.xaxis.range) == [-5.0, 5.0] == list(fig.layout.yaxis.range)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.uirevision == boundary(np.zeros((3, 3, 2))).layout.uirevision
    assert fig.layout.template.layout.plot_bgcolor == "white"   # plotly_white
    assert not any(t.type == "scattergl" for t in fig.data)    # WebGL redraws too slowly


def test_regression_surface_on_the_diverging_scale(regression_run):
    ds, tr = regression_run
    xs, ys, Z = predict_grid(tr.net, resolution=20)
    fig = valid(decision_boundary(xs, ys, Z, task="regression", n_classes=None,
                                  points_train=ds.points_train, y_train=ds.y_train,
                                  points_test=ds.points_test, y_test=ds.y_test, show_test=True))
    (heat,) = traces(fig, "heatmap")
    assert (heat.zmin, heat.zmax) == (-1, 1)
    np.testing.assert_allclose(heat.z, Z[..., 0], rtol=1e-6)
    assert [c for _, c in heat.colorscale] == [c for _, c in DIVERGING]
    train, test = traces(fig, "scatter")
    np.testing.assert_allclose(train.marker.color, ds.y_train, rtol=1e-6)
    assert (train.marker.cmin, train.marker.cmax) == (-1, 1)
    assert len(test.x) == len(ds.points_test)


# ---- loss and accuracy curves ---------------------------------------------------------------

def test_loss_curves_one_point_per_history_row(run):
    h = run.history
    fig = valid(loss_curves(h, events=run.events, max_iterations=run.max_iterations))
    train, test = fig.data
    assert len(train.x) == len(train.y) == len(h) == 70
    # a row of update s holds L(θ_{s-1}), the loss the update started from: drawn at s - 1
    np.testing.assert_array_equal(train.x, h["step"] - 1)
    np.testing.assert_array_equal(train.y, h["train_loss"])
    np.testing.assert_array_equal(test.y, h["test_loss"])
    assert list(fig.layout.xaxis.range) == [0, 200]
    assert fig.layout.hovermode == "x unified"


def test_the_current_theta_is_the_last_point_and_at_t_0_the_only_one():
    """L(θ_t) at t from the probe: a curve is never empty, and it ends at the current θ."""
    from ffnn import Network, Trainer
    from ffnn.probe import probe
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), rng.integers(0, 2, 40)
    tr = Trainer(Network([2, 3, 2]), X, y, X_test=X[:10], y_test=y[:10])
    at_0 = probe(tr)
    assert at_0["train_loss"] == pytest.approx(tr.net.loss(X, y))    # L(θ₀) itself
    fig = loss_curves(tr.history, now=at_0)
    train, test = fig.data
    assert list(train.x) == [0] and list(train.y) == [at_0["train_loss"]]
    assert list(test.y) == [pytest.approx(tr.net.loss(X[:10], y[:10]))]
    assert "at θ₀" in train.text[0]                    # a lone point says what it is
    tr.step(5)
    fig = loss_curves(tr.history, now=probe(tr))
    train = fig.data[0]
    assert list(train.x) == [0, 1, 2, 3, 4, 5]
    assert train.y[0] == pytest.approx(at_0["train_loss"])
    assert train.y[-1] == pytest.approx(tr.net.loss(X, y))           # L(θ₅), after 5 updates
    norms = gradient_norms(tr.history, 2, now=probe(tr)).data[0]
    assert list(norms.x) == [0, 1, 2, 3, 4, 5]
    _, dW, _ = tr.net.gradients(X, y)
    assert norms.y[-1] == pytest.approx(np.linalg.norm(dW[0]))       # ‖∇W₁‖ at θ₅


def test_events_are_dotted_lines_at_their_steps(run):
    fig = loss_curves(run.history, events=run.events)
    assert len(run.events) == 2
    assert [s.x0 for s in fig.layout.shapes] == [e.t for e in run.events] == [40, 60]
    assert all(s.line.dash == "dot" for s in fig.layout.shapes)
    assert [a.text for a in fig.layout.annotations] == [e.text for e in run.events]
    assert "η 0.3 → 0.1" in fig.layout.annotations[0].text


def test_loss_log_axis_hides_non_positive_values():
    h = pd.DataFrame({"step": [1, 2, 3], "train_loss": [1.0, 0.0, -1.0]})
    fig = valid(loss_curves(h, log_y=True))
    assert fig.layout.yaxis.type == "log"
    y = fig.data[0].y
    assert y[0] == 1.0 and np.isnan(y[1]) and np.isnan(y[2])
    # without max_iterations the x axis ends at the last step
    assert list(fig.layout.xaxis.range) == [0, 3]


def test_no_test_loss_without_test_data(regression_run):
    _, tr = regression_run
    fig = loss_curves(tr.history)
    assert [t.name for t in fig.data] == ["train loss"]


def test_accuracy_curves(run, regression_run):
    fig = valid(accuracy_curves(run.history, events=run.events))
    assert list(fig.layout.yaxis.range) == [0, 1.02]
    np.testing.assert_array_equal(fig.data[0].y, run.history["train_acc"])
    assert len(fig.layout.shapes) == len(run.events)
    # regression has no accuracy: a note instead of empty axes
    note = valid(accuracy_curves(regression_run[1].history))
    assert not note.data
    assert note.layout.annotations[0].text == "no accuracy for regression"


def test_empty_history_gives_valid_figures(circle):
    # before the first step the dashboard still draws every chart
    net = Network([2, 3, 2])
    h = Trainer(net, circle.X_train, circle.y_train).history
    assert len(h) == 0
    for fig in (loss_curves(h), loss_curves(h, log_y=True), accuracy_curves(h),
                gradient_norms(h, net.L), update_ratio(h, net.L)):
        valid(fig)
        assert list(fig.layout.xaxis.range) == [0, 1]
    assert valid(gradient_norms(pd.DataFrame(), 2))            # no columns at all


# ---- gradients ------------------------------------------------------------------------------

def test_gradient_norms_one_solid_line_per_layer(run):
    L = run.net.L
    for _ in range(2):                                       # the same colours on every call
        fig = valid(gradient_norms(run.history, L))
        solid = [t for t in fig.data if t.line.dash == "solid"]
        assert [t.name for t in solid] == ["‖∇W₁‖", "‖∇W₂‖", "‖∇W₃‖"]
        assert [t.line.color for t in solid] == [layer_color(l) for l in range(1, L + 1)]
        dotted = [t for t in fig.data if t.line.dash == "dot"]
        assert [t.name for t in dotted] == ["‖∇b₁‖", "‖∇b₂‖", "‖∇b₃‖"]
        assert [t.line.color for t in dotted] == [t.line.color for t in solid]
        assert fig.layout.yaxis.type == "log"
    np.testing.assert_array_equal(solid[1].y, run.history["grad_W2"])
    assert len(gradient_norms(run.history, L, show_bias=False).data) == L


def test_gradient_norms_zero_becomes_a_gap_on_log_only():
    h = pd.DataFrame({"step": [1, 2], "grad_W1": [0.5, 0.0], "grad_b1": [0.1, 0.2]})
    assert np.isnan(gradient_norms(h, 1).data[0].y[1])
    assert gradient_norms(h, 1, log_y=False).data[0].y[1] == 0.0


def test_update_ratio_is_lr_times_grad_over_norm(run):
    h = run.history
    fig = valid(update_ratio(h, run.net.L))
    for l in range(1, run.net.L + 1):
        expected = h["lr"] * h[f"grad_W{l}"] / h[f"norm_W{l}"]
        np.testing.assert_allclose(fig.data[l - 1].y, expected, rtol=1e-12)
    # lr changed mid-run: the ratio uses each row's own η
    assert set(h["lr"]) == {0.3, 0.1}
    ref = fig.data[-1]
    assert list(ref.y) == [1e-3, 1e-3] and ref.line.dash == "dash"
    assert "1e-3" in ref.text[-1]
    assert fig.layout.yaxis.type == "log"


def test_update_ratio_without_weights_is_a_gap():
    # a zero-initialised W_l has no ratio (and no division warning: pytest turns it to an error)
    h = pd.DataFrame({"step": [1, 2], "lr": [0.1, 0.1], "grad_W1": [1.0, 1.0],
                      "norm_W1": [0.0, 2.0]})
    y = update_ratio(h, 1).data[0].y
    assert np.isnan(y[0]) and y[1] == pytest.approx(0.05)


# ---- matrices -------------------------------------------------------------------------------

def test_matrix_heatmaps_one_per_matrix_symmetric_ranges():
    mats = [np.array([[1.0, -3.0], [2.0, 0.5], [0.0, 0.0]]), np.zeros((2, 2)),
            np.array([0.2, -0.1])]
    fig = valid(matrix_heatmaps(mats, ["A", "B", "c"]))
    heats = traces(fig, "heatmap")
    assert len(heats) == 3
    assert (heats[0].zmin, heats[0].zmax) == (-3.0, 3.0)     # max |value|, centred at 0
    assert (heats[1].zmin, heats[1].zmax) == (-1.0, 1.0)     # all-zero matrix: guarded
    assert heats[2].z.shape == (1, 2)                        # a bias: one row
    # rows = fan_in, columns = fan_out, both counted from 1 in the hover
    assert list(heats[0].x) == [1, 2] and list(heats[0].y) == [1, 2, 3]
    assert heats[0].hovertemplate.startswith("row %{y}, col %{x}: %{z")
    assert [a.text.split("<br>")[0] for a in fig.layout.annotations] == ["A", "B", "c"]
    # each heatmap on its own axes, rows drawn top to bottom like a matrix
    assert [h.xaxis for h in heats] == ["x", "x2", "x3"]
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]


def test_matrix_heatmaps_wrap_and_keep_cells_equal():
    mats = [np.ones((4, 4)) * (i + 1) for i in range(7)]
    fig = valid(matrix_heatmaps(mats, [f"M{i}" for i in range(7)]))
    assert len(traces(fig, "heatmap")) == 7
    tops = [fig.layout[f"yaxis{'' if i == 0 else i + 1}"].domain[1] for i in range(7)]
    assert len(set(tops[:4])) == 1 and len(set(tops[4:])) == 1 and tops[4] < tops[0]
    widths = {round(np.diff(fig.layout[f"xaxis{'' if i == 0 else i + 1}"].domain)[0], 9)
              for i in range(7)}
    assert len(widths) == 1


def test_shape_labels_follow_the_lecture():
    sizes = [2, 8, 8, 3]
    assert shape_label(sizes, 1) == "W₁ ∈ ℝ<sup>2×8</sup>"
    assert shape_label(sizes, 2) == "W₂ ∈ ℝ<sup>8×8</sup> (ℝ<sup>n×n</sup>)"
    assert shape_label(sizes, 3) == "W₃ ∈ ℝ<sup>8×3</sup> (ℝ<sup>n×k</sup>)"
    assert shape_label(sizes, 3, name="∇W") == "∇W₃ ∈ ℝ<sup>8×3</sup> (ℝ<sup>n×k</sup>)"
    assert bias_label(sizes, 2) == "b₂ ∈ ℝ<sup>8</sup> (ℝ<sup>n</sup>)"
    assert bias_label(sizes, 3) == "b₃ ∈ ℝ<sup>3</sup> (ℝ<sup>k</sup>)"


# ---- the network as a graph, and θ as heatmaps ------------------------------------------------

def test_network_graph_hover_names_each_weight():
    net = Network([2, 3, 2], seed=0)
    net.W[0][...] = [[0.5, -0.42, 0.1], [0.2, 0.3, -0.9]]
    fig = valid(network_graph(net.W, net.b, net.sizes))
    hover = {t.name: t for t in fig.data if t.customdata is not None}
    assert set(hover) == {"W₁", "W₂"}
    rows = {(int(i), int(j)): w for i, j, w in hover["W₁"].customdata}
    assert rows[(1, 2)] == pytest.approx(-0.42) and rows[(2, 3)] == pytest.approx(-0.9)
    assert len(rows) == 6
    assert hover["W₁"].hovertemplate.startswith("W₁[%{customdata[0]}, %{customdata[1]}] = ")
    assert len(hover["W₂"].customdata) == 3 * 2


def test_network_graph_edges_colour_by_sign_and_width_by_size():
    W = [np.array([[1.0, -1.0], [0.05, -0.05]])]
    fig = network_graph(W, [np.zeros(2)], [2, 2])
    edges = [t for t in fig.data if t.mode == "lines"]
    by_colour = {}
    for t in edges:
        n_segments = len(t.x) // 3                            # x0, x1, gap per segment
        by_colour.setdefault(t.line.color, []).append((t.line.width, n_segments))
    # one big and one small weight of each sign, the big one drawn thicker
    for sign in ("positive", "negative"):
        (thin, one), (thick, other) = sorted(by_colour[SIGN_COLORS[sign]])
        assert thin < thick and one == other == 1


def test_network_graph_nodes_show_biases_and_layers():
    net = Network([2, 4, 3], activation="relu", output="softmax", seed=0)
    net.b[0][...] = [0.5, -1.0, 0.0, 0.25]
    fig = network_graph(net.W, net.b, net.sizes, activations=net.activation, output="softmax",
                        input_labels=["x₁", "x₂"])
    units = next(t for t in fig.data if t.name == "units")
    np.testing.assert_array_equal(units.marker.color[:4], net.b[0])
    assert (units.marker.cmin, units.marker.cmax) == (-1.0, 1.0)
    assert units.text[1] == "b₁[2] = -1"
    inputs = next(t for t in fig.data if t.name == "inputs")
    assert list(inputs.text) == ["x₁", "x₂"]
    labels = [a.text for a in fig.layout.annotations]
    assert labels == ["input", "layer 1<br>relu", "layer 2: output<br>softmax"]
    assert not fig.layout.xaxis.visible and not fig.layout.yaxis.visible


@pytest.mark.parametrize("sizes", [WIDE, [4, 8, 8, 8, 8, 8, 8, 8, 3], [2, 1]])
def test_network_graph_stays_small_for_big_nets(sizes):
    net = Network(sizes, seed=0)
    fig = valid(network_graph(net.W, net.b, net.sizes))
    edges = [t for t in fig.data if t.mode == "lines"]
    assert 1 <= len(edges) <= 10                              # (5 width bins) x (2 signs)
    n_weights = sum(W.size for W in net.W)
    assert sum(len(t.x) for t in edges) == 3 * n_weights
    assert sum(len(t.customdata) for t in fig.data if t.customdata is not None) == n_weights


def test_param_heatmaps_put_each_bias_under_its_weights():
    net = Network([2, 8, 8, 3], seed=0)
    fig = valid(param_heatmaps(net.W, net.b))
    heats = traces(fig, "heatmap")
    assert len(heats) == 2 * net.L
    for l in range(net.L):
        np.testing.assert_array_equal(heats[l].z, net.W[l])
        np.testing.assert_array_equal(heats[net.L + l].z, net.b[l][None, :])
        W_axis = fig.layout[f"xaxis{'' if l == 0 else l + 1}"]
        b_axis = fig.layout[f"xaxis{net.L + l + 1}"]
        assert list(W_axis.domain) == pytest.approx(list(b_axis.domain))
    titles = [a.text.split("<br>")[0] for a in fig.layout.annotations]
    assert titles[:3] == ["W₁ ∈ ℝ<sup>2×8</sup>", "W₂ ∈ ℝ<sup>8×8</sup> (n×n)",
                          "W₃ ∈ ℝ<sup>8×3</sup> (n×k)"]                # the lecture's shape
    assert titles[3:] == ["b₁ ∈ ℝ<sup>8</sup> (n)", "b₂ ∈ ℝ<sup>8</sup> (n)",
                          "b₃ ∈ ℝ<sup>3</sup> (k)"]
    # the second line in words, 12 px: "colour scale ±0.017"
    top = float(np.abs(net.W[1]).max())
    small = fig.layout.annotations[1].text.split("<br>")[1]
    assert "font-size:12px" in small and f">colour scale ±{top:.2g}</span>" in small


def test_param_heatmaps_wrap_deep_nets():
    net = Network(WIDE, seed=0)
    fig = valid(param_heatmaps(net.W, net.b))
    assert len(traces(fig, "heatmap")) == 2 * net.L


# ---- the package's contract -----------------------------------------------------------------

def test_figures_never_import_streamlit():
    code = "import sys, ffnn.figures; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_the_loss_axis_turns_log_once_a_loss_passes_1e4():
    """A diverging run: on a linear axis every loss before the blow-up lies flat at 0."""
    import pandas as pd

    from ffnn.figures.curves import LOG_ABOVE, loss_curves
    calm = pd.DataFrame({"step": [1, 2, 3], "epoch": [1, 2, 3], "train_loss": [1.0, 50.0, 1e4]})
    assert loss_curves(calm).layout.yaxis.type == "linear"
    wild = calm.assign(train_loss=[1.0, 50.0, LOG_ABOVE * 1.01])
    assert loss_curves(wild).layout.yaxis.type == "log"
