"""Backpropagation against centered finite differences, for every activation x output x loss,
with and without L2, on nets with 0, 1 and several hidden layers of different widths.

Tolerance: relative error ||backprop - numeric|| / (||backprop|| + ||numeric||) < 1e-7 per
parameter. With h = 1e-5 in float64 the truncation error is O(h^2) ~ 1e-10 and the rounding
error ~ 1e-16 / h ~ 1e-11, so 1e-7 leaves a wide margin while any wrong term (a missing
factor of 2, a transposed matrix, a wrong derivative) gives errors of order 1e-2..1.
"""

import dataclasses

import numpy as np
import pytest

from ffnn import ACTIVATIONS, Network, gradient_check
from ffnn.gradcheck import numerical_gradient, rel_error
from ffnn.losses import valid_pairs

TOL = 1e-7
ARCHS = {"no hidden": [3, 4], "one hidden": [3, 5, 4], "three hidden": [3, 6, 2, 5, 4]}


def data(k=4, N=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, 3)), rng.integers(0, k, N)


def randomise_biases(net, seed=1):
    # Zero biases can put a ReLU exactly on its kink (a dead unit upstream gives A = b = 0),
    # where the derivative does not exist and finite differences see half a slope.
    rng = np.random.default_rng(seed)
    for b in net.b:
        b[...] = rng.uniform(-0.5, 0.5, b.shape)


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("output, loss", valid_pairs())
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_backprop_matches_finite_differences(activation, output, loss, l2, arch):
    net = Network(ARCHS[arch], activation=activation, output=output, loss=loss, l2=l2, seed=3)
    randomise_biases(net)
    X, y = data()
    report = gradient_check(net, X, y, h=1e-5, tolerance=TOL)
    assert len(report) == 2 * net.L
    assert report["passed"].all(), report.to_string()


def test_mixed_activations_per_layer():
    net = Network([3, 5, 6, 4, 4], activation=["sigmoid", "relu", "tanh"], seed=2)
    randomise_biases(net)
    X, y = data()
    assert gradient_check(net, X, y, tolerance=TOL)["passed"].all()


@pytest.mark.parametrize("output", ["sigmoid", "linear"])
def test_real_and_binary_targets(output):
    # Regression targets (N, k) and, for sigmoid, one 0/1 output with integer labels.
    rng = np.random.default_rng(5)
    X = rng.normal(size=(10, 3))
    net = Network([3, 4, 2], activation="tanh", output=output, loss="squared_error", seed=1)
    Y = rng.uniform(0, 1, (10, 2))
    assert gradient_check(net, X, Y, tolerance=TOL)["passed"].all()
    if output == "sigmoid":
        net1 = Network([3, 4, 1], output="sigmoid", loss="cross_entropy", seed=1)
        assert gradient_check(net1, X, rng.integers(0, 2, 10), tolerance=TOL)["passed"].all()


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    # The check must be able to fail: break tanh' by a factor of 2 and it reports failures.
    broken = dataclasses.replace(ACTIVATIONS["tanh"], grad=lambda A, H: 2 * (1 - H * H))
    monkeypatch.setitem(ACTIVATIONS, "tanh", broken)
    net = Network([3, 5, 4], activation="tanh", seed=0)
    X, y = data()
    report = gradient_check(net, X, y, tolerance=TOL)
    assert not report.loc[report.layer == 1, "passed"].any()
    assert report.loc[report.param == "W2", "passed"].all()   # the last layer is unaffected


def test_float32_network_is_checked_in_float64():
    net = Network([3, 5, 4], dtype="float32", seed=0)
    X, y = data()
    report = gradient_check(net, X, y, tolerance=TOL)
    assert report["passed"].all()
    assert net.theta.dtype == np.float32      # the caller's net is untouched


def test_numerical_gradient_of_a_known_function():
    # One linear output, squared error, one example: L = (w x + b - t)^2, dL/dw = 2 (wx+b-t) x.
    net = Network([1, 1], output="linear", loss="squared_error")
    net.W[0][...] = 0.5
    net.b[0][...] = 0.25
    X, y = np.array([[2.0]]), np.array([3.0])
    r = 0.5 * 2.0 + 0.25 - 3.0
    np.testing.assert_allclose(numerical_gradient(net, X, y), [2 * r * 2.0, 2 * r], rtol=1e-8)


def test_rel_error_scale():
    a = np.array([1.0, 2.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(a, -a) == pytest.approx(1.0)
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0


def test_valid_pairs_are_every_output_and_loss_but_linear_cross_entropy():
    assert sorted(valid_pairs()) == [
        ("linear", "squared_error"),
        ("sigmoid", "cross_entropy"), ("sigmoid", "squared_error"),
        ("softmax", "cross_entropy"), ("softmax", "squared_error")]
    with pytest.raises(ValueError, match="cross_entropy"):
        Network([2, 3], output="linear", loss="cross_entropy")


def test_relu_kinks_are_flagged_where_finite_differences_straddle_them():
    # Zero biases after dead ReLUs put pre-activations exactly at 0, the kink: there the
    # numerical derivative is an average of two slopes and the check fails with backprop right.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 3, 20)
    net = Network([2, 5, 4, 6, 3], activation="relu", l2=0.1, seed=1)
    report = gradient_check(net, X, y, tolerance=TOL)
    failed = report[~report.passed]
    assert len(failed) and (failed.near_kinks > 0).all()
    randomise_biases(net)                      # move off the kinks: everything passes
    report = gradient_check(net, X, y, tolerance=TOL)
    assert report.passed.all() and (report.near_kinks == 0).all()
