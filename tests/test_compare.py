"""ffnn.compare: two runs in lockstep (same theta_0, same batches, one setting apart) and the
output error signal delta_L per example, checked against formulas derived by hand."""

import numpy as np
import plotly.graph_objects as go
import pytest

from ffnn import Network
from ffnn.compare import COMPARABLE, Lockstep, lockstep, output_deltas, p_true, textbook_delta
from ffnn.datasets import make_dataset
from ffnn.figures.compare import FLOOR, delta_vs_confidence

TOL = 1e-12   # float64, the same formula evaluated in a different order


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def softmax(A):
    E = np.exp(A - A.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def circle():
    return make_dataset("circle", n_samples=120, seed=0)


def pair_on(data, **kw):
    kw = {"setting": "loss", "a": "squared_error", "b": "cross_entropy", "seed": 3, **kw}
    return lockstep([2, 5, 3, 2], data.X_train, data.y_train, **kw)


def tiny(loss, output="sigmoid", k=1):
    """A 0-hidden-layer net [2, k] with hand-picked W_1 (2, k) and b_1 (k,)."""
    net = Network([2, k], output=output, loss=loss, init="zeros")
    net.W[0][...] = np.array([[0.7, -0.4, 0.2][:k], [-1.1, 0.5, 0.9][:k]])
    net.b[0][...] = np.array([0.3, -0.2, 0.1][:k])
    return net


X_HAND = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0], [2.0, 1.0]])


# ---- the same start, the same batches --------------------------------------------------------

@pytest.mark.parametrize("setting, a, b", [("loss", "squared_error", "cross_entropy"),
                                           ("lr", 0.1, 1.0), ("optimizer", "gd", "adam"),
                                           ("activation", "sigmoid", "relu"), ("l2", 0.0, 0.1)])
def test_both_sides_start_from_the_same_theta0(circle, setting, a, b):
    pair = pair_on(circle, setting=setting, a=a, b=b)
    own = Network([2, 5, 3, 2], seed=3)           # what seed 3 draws for side A alone
    assert np.array_equal(pair.a.net.theta, own.theta)
    assert np.array_equal(pair.b.net.theta, own.theta)
    assert np.array_equal(pair.a.snapshots()[1][0], pair.b.snapshots()[1][0])
    assert pair.t == (0, 0)


@pytest.mark.parametrize("batch_size", [None, 7])
def test_equal_settings_give_bit_identical_trajectories(circle, batch_size):
    pair = pair_on(circle, setting="lr", a=0.3, b=0.3, batch_size=batch_size,
                   X_test=circle.X_test, y_test=circle.y_test)
    for _ in range(5):
        assert pair.step(13) == (13, 13)
        assert np.array_equal(pair.a.net.theta, pair.b.net.theta)
    assert pair.t == (65, 65)
    assert pair.a.history.equals(pair.b.history)


def test_the_one_setting_is_the_only_difference(circle):
    pair = pair_on(circle, setting="optimizer", a="gd", b="momentum", lr=0.2, l2=0.01,
                   activation="sigmoid", batch_size=10, max_iterations=50)
    for tr, optimizer in zip(pair.trainers, ("gd", "momentum")):
        assert tr.optimizer == optimizer
        assert (tr.lr, tr.l2, tr.batch_size, tr.max_iterations) == (0.2, 0.01, 10, 50)
        assert tr.net.activation == ["sigmoid", "sigmoid"] and tr.net.loss_name == "cross_entropy"
    pair.step(5)
    assert not np.array_equal(pair.a.net.theta, pair.b.net.theta)


def test_mini_batches_come_in_the_same_order_on_both_sides():
    """Batch size 1, sides differing in the loss: each update's gradient is the hand formula
    at exactly one example, and it is the same example on both sides, step after step."""
    y = np.array([1, 0, 1, 0])
    pair = Lockstep(tiny("squared_error"), tiny("cross_entropy"), X_HAND, y, lr=0.5,
                    batch_size=1, seed=11)
    for _ in range(8):                            # two epochs: the order is reshuffled
        before = [tr.net.theta.copy() for tr in pair.trainers]
        pair.step(1)
        picked = []
        for tr, theta in zip(pair.trainers, before):
            W, b = theta[:2, None], theta[2:]
            yhat = sigmoid(X_HAND @ W + b)[:, 0]
            d = yhat - y                                           # cross-entropy
            if tr.net.loss_name == "squared_error":
                d = 2 * (yhat - y) * yhat * (1 - yhat)
            per_example = np.column_stack([X_HAND * d[:, None], d])   # grad W_1, grad b_1
            got = np.concatenate([tr.grad_W[0].ravel(), tr.grad_b[0]])
            i = int(np.abs(per_example - got).sum(axis=1).argmin())
            np.testing.assert_allclose(got, per_example[i], rtol=0, atol=TOL)
            picked.append(i)
        assert picked[0] == picked[1]


def test_first_gradients_differ_as_the_formulas_say():
    """Full batch, sigmoid output, N = 4: grad theta = (1/N) sum_i x_i delta_i with
    delta_i = yhat_i - y_i (cross-entropy) or 2 (yhat_i - y_i) yhat_i (1 - yhat_i) (squared
    error); theta_1 = theta_0 - eta grad theta_0 on each side."""
    y = np.array([1, 0, 1, 0])
    eta = 0.5
    pair = Lockstep(tiny("squared_error"), tiny("cross_entropy"), X_HAND, y, lr=eta)
    theta0 = pair.a.net.theta.copy()
    yhat = sigmoid(X_HAND @ theta0[:2] + theta0[2])
    delta = {"cross_entropy": yhat - y, "squared_error": 2 * (yhat - y) * yhat * (1 - yhat)}
    pair.step(1)
    for tr in pair.trainers:
        d = delta[tr.net.loss_name]
        grad = np.concatenate([X_HAND.T @ d, [d.sum()]]) / len(y)
        np.testing.assert_allclose((theta0 - tr.net.theta) / eta, grad, rtol=1e-10, atol=TOL)
        np.testing.assert_allclose(tr.grad_W[0][:, 0], grad[:2], rtol=0, atol=TOL)
    # per example, squared error's signal is cross-entropy's times 2 yhat (1 - yhat) <= 1/2
    ratio = delta["squared_error"] / delta["cross_entropy"]
    np.testing.assert_allclose(ratio, 2 * yhat * (1 - yhat), rtol=1e-12)


def test_theta0_scale_multiplies_both_starts(circle):
    pair = pair_on(circle, theta0_scale=10)
    own = Network([2, 5, 3, 2], seed=3)
    np.testing.assert_array_equal(pair.a.snapshots()[1][0], 10 * own.theta)
    np.testing.assert_array_equal(pair.b.net.theta, 10 * own.theta)


def test_each_side_stops_on_its_own():
    pair = Lockstep(tiny("squared_error"), tiny("cross_entropy"), X_HAND, [1, 0, 1, 0],
                    kwargs_a={"max_iterations": 5}, kwargs_b={"max_iterations": 20})
    assert pair.step(10) == (5, 10) and not pair.done
    assert pair.step(100) == (0, 10) and pair.done and pair.t == (5, 20)


def test_a_diverging_side_stops_and_the_other_goes_on():
    plane = make_dataset("plane", n_samples=100, seed=0)
    pair = lockstep([2, 4, 1], plane.X_train, plane.y_train, setting="lr", a=0.01, b=1e4,
                    output="linear", loss="squared_error")
    pair.step(50)
    assert pair.b.diverged is not None and pair.b.t < 50
    assert pair.a.diverged is None and pair.a.t == 50
    assert np.isfinite(pair.b.net.theta).all()     # the last finite theta is kept


# ---- delta_L per example -------------------------------------------------------------------

def test_output_deltas_softmax_against_the_formula():
    """0 hidden layers, softmax, k = 3. Per example: cross-entropy delta = yhat - y; squared
    error delta = 2 J (yhat - y), J = diag(yhat) - yhat yhat^T the softmax Jacobian."""
    y = np.array([0, 2, 1, 2])
    for loss in ("cross_entropy", "squared_error"):
        net = tiny(loss, "softmax", 3)
        Y = softmax(X_HAND @ net.W[0] + net.b[0])
        T = np.eye(3)[y]
        if loss == "cross_entropy":
            D = Y - T
        else:
            D = np.stack([2 * (np.diag(Y[i]) - np.outer(Y[i], Y[i])) @ (Y[i] - T[i])
                          for i in range(len(y))])
        p, delta = output_deltas(net, X_HAND, y)
        np.testing.assert_allclose(p, Y[np.arange(4), y], rtol=1e-12)
        np.testing.assert_allclose(delta, np.linalg.norm(D, axis=1), rtol=1e-10)
        np.testing.assert_array_equal(p_true(net, X_HAND, y), p)


@pytest.mark.parametrize("output, k", [("sigmoid", 1), ("softmax", 2)])
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_output_deltas_follow_the_textbook_curve(output, k, loss):
    """Where ||delta_L|| is a function of p alone (one sigmoid unit, or softmax over 2
    classes) the engine's backprop gives exactly textbook_delta(p)."""
    y = np.array([1, 0, 0, 1])
    net = tiny(loss, output, k)
    p, delta = output_deltas(net, X_HAND, y)
    yhat = sigmoid(X_HAND @ net.W[0][:, 0] + net.b[0][0]) if k == 1 else None
    if k == 1:
        np.testing.assert_allclose(p, np.where(y == 1, yhat, 1 - yhat), rtol=1e-12)
    np.testing.assert_allclose(delta, textbook_delta(p, loss, output, k), rtol=1e-10)


def test_output_deltas_do_not_depend_on_N():
    """The 1/N of the mean is undone: one example alone gives the signal it has among others."""
    y = np.array([1, 0, 1, 0])
    net = tiny("squared_error")
    _, together = output_deltas(net, X_HAND, y)
    alone = [output_deltas(net, X_HAND[i:i + 1], y[i:i + 1])[1][0] for i in range(4)]
    np.testing.assert_allclose(together, alone, rtol=1e-12)


def test_a_confident_mistake_gets_almost_no_signal_from_squared_error():
    """The lecture's point. One sigmoid unit that says P(class 1) = 0.99 for an example of
    class 0: p = 0.01. Cross-entropy: |delta| = yhat - y = 0.99. Squared error:
    |delta| = 2 (yhat - y) yhat (1 - yhat) = 2 * 0.99 * 0.99 * 0.01 = 0.019602, 50x smaller."""
    signals = {}
    for loss in ("cross_entropy", "squared_error"):
        net = Network([1, 1], output="sigmoid", loss=loss, init="zeros")
        net.b[0][0] = np.log(0.99 / 0.01)            # sigmoid(b) = 0.99
        p, delta = output_deltas(net, [[0.0]], [0])
        np.testing.assert_allclose(p, [0.01], rtol=1e-12)
        signals[loss] = delta[0]
    assert signals["cross_entropy"] == pytest.approx(0.99, rel=1e-12)
    assert signals["squared_error"] == pytest.approx(2 * 0.99 * 0.99 * 0.01, rel=1e-12)
    assert signals["cross_entropy"] / signals["squared_error"] == pytest.approx(1 / 0.0198)
    # softmax over two classes, the same mistake: sqrt(2) 0.99 against 4 sqrt(2) 0.01 0.99^2
    net = Network([1, 2], output="softmax", loss="squared_error", init="zeros")
    net.b[0][...] = [np.log(0.01), np.log(0.99)]
    p, delta = output_deltas(net, [[0.0]], [0])
    assert p[0] == pytest.approx(0.01) and delta[0] == pytest.approx(4 * 2**0.5 * 0.01 * 0.99**2)


def test_textbook_curves():
    p = np.array([0.0, 0.25, 0.5, 1.0])
    np.testing.assert_allclose(textbook_delta(p, "cross_entropy", "sigmoid", 1), 1 - p)
    np.testing.assert_allclose(textbook_delta(p, "squared_error", "sigmoid", 1),
                               2 * p * (1 - p) ** 2)
    np.testing.assert_allclose(textbook_delta(p, "cross_entropy", "softmax", 2),
                               np.sqrt(2) * (1 - p))
    # squared error / cross-entropy = 4 p (1 - p) for softmax: equal at p = 1/2, 0 at p = 0
    se, ce = (textbook_delta(0.5, loss, "softmax", 2) for loss in ("squared_error",
                                                                    "cross_entropy"))
    assert se == pytest.approx(ce)


# ---- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("kw, param", [
    ({"setting": "batch_size"}, "setting"), ({"setting": "init"}, "setting"),
    ({"a": "hinge"}, "a"), ({"b": "mse"}, "b"),
    ({"setting": "lr", "a": 0.1, "b": -1.0}, "b"), ({"setting": "lr", "a": "fast", "b": 1.0}, "a"),
    ({"setting": "l2", "a": float("nan"), "b": 0.0}, "a"),
    ({"setting": "optimizer", "a": "gd", "b": "sgd"}, "b"),
    ({"setting": "activation", "a": "swish", "b": "relu"}, "a"),
    ({"colour": "red"}, "colour"), ({"theta0_scale": 0}, "theta0_scale"),
    ({"loss": "cross_entropy", "output": "linear"}, "output"),
])
def test_lockstep_rejects_bad_settings(circle, kw, param):
    with pytest.raises(ValueError, match=param):
        pair_on(circle, **kw)


def test_lockstep_rejects_pairs_that_cannot_share_theta0():
    y = [1, 0, 1, 0]
    with pytest.raises(ValueError, match="net_b"):
        Lockstep(Network([2, 3, 1]), Network([2, 4, 1]), X_HAND, y)
    with pytest.raises(ValueError, match="net_a"):
        Lockstep("net", Network([2, 1]), X_HAND, y)
    for key, a, b in (("batch_size", 1, 2), ("seed", 0, 1)):
        with pytest.raises(ValueError, match=key):
            Lockstep(Network([2, 1]), Network([2, 1]), X_HAND, y, kwargs_a={key: a},
                     kwargs_b={key: b})
    with pytest.raises(ValueError, match="n must"):
        Lockstep(Network([2, 1]), Network([2, 1]), X_HAND, y).step(0)


def test_output_deltas_rejects_bad_input():
    net = tiny("cross_entropy", "softmax", 2)
    with pytest.raises(ValueError, match="net must"):
        output_deltas("net", X_HAND, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="net.output"):
        output_deltas(Network([2, 1], output="linear", loss="squared_error"), X_HAND,
                      [0, 1, 0, 1])
    with pytest.raises(ValueError, match="X"):
        output_deltas(net, X_HAND[:, :1], [0, 1, 0, 1])
    with pytest.raises(ValueError, match="y"):
        output_deltas(net, X_HAND, [0, 1, 2, 1])
    with pytest.raises(ValueError, match="class labels"):
        output_deltas(tiny("squared_error"), X_HAND, [0.2, 0.5, 0.1, 0.9])
    for args, param in ((("hinge", "sigmoid", 1), "loss"), (("cross_entropy", "linear", 1),
                                                           "output"),
                        (("cross_entropy", "softmax", 0), "k")):
        with pytest.raises(ValueError, match=param):
            textbook_delta(0.5, *args)


def test_the_menu_of_settings():
    assert list(COMPARABLE) == ["loss", "lr", "optimizer", "activation", "l2"]


# ---- the figures (ffnn.figures.compare) ------------------------------------------------------

def valid(fig):
    """Rebuild with plotly's validation on (the builders skip it for speed)."""
    go.Figure(fig.to_dict())
    fig.to_json()
    return fig


def test_delta_figure_holds_both_runs_and_the_textbook_curves():
    p_a, d_a = np.array([0.01, 0.5, 0.999]), np.array([0.0196, 0.25, 1e-9])
    p_b, d_b = np.array([0.01, 0.5, 0.999]), np.array([0.99, 0.5, np.nan])
    fig = valid(delta_vs_confidence(p_a, d_a, p_b, d_b, labels=("A: se", "B: ce"),
                                    output="sigmoid", k=1))
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"A: se", "B: ce", "cross-entropy: 1 − p",
                            "squared error: 2p(1 − p)²"}
    assert all(t.type == "scatter" for t in fig.data)
    ce, se = by_name["cross-entropy: 1 − p"], by_name["squared error: 2p(1 − p)²"]
    x = np.asarray(ce.x)
    np.testing.assert_allclose(ce.y, np.where(x < 1, 1 - x, np.nan))
    assert np.array_equal(se.x, x)
    np.testing.assert_allclose(se.y, np.where(x < 1, 2 * x * (1 - x) ** 2, np.nan))
    assert (ce.line.dash, se.line.dash) == ("dash", "dot")
    # A's 1e-9 is drawn on the floor, its hover keeps the value; B's NaN leaves a gap
    a = by_name["A: se"]
    assert a.y[2] == pytest.approx(FLOOR) and a.customdata[2] == pytest.approx(1e-9)
    assert np.isnan(by_name["B: ce"].y[2])
    assert tuple(fig.layout.xaxis.range) == (-0.02, 1.02)
    assert fig.layout.yaxis.type == "log"
    assert tuple(fig.layout.yaxis.range) == pytest.approx((-5, np.log10(3)))
    softmax_fig = delta_vs_confidence(p_a, d_a, p_b, d_b, output="softmax", k=2)
    assert "squared error: 4√2 p(1 − p)²" in {t.name for t in softmax_fig.data}
    with pytest.raises(ValueError, match="same length"):
        delta_vs_confidence(p_a, d_a[:2], p_b, d_b)


