"""Losses against the formulas pinned in docs/design.md, on cases small enough to work by hand.

Every expected value is written out here with math.log / math.exp (or, for the gradient checks,
an independent NumPy formula), never read from the engine. Parameters are set by hand, in place,
as docs/design.md allows (`net.W[0][...] = M`).

Tolerance, unless a test says otherwise: rtol 1e-12 on values. The numbers are O(1) and go through
a handful of float64 operations, so an honest implementation is within ~1e-15; 1e-12 leaves room
for a different (equally valid) order of operations, and still catches any formula slip (a
missing 1/N, a 1/2, a stray epsilon), which are all far larger.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ffnn import Network

RTOL = 1e-12


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def net_with(sizes, W, b, **kwargs):
    """A Network whose W and b are set by hand, in place."""
    net = Network(sizes, **kwargs)
    for i, (Wi, bi) in enumerate(zip(W, b, strict=True)):
        net.W[i][...] = Wi
        net.b[i][...] = bi
    return net


# ---------------------------------------------------------------------------------------------
# softmax + cross_entropy: (1/N) sum_i -log yhat_{i, l_i}


def softmax_ce_case():
    # logits = x * [1, 0, -1] + [0, 0.5, 0]; x = 1 gives (1, 0.5, -1), x = 2 gives (2, 0.5, -2)
    net = net_with([1, 3], [[[1.0, 0.0, -1.0]]], [[0.0, 0.5, 0.0]],
                   output="softmax", loss="cross_entropy")
    X = np.array([[1.0], [2.0]])
    y = np.array([0, 2])
    return net, X, y


def test_softmax_forward_is_normalised_exponentials():
    net, X, _ = softmax_ce_case()
    z1 = math.exp(1) + math.exp(0.5) + math.exp(-1)
    z2 = math.exp(2) + math.exp(0.5) + math.exp(-2)
    expected = [[math.exp(1) / z1, math.exp(0.5) / z1, math.exp(-1) / z1],
                [math.exp(2) / z2, math.exp(0.5) / z2, math.exp(-2) / z2]]
    np.testing.assert_allclose(net.forward(X), expected, rtol=RTOL)


def test_softmax_cross_entropy_is_mean_negative_log_prob_of_true_class():
    net, X, y = softmax_ce_case()
    # row 1: true class 0 of logits (1, 0.5, -1); row 2: true class 2 of logits (2, 0.5, -2)
    l1 = -math.log(math.exp(1) / (math.exp(1) + math.exp(0.5) + math.exp(-1)))
    l2 = -math.log(math.exp(-2) / (math.exp(2) + math.exp(0.5) + math.exp(-2)))
    assert net.loss(X, y) == pytest.approx((l1 + l2) / 2, rel=RTOL)


def test_loss_is_a_float_and_gradients_return_the_same_loss():
    net, X, y = softmax_ce_case()
    loss = net.loss(X, y)
    assert isinstance(loss, float)
    g_loss, dW, db = net.gradients(X, y)
    assert g_loss == pytest.approx(loss, rel=RTOL)
    assert [a.shape for a in dW] == [(1, 3)] and [a.shape for a in db] == [(3,)]


def test_softmax_cross_entropy_does_not_depend_on_a_common_logit_shift():
    # Adding 5 to every logit leaves the softmax unchanged: same loss by hand.
    net, X, y = softmax_ce_case()
    shifted = net_with([1, 3], [[[1.0, 0.0, -1.0]]], [[5.0, 5.5, 5.0]], output="softmax")
    assert shifted.loss(X, y) == pytest.approx(net.loss(X, y), rel=1e-12)


@pytest.mark.parametrize("activation, h", [
    ("sigmoid", 1.0 / (1.0 + math.exp(0.5))),   # sigmoid(-0.5)
    ("tanh", math.tanh(-0.5)),
    ("relu", 0.0),
    ("leaky_relu", -0.005),                      # slope 0.01 below zero
    ("linear", -0.5),
])
def test_one_hidden_unit_by_hand(activation, h):
    # x = -0.5 -> a1 = x (W1 = 1, b1 = 0) -> h = g(a1) -> logits (h, -h) + (0.2, 0)
    net = net_with([1, 1, 2], [[[1.0]], [[1.0, -1.0]]], [[0.0], [0.2, 0.0]],
                   activation=activation, output="softmax", loss="cross_entropy")
    X = np.array([[-0.5]])
    # true class 1: -log(e^{-h} / (e^{h + 0.2} + e^{-h}))
    expected = -math.log(math.exp(-h) / (math.exp(h + 0.2) + math.exp(-h)))
    assert net.loss(X, np.array([1])) == pytest.approx(expected, rel=RTOL)


# ---------------------------------------------------------------------------------------------
# squared_error: (1/N) sum_i sum_j (yhat_ij - y_ij)^2, no 1/2


def test_squared_error_linear_output_two_targets():
    # W = [[1, 0], [0, 2]], b = [0.5, -1]: x = (1, 1) -> (1.5, 1); x = (2, 0) -> (2.5, -1)
    net = net_with([2, 2], [[[1.0, 0.0], [0.0, 2.0]]], [[0.5, -1.0]],
                   output="linear", loss="squared_error")
    X = np.array([[1.0, 1.0], [2.0, 0.0]])
    y = np.array([[1.0, 1.0], [2.0, 0.0]])
    np.testing.assert_allclose(net.forward(X), [[1.5, 1.0], [2.5, -1.0]], rtol=RTOL)
    # errors (0.5, 0), (0.5, -1): squares sum to 1.5, divided by N = 2 (no 1/2)
    assert net.loss(X, y) == pytest.approx(0.75, rel=RTOL)


def test_squared_error_single_output_with_1d_targets():
    # yhat = 2x + 1 at x = 0, 1, 3 -> 1, 3, 7; targets 1, 2, 4 -> errors 0, 1, 3
    net = net_with([1, 1], [[[2.0]]], [[1.0]], output="linear", loss="squared_error")
    X = np.array([[0.0], [1.0], [3.0]])
    assert net.loss(X, np.array([1.0, 2.0, 4.0])) == pytest.approx(10.0 / 3.0, rel=RTOL)


def test_squared_error_on_softmax_uses_one_hot_targets():
    # W = 0, b = (0, log 3): every row predicts (1/4, 3/4)
    net = net_with([1, 2], [[[0.0, 0.0]]], [[0.0, math.log(3.0)]],
                   output="softmax", loss="squared_error")
    X = np.array([[5.0], [-7.0]])
    # label 0 -> (1/4 - 1)^2 + (3/4)^2 = 18/16; label 1 -> (1/4)^2 + (3/4 - 1)^2 = 2/16
    assert net.loss(X, np.array([0, 1])) == pytest.approx((20 / 16) / 2, rel=RTOL)


# ---------------------------------------------------------------------------------------------
# sigmoid + cross_entropy: (1/N) sum_i sum_j -[y log yhat + (1 - y) log(1 - yhat)]


def test_sigmoid_cross_entropy_with_0_1_target_matrix():
    # W = [[1, -1]], b = 0: x = 0 -> logits (0, 0); x = 2 -> logits (2, -2)
    net = net_with([1, 2], [[[1.0, -1.0]]], [[0.0, 0.0]], output="sigmoid", loss="cross_entropy")
    X = np.array([[0.0], [2.0]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    row1 = -math.log(sigmoid(0.0)) - math.log(1.0 - sigmoid(0.0))
    row2 = -math.log(1.0 - sigmoid(2.0)) - math.log(sigmoid(-2.0))
    np.testing.assert_allclose(net.forward(X), [[0.5, 0.5], [sigmoid(2.0), sigmoid(-2.0)]],
                               rtol=RTOL)
    assert net.loss(X, y) == pytest.approx((row1 + row2) / 2, rel=RTOL)
    # the same numbers in closed form: (2 log 2 + 2 log(1 + e^2)) / 2
    assert net.loss(X, y) == pytest.approx(math.log(2) + math.log(1 + math.exp(2)), rel=RTOL)


def single_sigmoid_case():
    # one sigmoid output, logit = x: x = 1, -3, 0.5 with labels 1, 1, 0
    net = net_with([1, 1], [[[1.0]]], [[0.0]], output="sigmoid", loss="cross_entropy")
    X = np.array([[1.0], [-3.0], [0.5]])
    expected = (-math.log(sigmoid(1.0)) - math.log(sigmoid(-3.0))
                - math.log(1.0 - sigmoid(0.5))) / 3
    return net, X, expected


def test_single_sigmoid_output_with_integer_labels_is_binary_cross_entropy():
    net, X, expected = single_sigmoid_case()
    assert net.loss(X, np.array([1, 1, 0])) == pytest.approx(expected, rel=RTOL)


def test_single_sigmoid_output_with_n_by_1_float_targets():
    net, X, expected = single_sigmoid_case()
    assert net.loss(X, np.array([[1.0], [1.0], [0.0]])) == pytest.approx(expected, rel=RTOL)


# ---------------------------------------------------------------------------------------------
# L2: adds (lambda/2) sum_i ||W_i||_F^2, biases excluded


def test_l2_penalty_by_hand_excludes_bias():
    # yhat = 2 * 1 + 3 = 5 = target, so the data loss is 0 and all that is left is the penalty:
    # (0.5 / 2) * 2^2 = 1.0. Counting the bias too would give 0.25 * (4 + 9) = 3.25.
    net = net_with([1, 1], [[[2.0]]], [[3.0]], output="linear", loss="squared_error", l2=0.5)
    assert net.loss(np.array([[1.0]]), np.array([5.0])) == pytest.approx(1.0, rel=RTOL)


def two_layer_nets(l2):
    W = [[[1.0, 2.0], [0.0, -1.0]], [[3.0], [0.5]]]   # ||W1||^2 = 6, ||W2||^2 = 9.25
    b = [[7.0, -7.0], [7.0]]                          # large biases: would show if penalised
    kw = {"activation": "tanh", "output": "linear", "loss": "squared_error"}
    return net_with([2, 2, 1], W, b, l2=l2, **kw), net_with([2, 2, 1], W, b, l2=0.0, **kw)


def test_l2_penalty_adds_half_lambda_sum_of_squared_weights():
    with_l2, without = two_layer_nets(0.2)
    X = np.array([[0.3, -0.2], [1.0, 0.5], [-1.0, 2.0]])
    y = np.array([0.1, -0.4, 2.0])
    # (0.2 / 2) * (6 + 9.25) = 1.525; abs 1e-12 since it is a difference of two O(10) numbers
    assert with_l2.loss(X, y) - without.loss(X, y) == pytest.approx(1.525, abs=1e-12)


def test_l2_gradient_adds_lambda_w_to_dw_and_nothing_to_db():
    with_l2, without = two_layer_nets(0.2)
    X = np.array([[0.3, -0.2], [1.0, 0.5], [-1.0, 2.0]])
    y = np.array([0.1, -0.4, 2.0])
    loss_a, dW_a, db_a = with_l2.gradients(X, y)
    loss_b, dW_b, db_b = without.gradients(X, y)
    assert loss_a - loss_b == pytest.approx(1.525, abs=1e-12)
    for Wa, Wb, W in zip(dW_a, dW_b, without.W, strict=True):
        np.testing.assert_allclose(Wa - Wb, 0.2 * W, rtol=1e-12, atol=1e-14)
    for ba, bb in zip(db_a, db_b, strict=True):
        np.testing.assert_allclose(ba, bb, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# numerical stability: huge logits give finite, accurate values and no warnings


def quietly(fn, *args):
    """Call fn with every warning turned into an error (not only RuntimeWarning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args)


@pytest.mark.parametrize("labels, expected_loss", [
    ((0, 1), 0.0),                 # both confident and right: loss ~ e^-2000 = 0
    ((1, 0), 2000.0),              # both confident and wrong: loss = logit gap 2000
    ((0, 0), 1000.0),              # one of each: the mean of 0 and 2000
])
def test_softmax_cross_entropy_with_logits_of_1000(labels, expected_loss):
    # x = 1 -> logits (1000, -1000), p = (1, 0); x = -1 -> logits (-1000, 1000), p = (0, 1)
    net = net_with([1, 2], [[[1000.0, -1000.0]]], [[0.0, 0.0]],
                   output="softmax", loss="cross_entropy")
    X, y = np.array([[1.0], [-1.0]]), np.array(labels)
    loss = quietly(net.loss, X, y)
    g_loss, dW, db = quietly(net.gradients, X, y)
    # exact values; 1e-9 absolute covers the e^-2000 terms that round away
    assert loss == pytest.approx(expected_loss, rel=RTOL, abs=1e-9)
    assert g_loss == pytest.approx(expected_loss, rel=RTOL, abs=1e-9)
    # dL/dA = (p - onehot) / N; dW = X^T dA, db = column sums of dA
    P = np.array([[1.0, 0.0], [0.0, 1.0]])
    dA = (P - np.eye(2)[list(labels)]) / 2
    np.testing.assert_allclose(dW[0], X.T @ dA, atol=1e-12)
    np.testing.assert_allclose(db[0], dA.sum(axis=0), atol=1e-12)


@pytest.mark.parametrize("logit", [40.0, 1000.0, -40.0, -1000.0])
@pytest.mark.parametrize("target", [0, 1])
def test_sigmoid_cross_entropy_with_huge_logits(logit, target):
    # sigmoid(40) already rounds to 1.0 in float64; the pinned formula's exact value is
    # softplus(z) - y z = max(z, 0) - y z + log(1 + e^{-|z|}): ~0 when right, ~|z| when wrong.
    # A clipped log (e.g. log(max(1 - p, 1e-15)) = 34.5) would be finite but wrong.
    net = net_with([1, 1], [[[logit]]], [[0.0]], output="sigmoid", loss="cross_entropy")
    X, y = np.array([[1.0]]), np.array([target])
    expected = max(logit, 0.0) - target * logit + math.log1p(math.exp(-abs(logit)))
    loss = quietly(net.loss, X, y)
    _, dW, db = quietly(net.gradients, X, y)
    assert loss == pytest.approx(expected, rel=RTOL, abs=1e-12)
    # dL/dA = p - y, with p = 1 or 0 to float64 precision (e^-40 ~ 4e-18)
    p = 1.0 if logit > 0 else 0.0
    np.testing.assert_allclose(db[0], [p - target], atol=1e-12)
    np.testing.assert_allclose(dW[0], [[p - target]], atol=1e-12)


def test_sigmoid_cross_entropy_target_matrix_with_huge_logits():
    # logits (1000, -1000): targets (1, 1) -> 0 + 1000; targets (0, 0) -> 1000 + 0
    net = net_with([1, 2], [[[1000.0, -1000.0]]], [[0.0, 0.0]],
                   output="sigmoid", loss="cross_entropy")
    X = np.array([[1.0], [1.0]])
    y = np.array([[1.0, 1.0], [0.0, 0.0]])
    loss = quietly(net.loss, X, y)
    assert loss == pytest.approx((1000.0 + 1000.0) / 2, rel=RTOL)
    _, dW, db = quietly(net.gradients, X, y)
    assert all(np.isfinite(a).all() for a in dW + db)


@pytest.mark.parametrize("label, expected", [(0, 0.0), (1, 2.0)])
def test_softmax_squared_error_with_huge_logits(label, expected):
    # p = (1, 0): right -> 0; wrong -> (1 - 0)^2 + (0 - 1)^2 = 2
    net = net_with([1, 2], [[[1000.0, -1000.0]]], [[0.0, 0.0]],
                   output="softmax", loss="squared_error")
    X, y = np.array([[1.0]]), np.array([label])
    assert quietly(net.loss, X, y) == pytest.approx(expected, abs=1e-12)
    _, dW, db = quietly(net.gradients, X, y)
    assert all(np.isfinite(a).all() for a in dW + db)


def test_huge_hidden_preactivations_stay_finite():
    # sigmoid and tanh hidden units saturated at +-1000 must not warn (no exp overflow)
    for activation in ("sigmoid", "tanh"):
        net = net_with([1, 2, 2], [[[1000.0, -1000.0]], [[1.0, 0.0], [0.0, 1.0]]],
                       [[0.0, 0.0], [0.0, 0.0]], activation=activation, output="softmax")
        X, y = np.array([[1.0], [-1.0]]), np.array([0, 1])
        loss = quietly(net.loss, X, y)
        _, dW, db = quietly(net.gradients, X, y)
        assert math.isfinite(loss) and all(np.isfinite(a).all() for a in dW + db)


# ---------------------------------------------------------------------------------------------
# linear + cross_entropy is not defined


def test_linear_output_with_cross_entropy_is_refused_naming_valid_choices():
    with pytest.raises(ValueError) as err:
        Network([2, 3], output="linear", loss="cross_entropy")
    msg = str(err.value)
    # either the outputs cross_entropy accepts, or the loss a linear output accepts
    assert ("softmax" in msg and "sigmoid" in msg) or "squared_error" in msg, msg


# ---------------------------------------------------------------------------------------------
# the gradient w.r.t. the output layer of a 0-hidden-layer net, by independent formulas:
# A = X W + b, P = O(A), dW = X^T dA, db = sum_rows dA (+ lambda W on dW)


def targets_for(output, loss, rng, N, k):
    """(y as given to the engine, Y as the target matrix the formula uses)."""
    if output == "softmax":
        labels = rng.integers(0, k, size=N)
        return labels, np.eye(k)[labels]
    if output == "sigmoid":
        Y = rng.integers(0, 2, size=(N, k)).astype(float)
        return Y, Y
    Y = rng.normal(size=(N, k))
    return Y, Y


def output_layer_expectation(output, loss, A, Y, N):
    """(loss without L2, dL/dA) written from docs/design.md's table."""
    if output == "softmax":
        E = np.exp(A - A.max(axis=1, keepdims=True))
        P = E / E.sum(axis=1, keepdims=True)
    elif output == "sigmoid":
        P = 1.0 / (1.0 + np.exp(-A))
    else:
        P = A
    if loss == "squared_error":
        value = ((P - Y) ** 2).sum() / N
        G = 2.0 * (P - Y) / N                                # dL/dP
        if output == "softmax":                              # softmax Jacobian-vector product
            dA = P * (G - (P * G).sum(axis=1, keepdims=True))
        elif output == "sigmoid":
            dA = G * P * (1.0 - P)
        else:
            dA = G
    elif output == "softmax":
        value = -np.log(P[Y.astype(bool)]).sum() / N
        dA = (P - Y) / N
    else:
        value = -(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum() / N
        dA = (P - Y) / N
    return value, dA


@pytest.mark.parametrize("l2", [0.0, 0.25])
@pytest.mark.parametrize("output, loss", [
    ("softmax", "cross_entropy"),
    ("sigmoid", "cross_entropy"),
    ("linear", "squared_error"),
    ("softmax", "squared_error"),
    ("sigmoid", "squared_error"),
])
def test_output_layer_gradient_by_formula(output, loss, l2):
    rng = np.random.default_rng(7)
    N, n_in, k = 5, 3, 4
    W, b = rng.normal(size=(n_in, k)), rng.normal(size=k)
    X = rng.normal(size=(N, n_in))
    y, Y = targets_for(output, loss, rng, N, k)
    net = net_with([n_in, k], [W], [b], output=output, loss=loss, l2=l2)

    value, dA = output_layer_expectation(output, loss, X @ W + b, Y, N)
    value += 0.5 * l2 * (W ** 2).sum()
    got_loss, dW, db = net.gradients(X, y)
    # 1e-10 relative: a few dozen float64 operations, in an order the engine may choose
    assert got_loss == pytest.approx(value, rel=1e-10)
    assert net.loss(X, y) == pytest.approx(value, rel=1e-10)
    np.testing.assert_allclose(dW[0], X.T @ dA + l2 * W, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(db[0], dA.sum(axis=0), rtol=1e-10, atol=1e-13)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.1, 600.0))
def test_softmax_cross_entropy_matches_log_sum_exp_for_random_logits(seed, scale):
    # mean over rows of logsumexp(a_i) - a_{i, l_i}: the same definition, written stably here.
    # Scales up to 600 reach logit gaps where a probability underflows to 0.
    rng = np.random.default_rng(seed)
    W, b = scale * rng.normal(size=(3, 4)), scale * rng.normal(size=4)
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 4, size=6)
    net = net_with([3, 4], [W], [b], output="softmax", loss="cross_entropy")
    A = X @ W + b
    m = A.max(axis=1)
    lse = m + np.log(np.exp(A - m[:, None]).sum(axis=1))
    expected = float(np.mean(lse - A[np.arange(6), y]))
    # rtol 1e-10 plus a tiny abs for near-zero losses of very confident right answers
    assert quietly(net.loss, X, y) == pytest.approx(expected, rel=1e-10, abs=1e-12)
