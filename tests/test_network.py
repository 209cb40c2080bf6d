"""Network layout, initialisation, the forward pass by hand, in-place parameter edits, dtypes,
and the bounded history."""

import numpy as np
import pandas as pd
import pytest

from ffnn import INITS, Network, Trainer
from ffnn.history import History


def test_shapes_follow_the_lecture():
    # theta = W_1..W_L, b_1..b_L with W_i (fan_in, fan_out): W_L is n x k as the lecture writes.
    net = Network([2, 8, 8, 3])
    assert net.L == 3
    assert [W.shape for W in net.W] == [(2, 8), (8, 8), (8, 3)]
    assert [b.shape for b in net.b] == [(8,), (8,), (3,)]
    assert net.n_params == 2 * 8 + 8 * 8 + 8 * 3 + 8 + 8 + 3
    _, dW, db = net.gradients(np.zeros((4, 2)), [0, 1, 2, 0])
    assert [g.shape for g in dW] == [W.shape for W in net.W]
    assert [g.shape for g in db] == [b.shape for b in net.b]


def test_forward_by_hand():
    # One hidden tanh unit, two softmax outputs, written out with math only.
    net = Network([1, 1, 2], activation="tanh", output="softmax")
    net.W[0][...] = [[2.0]]
    net.b[0][...] = [-1.0]
    net.W[1][...] = [[1.0, -1.0]]
    net.b[1][...] = [0.5, 0.0]
    h = np.tanh(2.0 * 0.75 - 1.0)
    a = np.array([h + 0.5, -h])
    expected = np.exp(a) / np.exp(a).sum()
    np.testing.assert_allclose(net.forward([[0.75]])[0], expected, rtol=1e-14)


def test_in_place_edits_and_replaced_arrays_are_used():
    net = Network([2, 3, 2], output="linear", loss="squared_error")
    X = np.array([[1.0, 2.0]])
    net.W[0][...] = 0.0
    net.b[0][...] = 0.0
    net.W[1][...] = 1.0
    net.b[1][...] = [3.0, 4.0]
    np.testing.assert_allclose(net.forward(X), [[3.0, 4.0]])
    net.b[1] = np.array([5.0, 6.0])              # a new array in the list, not an in-place edit
    np.testing.assert_allclose(net.forward(X), [[5.0, 6.0]])
    np.testing.assert_allclose(net.theta[-2:], [5.0, 6.0])
    with pytest.raises(ValueError, match=r"b\[1\]"):
        net.b[1] = np.zeros(3)
        net.forward(X)


def test_theta_is_ordered_as_in_the_lecture():
    net = Network([2, 3, 2])
    flat = np.concatenate([W.ravel() for W in net.W] + list(net.b))
    np.testing.assert_array_equal(net.theta, flat)


@pytest.mark.parametrize("init", list(INITS))
def test_initialisation_is_deterministic(init):
    a, b = Network([2, 30, 20], init=init, seed=7), Network([2, 30, 20], init=init, seed=7)
    np.testing.assert_array_equal(a.theta, b.theta)
    if init != "zeros":
        assert not np.array_equal(a.theta, Network([2, 30, 20], init=init, seed=8).theta)
    assert all((b == 0).all() for b in a.b)


def test_initialisation_scales():
    big = [200, 300]
    W = Network(big, init="uniform").W[0]
    assert -0.5 <= W.min() and W.max() <= 0.5 and W.max() > 0.49
    r = np.sqrt(6 / (200 + 300))                        # Glorot & Bengio's bound
    W = Network(big, init="xavier").W[0]
    assert np.abs(W).max() <= r and np.abs(W).max() > 0.99 * r
    assert Network(big, init="he").W[0].std() == pytest.approx(np.sqrt(2 / 200), rel=0.03)
    assert Network(big, init="normal").W[0].std() == pytest.approx(0.1, rel=0.03)
    assert not Network(big, init="zeros").theta.any()


def test_float32_mode_stays_float32():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 2)), rng.integers(0, 3, 50)
    net = Network([2, 16, 3], dtype="float32", seed=0)
    tr = Trainer(net, X, y, lr=0.1, optimizer="adam")
    tr.step(10)
    assert net.theta.dtype == np.float32 and all(W.dtype == np.float32 for W in net.W)
    assert net.forward(X).dtype == np.float32
    ref = Network([2, 16, 3], seed=0)
    Trainer(ref, X, y, lr=0.1, optimizer="adam").step(10)
    np.testing.assert_allclose(net.theta, ref.theta, atol=1e-4)


def test_softmax_rows_are_distributions_even_for_huge_logits():
    net = Network([1, 3], output="softmax")
    net.W[0][...] = [[1e3, -1e3, 0.0]]
    Y = net.forward([[1.0], [-1.0], [1e3]])
    assert np.isfinite(Y).all()
    np.testing.assert_allclose(Y.sum(axis=1), 1.0)


def test_history_thins_but_keeps_first_and_latest():
    h = History(["step", "x"], capacity=8)
    for s in range(1, 101):
        row = h.next_row()
        row[:] = (s, s * 0.5)
        h.commit()
        steps = h.frame()["step"].tolist()
        assert steps[0] == 1 and steps[-1] == s and len(steps) <= 9
        assert steps == sorted(set(steps))
    assert h.stride >= 16


def test_trainer_history_is_bounded_over_a_long_run():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 2)), rng.integers(0, 2, 8)
    tr = Trainer(Network([2, 2]), X, y, lr=0.01, max_iterations=50_000, history_capacity=200)
    sizes = []
    for _ in range(10):
        tr.step(5_000)
        sizes.append(len(tr.history))
    assert tr.t == 50_000
    assert max(sizes) <= 201                       # stops growing
    assert tr.history["step"].iloc[-1] == 50_000   # the latest is never dropped
    assert tr.history["step"].iloc[0] == 1


def test_snapshots_rewind_to_the_theta_of_that_step():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 2, 30)
    tr = Trainer(Network([2, 3, 2], seed=5), X, y, lr=0.3, max_iterations=10_000)
    theta0 = tr.net.theta.copy()
    tr.step(5_000)
    steps, thetas = tr.snapshots()
    assert steps[0] == 0 and steps[-1] == 5_000
    assert len(steps) <= 1_000 and (np.diff(steps) > 0).all()
    np.testing.assert_array_equal(thetas[0], theta0)
    np.testing.assert_array_equal(thetas[-1], tr.net.theta)
    s, theta = tr.theta_at(1_234)
    again = Trainer(Network([2, 3, 2], seed=5), X, y, lr=0.3, max_iterations=10_000)  # replay
    again.step(s)
    np.testing.assert_array_equal(theta, again.net.theta)


def test_history_weight_norms_are_each_layers_own():
    # norm_W{l} is ||W_l||_F at theta_{t-1}: biases and other layers excluded, the last included.
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(10, 2)), rng.integers(0, 3, 10)
    net = Network([2, 4, 3, 3], seed=1)
    for b in net.b:
        b[...] = 5.0                       # large biases would show if they leaked in
    before = [np.linalg.norm(W) for W in net.W]
    tr = Trainer(net, X, y, lr=0.1)
    tr.step()
    row = tr.history.iloc[0]
    np.testing.assert_allclose([row[f"norm_W{l}"] for l in (1, 2, 3)], before, rtol=1e-12)


# ---- going back exactly -------------------------------------------------------------------

def _gd_run(**kw):
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(60, 2)), rng.integers(0, 3, 60)
    return Trainer(Network([2, 5, 3], seed=2), X, y, lr=0.3, **kw)


def test_back_to_gives_exactly_the_kept_theta_and_the_run_repeats_bit_for_bit():
    tr, twin = _gd_run(), _gd_run()
    tr.step(30)
    twin.step(29)
    tr.back_to(29)
    assert tr.t == 29 and len(tr.history) == 29
    np.testing.assert_array_equal(tr.net.theta, twin.net.theta)          # θ₂₉, bit for bit
    pd.testing.assert_frame_equal(tr.history, twin.history)
    np.testing.assert_array_equal(tr.theta_before, twin.theta_before)     # θ₂₈
    for mine, theirs in zip(tr.grad_W, twin.grad_W):                      # the update 28 → 29
        np.testing.assert_array_equal(mine, theirs)
    tr.step(10)
    twin.step(10)
    np.testing.assert_array_equal(tr.net.theta, twin.net.theta)          # and on, the same
    tr.back_to(0)
    np.testing.assert_array_equal(tr.net.theta, _gd_run().net.theta)      # θ₀
    assert tr.theta_before is None and len(tr.history) == 0


@pytest.mark.parametrize("kw, why", [
    ({"optimizer": "momentum"}, "only plain gradient descent"),
    ({"batch_size": 10}, "mini-batches"),
])
def test_back_to_refuses_what_it_cannot_repeat_exactly(kw, why):
    tr = _gd_run(**kw)
    tr.step(5)
    theta = tr.net.theta.copy()
    with pytest.raises(ValueError, match=why):
        tr.back_to(4)
    assert tr.t == 5
    np.testing.assert_array_equal(tr.net.theta, theta)                   # nothing changed


def test_back_to_refuses_a_step_not_kept_or_before_a_setting_changed():
    tr = Trainer(Network([2, 2]), np.zeros((4, 2)), [0, 1, 0, 1], max_iterations=5000)
    tr.step(1500)                                # past the snapshots' room: thinned
    steps, _ = tr.snapshots()
    gone = next(s for s in range(1, 1500) if s not in steps)
    with pytest.raises(ValueError, match="not kept"):
        tr.back_to(gone)
    tr.lr = 0.5                                   # an event at t = 1500
    tr.step(1)
    with pytest.raises(ValueError, match="setting changed"):
        tr.back_to(1498)
    assert tr.t == 1501
