"""Tests of the grid helper: axes, the cached input matrix and its row order, and that
predict_grid puts net.forward at (xs[j], ys[i]) into Z[i, j]."""

import numpy as np
import pytest

from ffnn.datasets import feature_matrix
from ffnn.grid import grid_axes, grid_inputs, predict_grid


class StandIn:
    """A tiny net: tanh of an affine map, with different weights per input so that swapping
    x and y, or rows and columns, would show."""

    def __init__(self, n_in=2, k=3, seed=0):
        rng = np.random.default_rng(seed)
        self.sizes = [n_in, k]
        self.W = rng.normal(size=(n_in, k))
        self.b = rng.normal(size=k)

    def forward(self, X):
        return np.tanh(X @ self.W + self.b)


def test_grid_axes_span_minus_to_plus_extent():
    xs, ys = grid_axes(extent=2.0, resolution=5)
    np.testing.assert_allclose(xs, [-2, -1, 0, 1, 2])
    np.testing.assert_array_equal(xs, ys)
    assert xs is not ys


def test_grid_axes_defaults():
    xs, ys = grid_axes()
    assert xs.shape == ys.shape == (100,)
    assert xs[0] == -6 and xs[-1] == 6


def test_grid_inputs_row_order_has_x_varying_fastest():
    G = 4
    xs, ys = grid_axes(3.0, G)
    X = grid_inputs(("x1", "x2"), 3.0, G)
    assert X.shape == (G * G, 2)
    for r in range(G * G):
        assert tuple(X[r]) == (xs[r % G], ys[r // G])


def test_grid_inputs_hold_the_requested_features():
    xs, ys = grid_axes(1.5, 3)
    X = grid_inputs(("x2", "x1sq", "x1x2"), 1.5, 3)
    points = np.array([[x, y] for y in ys for x in xs])
    np.testing.assert_array_equal(X, np.column_stack(
        [points[:, 1], points[:, 0] ** 2, points[:, 0] * points[:, 1]]))


def test_grid_inputs_are_cached_and_read_only():
    a = grid_inputs(("x1", "x2"), 6.0, 50)
    assert grid_inputs(["x1", "x2"], 6, 50) is a  # a list and an int extent hit the same entry
    assert grid_inputs(("x1", "x2"), 6.0, 51) is not a
    assert not a.flags.writeable
    with pytest.raises(ValueError):
        a[0, 0] = 1.0


def test_predict_grid_puts_forward_of_xs_j_ys_i_into_z_i_j():
    net = StandIn(k=3)
    xs, ys, Z = predict_grid(net, extent=2.0, resolution=7)
    assert Z.shape == (7, 7, 3)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            np.testing.assert_allclose(Z[i, j], net.forward(np.array([[x, y]]))[0], rtol=1e-12)


def test_predict_grid_with_extra_features_and_one_output():
    feats = ("x1", "x2", "sin_x1", "x1x2")
    net = StandIn(n_in=4, k=1, seed=3)
    xs, ys, Z = predict_grid(net, feats, extent=4.0, resolution=9)
    assert Z.shape == (9, 9, 1)
    i, j = 2, 7
    expected = net.forward(feature_matrix([[xs[j], ys[i]]], feats))
    np.testing.assert_allclose(Z[i, j], expected[0], rtol=1e-12)


def test_predict_grid_default_resolution():
    xs, ys, Z = predict_grid(StandIn(k=2))
    assert xs.shape == ys.shape == (100,) and Z.shape == (100, 100, 2)


def test_predict_grid_refuses_a_width_mismatch():
    with pytest.raises(ValueError, match="features"):
        predict_grid(StandIn(n_in=3), ("x1", "x2"))


@pytest.mark.parametrize("net", [None, object(), np.eye(2)])
def test_predict_grid_refuses_a_non_network(net):
    with pytest.raises(ValueError, match="net"):
        predict_grid(net)


@pytest.mark.parametrize("param, value", [
    ("extent", 0), ("extent", -1.0), ("extent", float("inf")), ("extent", float("nan")),
    ("extent", "6"), ("extent", None),
    ("resolution", 1), ("resolution", 401), ("resolution", 10.0), ("resolution", True),
    ("resolution", "100"),
])
def test_bad_extent_or_resolution(param, value):
    with pytest.raises(ValueError, match=param):
        grid_axes(**{param: value})
    with pytest.raises(ValueError, match=param):
        grid_inputs(**{param: value})
    with pytest.raises(ValueError, match=param):
        predict_grid(StandIn(), **{param: value})


@pytest.mark.parametrize("features", [(), ("x1", "x1"), ("z",), "x1", None, [{"x1"}]])
def test_bad_features(features):
    with pytest.raises(ValueError, match="features"):
        grid_inputs(features)
    with pytest.raises(ValueError, match="features"):
        predict_grid(StandIn(), features)


def test_real_network_on_the_grid():
    from ffnn import Network

    feats = ("x1", "x2", "x1sq")
    net = Network([3, 3, 2], seed=0)
    xs, ys, Z = predict_grid(net, feats, resolution=20)
    assert Z.shape == (20, 20, 2)
    i, j = 13, 4
    expected = net.forward(feature_matrix([[xs[j], ys[i]]], feats))
    np.testing.assert_allclose(Z[i, j], expected[0], rtol=1e-10)
