"""The Trainer's updates against the lecture's rule and the textbook optimizers, each written out
again here in a few lines of NumPy; then mini-batches, determinism, max_iterations, the history
table and divergence.

The reference runs use only `net.gradients` on a second Network built with the same seed, and
update its parameters by the formula written in this file, so they check the Trainer, not the
gradient code (which tests of their own check).

Tolerances: `gd` one step, rtol 1e-12 (the same gradient, one multiply-subtract: it should agree
to the last bit or two). Optimizers over 5 steps, rtol 1e-9 with atol 1e-12: square roots and
divisions in a possibly different order; any change in a constant (gamma, beta, epsilon, its place
inside or outside the square root, the bias correction) moves parameters by 1e-8 or more.
"""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from ffnn import Network, Trainer

GAMMA = 0.9                 # momentum, nesterov
BETA = 0.9                  # rmsprop
BETA1, BETA2 = 0.9, 0.999   # adam
EPS = 1e-8                  # adagrad, rmsprop, adam
OPTIMIZERS = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


def data(n=12, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)), np.arange(n) % 3


def make_net(seed=0, **kwargs):
    kwargs.setdefault("activation", "tanh")
    return Network([2, 4, 3], seed=seed, **kwargs)


def snapshot(net):
    return [w.copy() for w in net.W], [b.copy() for b in net.b]


def set_params(net, W, b):
    for i in range(len(W)):
        net.W[i][...] = W[i]
        net.b[i][...] = b[i]


def assert_params(net, W, b, rtol, atol=0.0, msg=""):
    for i in range(len(W)):
        np.testing.assert_allclose(net.W[i], W[i], rtol=rtol, atol=atol, err_msg=f"{msg} W{i + 1}")
        np.testing.assert_allclose(net.b[i], b[i], rtol=rtol, atol=atol, err_msg=f"{msg} b{i + 1}")


def same_params(net_a, net_b):
    return all(np.array_equal(p, q) for p, q in zip(net_a.W + net_a.b, net_b.W + net_b.b,
                                                    strict=True))


# ---------------------------------------------------------------------------------------------
# gd: the lecture's theta <- theta - eta * grad theta


@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_gd_steps_are_theta_minus_eta_grad_theta(l2):
    X, y = data()
    net = make_net(l2=l2)
    tr = Trainer(net, X, y, lr=0.3, optimizer="gd")
    for s in range(1, 4):
        W0, b0 = snapshot(net)
        loss, dW, db = net.gradients(X, y)
        tr.step()
        assert tr.t == s
        assert_params(net, [w - 0.3 * g for w, g in zip(W0, dW, strict=True)],
                      [v - 0.3 * g for v, g in zip(b0, db, strict=True)],
                      rtol=1e-12, atol=1e-15, msg=f"step {s}")
        row = tr.history.iloc[-1]
        assert row["step"] == s
        # the row's loss is the loss at theta_{s-1}, where this update's gradient was taken
        assert row["train_loss"] == pytest.approx(loss, rel=1e-12)
        for layer in (1, 2):
            # the update's gradient norms: Frobenius for W, 2-norm for b
            assert row[f"grad_W{layer}"] == pytest.approx(
                np.sqrt((dW[layer - 1] ** 2).sum()), rel=1e-12)
            assert row[f"grad_b{layer}"] == pytest.approx(
                np.sqrt((db[layer - 1] ** 2).sum()), rel=1e-12)


def test_trainer_defaults_are_gd_full_batch_lr_0_1():
    X, y = data()
    net = make_net()
    tr = Trainer(net, X, y)
    W0, b0 = snapshot(net)
    _, dW, db = net.gradients(X, y)
    tr.step()
    assert_params(net, [w - 0.1 * g for w, g in zip(W0, dW, strict=True)],
                  [v - 0.1 * g for v, g in zip(b0, db, strict=True)], rtol=1e-12, atol=1e-15)


def test_setting_lr_changes_the_next_step():
    X, y = data()
    net = make_net()
    tr = Trainer(net, X, y, lr=0.1)
    tr.step()
    tr.lr = 0.05
    W0, b0 = snapshot(net)
    _, dW, db = net.gradients(X, y)
    tr.step()
    assert_params(net, [w - 0.05 * g for w, g in zip(W0, dW, strict=True)],
                  [v - 0.05 * g for v, g in zip(b0, db, strict=True)], rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# each optimizer against its textbook rule, written independently


def rule(name, eta):
    """A function (key, t, theta, g) -> new theta; state is kept per parameter key."""
    state = {}

    def gd(key, t, theta, g):
        return theta - eta * g

    def momentum(key, t, theta, g):
        u = state[key] = GAMMA * state.get(key, 0.0) + eta * g
        return theta - u

    def nesterov(key, t, theta, g):
        # Sutskever form: theta is the look-ahead point
        v = state[key] = GAMMA * state.get(key, 0.0) + g
        return theta - eta * (g + GAMMA * v)

    def adagrad(key, t, theta, g):
        v = state[key] = state.get(key, 0.0) + g ** 2
        return theta - eta * g / (np.sqrt(v) + EPS)

    def rmsprop(key, t, theta, g):
        v = state[key] = BETA * state.get(key, 0.0) + (1 - BETA) * g ** 2
        return theta - eta * g / (np.sqrt(v) + EPS)

    def adam(key, t, theta, g):
        m, v = state.get(key, (0.0, 0.0))
        m = BETA1 * m + (1 - BETA1) * g
        v = BETA2 * v + (1 - BETA2) * g ** 2
        state[key] = (m, v)
        m_hat, v_hat = m / (1 - BETA1 ** t), v / (1 - BETA2 ** t)
        return theta - eta * m_hat / (np.sqrt(v_hat) + EPS)

    return locals()[name]


def reference_step(net, X, y, update, t):
    _, dW, db = net.gradients(X, y)
    W = [update(("W", i), t, net.W[i].copy(), dW[i]) for i in range(len(dW))]
    b = [update(("b", i), t, net.b[i].copy(), db[i]) for i in range(len(db))]
    set_params(net, W, b)


LRS = {"gd": 0.3, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.1, "rmsprop": 0.01,
       "adam": 0.01}


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_optimizer_matches_textbook_rule_for_5_steps(optimizer):
    X, y = data()
    net, ref = make_net(), make_net()
    assert same_params(net, ref), "same seed must give the same initial parameters"
    tr = Trainer(net, X, y, lr=LRS[optimizer], optimizer=optimizer)
    update = rule(optimizer, LRS[optimizer])
    for t in range(1, 6):
        tr.step()
        reference_step(ref, X, y, update, t)
        assert_params(net, ref.W, ref.b, rtol=1e-9, atol=1e-12, msg=f"{optimizer} step {t}")
    # and the parameters really moved (the comparison is not between two frozen nets)
    assert not same_params(net, make_net())


def quadratic_problem():
    """A 0-hidden-layer linear net with squared error: L is a quadratic in (W, b)."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    return X, y, lambda: Network([3, 2], output="linear", loss="squared_error", seed=4)


@pytest.mark.parametrize("problem", ["quadratic", "tanh-net"])
def test_nesterov_equals_textbook_look_ahead_nag(problem):
    # Textbook NAG: u_t = gamma u_{t-1} + eta grad L(theta_{t-1} - gamma u_{t-1});
    # theta_t = theta_{t-1} - u_t. The engine stores the look-ahead point theta_t - gamma u_t.
    if problem == "quadratic":
        X, y, new = quadratic_problem()
    else:
        (X, y), new = data(), make_net
    eta = 0.05
    net, ref, sut = new(), new(), new()
    tr = Trainer(net, X, y, lr=eta, optimizer="nesterov")
    sutskever = rule("nesterov", eta)
    theta_W, theta_b = snapshot(ref)
    u_W = [np.zeros_like(w) for w in theta_W]
    u_b = [np.zeros_like(v) for v in theta_b]
    for t in range(1, 6):
        set_params(ref, [w - GAMMA * u for w, u in zip(theta_W, u_W, strict=True)],
                   [v - GAMMA * u for v, u in zip(theta_b, u_b, strict=True)])
        _, dW, db = ref.gradients(X, y)
        u_W = [GAMMA * u + eta * g for u, g in zip(u_W, dW, strict=True)]
        u_b = [GAMMA * u + eta * g for u, g in zip(u_b, db, strict=True)]
        theta_W = [w - u for w, u in zip(theta_W, u_W, strict=True)]
        theta_b = [v - u for v, u in zip(theta_b, u_b, strict=True)]
        look_W = [w - GAMMA * u for w, u in zip(theta_W, u_W, strict=True)]
        look_b = [v - GAMMA * u for v, u in zip(theta_b, u_b, strict=True)]

        reference_step(sut, X, y, sutskever, t)
        tr.step()
        # the two forms written here agree with each other ...
        assert_params(sut, look_W, look_b, rtol=1e-9, atol=1e-12, msg=f"forms, step {t}")
        # ... and the engine agrees with them
        assert_params(net, look_W, look_b, rtol=1e-9, atol=1e-12, msg=f"engine, step {t}")


# ---------------------------------------------------------------------------------------------
# mini-batches


def test_minibatches_partition_each_epoch_and_reshuffle():
    # N = 6, batch 2: 3 steps per epoch. For each step, find which 2-example subset's gd update
    # reproduces the engine's: exactly one must, and each epoch's subsets must cover all 6.
    N, size, eta, epochs = 6, 2, 0.2, 5
    X, y = data(n=N)
    net, ref = make_net(), make_net()
    tr = Trainer(net, X, y, lr=eta, optimizer="gd", batch_size=size, seed=3)
    batches = []
    for s in range(epochs * N // size):
        W0, b0 = snapshot(net)
        tr.step()
        matches = []
        for idx in itertools.combinations(range(N), size):
            set_params(ref, W0, b0)
            _, dW, db = ref.gradients(X[list(idx)], y[list(idx)])
            W1 = [w - eta * g for w, g in zip(W0, dW, strict=True)]
            b1 = [v - eta * g for v, g in zip(b0, db, strict=True)]
            if all(np.allclose(p, q, rtol=1e-12, atol=1e-15)
                   for p, q in zip(net.W + net.b, W1 + b1, strict=True)):
                matches.append(frozenset(idx))
        assert len(matches) == 1, f"step {s + 1}: {len(matches)} batches of {size} fit"
        batches.append(matches[0])
    orders = []
    for e in range(epochs):
        epoch = batches[3 * e: 3 * e + 3]
        assert frozenset().union(*epoch) == frozenset(range(N)), f"epoch {e + 1}: {epoch}"
        orders.append(tuple(epoch))
    # 90 possible (partition, order)s per epoch; five identical epochs means no reshuffle
    assert len(set(orders)) > 1, "the order is not reshuffled between epochs"


def run(optimizer="gd", seed=0, steps=9, batch_size=4, lr=None):
    X, y = data()
    Xt, yt = data(n=6, seed=2)
    net = make_net()
    tr = Trainer(net, X, y, lr=LRS[optimizer] if lr is None else lr, optimizer=optimizer,
                 batch_size=batch_size, X_test=Xt, y_test=yt, seed=seed)
    tr.step(steps)
    return net, tr


def test_same_seed_same_minibatch_trajectory_different_seed_different():
    net_a, _ = run(seed=0)
    net_b, _ = run(seed=0)
    net_c, _ = run(seed=1)
    assert same_params(net_a, net_b)
    assert not same_params(net_a, net_c)


@pytest.mark.parametrize("batch_size", [None, 4])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_whole_trajectory_is_deterministic(optimizer, batch_size):
    net_a, tr_a = run(optimizer, batch_size=batch_size)
    net_b, tr_b = run(optimizer, batch_size=batch_size)
    assert tr_a.t == tr_b.t == 9
    assert same_params(net_a, net_b)
    pd.testing.assert_frame_equal(tr_a.history, tr_b.history)


# ---------------------------------------------------------------------------------------------
# max_iterations and the history table


def test_step_never_goes_past_max_iterations():
    X, y = data()
    net = make_net()
    tr = Trainer(net, X, y, max_iterations=5)
    tr.step(3)
    assert tr.t == 3
    tr.step(3)
    assert tr.t == 5
    frozen = snapshot(net)
    tr.step()
    tr.step(100)
    assert tr.t == 5
    assert_params(net, *frozen, rtol=0)
    assert list(tr.history["step"]) == [1, 2, 3, 4, 5]


def test_one_big_step_call_stops_at_max_iterations():
    X, y = data()
    tr = Trainer(make_net(), X, y, max_iterations=7)
    tr.step(n=1000)
    assert tr.t == 7 and len(tr.history) == 7


@pytest.mark.parametrize("sizes", [[2, 3], [2, 4, 3], [2, 3, 3, 3]])
def test_history_has_one_row_per_update_and_per_layer_columns(sizes):
    X, y = data()
    Xt, yt = data(n=6, seed=2)
    tr = Trainer(Network(sizes, seed=0), X, y, X_test=Xt, y_test=yt)
    tr.step(4)
    tr.step()
    h = tr.history
    assert isinstance(h, pd.DataFrame)
    assert list(h["step"]) == [1, 2, 3, 4, 5]
    L = len(sizes) - 1
    for col in ["step", "train_loss", "test_loss", "train_acc", "test_acc"]:
        assert col in h.columns
    for layer in range(1, L + 1):
        assert f"grad_W{layer}" in h.columns and f"grad_b{layer}" in h.columns
    assert f"grad_W{L + 1}" not in h.columns and "grad_W0" not in h.columns
    assert f"grad_b{L + 1}" not in h.columns and "grad_b0" not in h.columns
    assert ((h["train_acc"] >= 0) & (h["train_acc"] <= 1)).all()
    assert ((h["test_acc"] >= 0) & (h["test_acc"] <= 1)).all()
    assert np.isfinite(h["test_loss"].to_numpy(dtype=float)).all()


def test_history_without_test_data_has_train_columns():
    X, y = data()
    tr = Trainer(make_net(), X, y)
    tr.step(3)
    assert {"step", "train_loss", "train_acc"} <= set(tr.history.columns)
    assert len(tr.history) == 3


def test_history_stays_bounded_and_keeps_the_latest():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([0, 1, 1, 0])
    tr = Trainer(Network([2, 2], seed=0), X, y, lr=0.1, max_iterations=30_000)
    tr.step(n=30_000)
    h = tr.history
    assert tr.t == 30_000
    # "far below": at most a quarter of the updates kept
    assert len(h) < 7_500, len(h)
    steps = h["step"].to_numpy()
    assert steps[-1] == tr.t
    assert (np.diff(steps) > 0).all()
    assert steps[0] >= 1


# ---------------------------------------------------------------------------------------------
# divergence


def numeric_history_is_finite(h):
    num = h.select_dtypes(include="number").dropna(axis=1, how="all")  # drop n/a columns
    return np.isfinite(num.to_numpy(dtype=float)).all()


@pytest.mark.parametrize("sizes, activation", [
    ([2, 1], "linear"),
    ([2, 3, 1], "linear"),
    ([2, 8, 1], "relu"),
])
def test_huge_learning_rate_diverges_cleanly(sizes, activation):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    y = X @ np.array([1.5, -2.0]) + 0.5
    net = Network(sizes, activation=activation, output="linear", loss="squared_error", seed=0)
    tr = Trainer(net, X, y, lr=1e6, max_iterations=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # every warning, not only RuntimeWarning
        tr.step(200)
        d = tr.diverged
        assert d is not None, "lr=1e6 on squared error should diverge"
        # the diverging update may or may not be counted in t
        assert isinstance(d.step, (int, np.integer)) and 1 <= d.step <= tr.t + 1
        assert 1 <= d.layer <= len(sizes) - 1
        assert all(np.isfinite(p).all() for p in net.W + net.b)
        assert len(tr.history) >= 1 and numeric_history_is_finite(tr.history)
        frozen = snapshot(net)
        history_len = len(tr.history)
        tr.step()
        tr.step(10)
        assert_params(net, *frozen, rtol=0)
        assert len(tr.history) == history_len
        assert tr.diverged is not None and tr.diverged.step == d.step


def test_no_divergence_reported_for_a_sane_run():
    X, y = data()
    tr = Trainer(make_net(), X, y, lr=0.1)
    tr.step(20)
    assert tr.diverged is None


def test_divergence_from_an_overflowing_loss_still_names_a_layer():
    # Logits of 1e308 on two rows: the cross-entropy sum overflows to inf while the gradient
    # (p - y) / N stays finite. The run must stop, and `layer` is still a 1-based layer number.
    net = Network([1, 1], output="sigmoid", loss="cross_entropy")
    net.W[0][...] = 1e308
    net.b[0][...] = 0.0
    X, y = np.array([[1.0], [1.0]]), np.array([0, 0])
    tr = Trainer(net, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr.step()
    assert tr.diverged is not None
    assert tr.diverged.layer == 1
    assert all(np.isfinite(p).all() for p in net.W + net.b)


def test_a_new_learning_rate_resumes_after_divergence():
    # After divergence the last finite theta is kept; lowering eta lets training go on from it.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)) * 3, rng.normal(size=20)
    net = Network([2, 8, 1], activation="relu", output="linear", loss="squared_error")
    tr = Trainer(net, X, y, lr=1e6)
    tr.step(50)
    assert tr.diverged is not None
    kept, t = net.theta.copy(), tr.t
    tr.step(5)
    np.testing.assert_array_equal(net.theta, kept)      # nothing moves while diverged
    tr.lr = 1e-4
    assert tr.diverged is None and not tr.done         # Step is possible again
    tr.step(5)
    assert np.isfinite(net.theta).all()                # the kept theta may be too far gone
    assert tr.diverged is None or tr.diverged.step > t  # to recover; then a fresh report
