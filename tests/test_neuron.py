"""One sigmoid neuron f(x) = σ(wx + b), θ = [w, b] (ffnn.neuron): the error surface against values
worked out by hand with math.exp, and the gradient-descent path against the chain rule written
out by hand and against the engine's Trainer run directly."""

import math

import numpy as np
import pytest

from ffnn import OPTIMIZERS, Network, Trainer
from ffnn.neuron import (
    X_DATA,
    Y_DATA,
    descent_path,
    gradient,
    loss_surface,
    loss_values,
)

X, Y = [0.5, 2.5], [0.2, 0.9]      # CS7015's two points, written out


def s(a):
    return 1.0 / (1.0 + math.exp(-a))


def se_by_hand(w, b):
    """(1/N) Σ (σ(w x_i + b) - y_i)², N = 2."""
    return ((s(0.5 * w + b) - 0.2) ** 2 + (s(2.5 * w + b) - 0.9) ** 2) / 2


def ce_by_hand(w, b):
    f1, f2 = s(0.5 * w + b), s(2.5 * w + b)
    return -(0.2 * math.log(f1) + 0.8 * math.log(1 - f1)
             + 0.9 * math.log(f2) + 0.1 * math.log(1 - f2)) / 2


def grad_by_hand(w, b):
    """The chain rule for the squared error: ∂L/∂w = (2/N) Σ (f - y) f (1 - f) x, ∂L/∂b the same
    without the x."""
    gw = gb = 0.0
    for x, y in zip(X, Y):
        f = s(w * x + b)
        gw += 2 / 2 * (f - y) * f * (1 - f) * x
        gb += 2 / 2 * (f - y) * f * (1 - f)
    return gw, gb


def test_default_data_is_the_classic_example():
    np.testing.assert_array_equal(X_DATA, X)
    np.testing.assert_array_equal(Y_DATA, Y)


def test_loss_surface_at_w1_b0_by_hand():
    # w from -4 to 6 and b from -5 to 5 in steps of 1: w = 1 is column 5, b = 0 is row 5
    ws, bs, L = loss_surface(X, Y, (-4, 6), (-5, 5), 11)
    assert ws.shape == bs.shape == (11,) and L.shape == (11, 11)
    assert ws[5] == 1 and bs[5] == 0
    by_hand = ((1 / (1 + math.exp(-0.5)) - 0.2) ** 2 + (1 / (1 + math.exp(-2.5)) - 0.9) ** 2) / 2
    assert L[5, 5] == pytest.approx(by_hand, rel=1e-12)
    # σ(0.5) = 0.622459, σ(2.5) = 0.924142: (0.422459² + 0.024142²) / 2 = 0.089527
    assert by_hand == pytest.approx(0.089527, abs=1e-6)


def test_loss_surface_rows_follow_b_and_columns_follow_w():
    _, _, L = loss_surface(X, Y, (-4, 6), (-5, 5), 11)
    assert L[4, 6] == pytest.approx(se_by_hand(2, -1), rel=1e-12)     # w = ws[6] = 2, b = -1
    assert L[6, 4] == pytest.approx(se_by_hand(0, 1), rel=1e-12)      # w = 0, b = bs[6] = 1
    assert se_by_hand(2, -1) != pytest.approx(se_by_hand(-1, 2))


def test_cross_entropy_surface_by_hand():
    _, _, L = loss_surface(X, Y, (-4, 6), (-5, 5), 11, loss="cross_entropy")
    assert L[5, 5] == pytest.approx(ce_by_hand(1, 0), rel=1e-12)
    assert L[0, 0] == pytest.approx(ce_by_hand(-4, -5), rel=1e-12)


@pytest.mark.parametrize("loss", ["squared_error", "cross_entropy"])
def test_loss_values_equal_the_engines_loss(loss):
    rng = np.random.default_rng(0)
    for w, b in rng.uniform(-6, 6, size=(5, 2)):
        net = Network([1, 1], output="sigmoid", loss=loss)
        net.W[0][0, 0], net.b[0][0] = w, b
        assert loss_values(X, Y, w, b, loss) == pytest.approx(
            net.loss(np.array(X)[:, None], np.array(Y)), rel=1e-12)


def test_cross_entropy_stays_finite_far_out():
    _, _, L = loss_surface(X, Y, (-300, 300), (-300, 300), 10, loss="cross_entropy")
    assert np.isfinite(L).all() and L.max() > 100


def test_first_step_is_w_minus_eta_grad_w_by_hand():
    eta = 1.0
    path = descent_path(X, Y, -2.0, -2.0, eta=eta, steps=3)
    gw, gb = grad_by_hand(-2.0, -2.0)
    assert path.shape == (4, 2)
    np.testing.assert_array_equal(path[0], [-2.0, -2.0])
    assert path[1, 0] == pytest.approx(-2.0 - eta * gw, rel=1e-12)
    assert path[1, 1] == pytest.approx(-2.0 - eta * gb, rel=1e-12)
    gw1, gb1 = grad_by_hand(*path[1])
    assert path[2] == pytest.approx([path[1, 0] - eta * gw1, path[1, 1] - eta * gb1], rel=1e-12)


def test_gradient_is_backprop_and_matches_the_chain_rule_and_finite_differences():
    for w, b in [(-2.0, -2.0), (1.0, 0.0), (1.79, -2.28), (4.0, 3.0)]:
        value, gw, gb = gradient(X, Y, w, b)
        assert value == pytest.approx(se_by_hand(w, b), rel=1e-12)
        assert (gw, gb) == pytest.approx(grad_by_hand(w, b), rel=1e-10)
        h = 1e-6     # centered differences in float64; tolerance 1e-7 relative
        fd_w = (loss_values(X, Y, w + h, b) - loss_values(X, Y, w - h, b)) / (2 * h)
        fd_b = (loss_values(X, Y, w, b + h) - loss_values(X, Y, w, b - h)) / (2 * h)
        assert (gw, gb) == pytest.approx((fd_w, fd_b), rel=1e-7, abs=1e-12)


@pytest.mark.parametrize("loss", ["squared_error", "cross_entropy"])
@pytest.mark.parametrize("optimizer", ["gd", "adam"])
def test_path_equals_a_trainer_run_by_hand(loss, optimizer):
    path = descent_path(X, Y, -2.0, -2.0, eta=0.3, optimizer=optimizer, steps=50, loss=loss)
    net = Network([1, 1], output="sigmoid", loss=loss)
    net.W[0][0, 0], net.b[0][0] = -2.0, -2.0
    tr = Trainer(net, np.array(X)[:, None], np.array(Y), lr=0.3, optimizer=optimizer,
                 max_iterations=50)
    expected = [(-2.0, -2.0)]
    for _ in range(50):
        tr.step(1)
        expected.append((net.W[0][0, 0], net.b[0][0]))
    np.testing.assert_array_equal(path, expected)


def test_the_classic_picture_plateau_then_valley():
    """From (-2, -2) with η = 1: hardly moving for the first 20 steps, then into the valley at the
    minimum σ(0.5w + b) = 0.2, σ(2.5w + b) = 0.9, i.e. w = ln(36)/2, b = ln(1/4) - w/2."""
    path = descent_path(X, Y, -2.0, -2.0, eta=1.0)
    assert path.shape == (1001, 2)
    assert np.abs(path[20] - path[0]).max() < 0.2
    w_star = math.log(36) / 2
    assert path[-1] == pytest.approx([w_star, math.log(0.25) - w_star / 2], abs=1e-3)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_runs_and_lowers_the_loss(optimizer):
    path = descent_path(X, Y, -2.0, -2.0, eta=0.1, optimizer=optimizer, steps=1000)
    assert path.shape == (1001, 2) and np.isfinite(path).all()
    losses = loss_values(X, Y, path[:, 0], path[:, 1])
    assert losses[-1] < 0.5 * losses[0]


def test_path_stops_where_the_engine_reports_divergence():
    # x = 1e150: the first update gives a finite θ₁ whose pre-activation overflows, so L(θ₁)
    # is not finite; the engine keeps θ₀, the last θ whose loss and gradient are finite
    path = descent_path([1e150], [0.9], 0.0, 0.0, eta=1e10, steps=10, loss="cross_entropy")
    assert path.shape == (1, 2) and np.isfinite(path).all()
    np.testing.assert_array_equal(path, [[0.0, 0.0]])


@pytest.mark.parametrize("kwargs, param", [
    ({"eta": 0}, "eta"), ({"eta": -1.0}, "eta"), ({"eta": math.inf}, "eta"),
    ({"eta": math.nan}, "eta"), ({"eta": "1"}, "eta"),
    ({"steps": 0}, "steps"), ({"steps": 10_001}, "steps"), ({"steps": 2.5}, "steps"),
    ({"optimizer": "sgd"}, "optimizer"), ({"loss": "hinge"}, "loss"),
    ({"w0": math.nan}, "w0"), ({"b0": math.inf}, "b0"), ({"w0": None}, "w0"),
    ({"x": [0.5]}, "x and y"), ({"x": [0.5, math.nan]}, "x"), ({"y": [[0.2, 0.9]]}, "y"),
    ({"y": [0.2, 1.5], "loss": "cross_entropy"}, "y"),
])
def test_descent_path_bad_inputs_name_the_parameter(kwargs, param):
    args = {"x": X, "y": Y, "w0": -2.0, "b0": -2.0, "eta": 1.0, "optimizer": "gd",
            "steps": 10, "loss": "squared_error"} | kwargs
    with pytest.raises(ValueError, match=param):
        descent_path(**args)


@pytest.mark.parametrize("kwargs, param", [
    ({"w_range": (1, 1)}, "w_range"), ({"w_range": (2, -2)}, "w_range"),
    ({"b_range": (0, math.inf)}, "b_range"), ({"b_range": 3}, "b_range"),
    ({"w_range": ("a", "b")}, "w_range"), ({"b_range": (1, 2, 3)}, "b_range"),
    ({"resolution": 9}, "resolution"), ({"resolution": 301}, "resolution"),
    ({"resolution": 50.0}, "resolution"), ({"loss": "mse"}, "loss"),
])
def test_loss_surface_bad_inputs_name_the_parameter(kwargs, param):
    args = {"x": X, "y": Y, "w_range": (-6, 6), "b_range": (-6, 6), "resolution": 20,
            "loss": "squared_error"} | kwargs
    with pytest.raises(ValueError, match=param):
        loss_surface(**args)


def test_resolution_limits_are_allowed():
    assert loss_surface(X, Y, resolution=10)[2].shape == (10, 10)
    assert loss_surface(X, Y, resolution=300)[2].shape == (300, 300)
