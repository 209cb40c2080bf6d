"""The one-example walk-through: its numbers are the engine's, and each formula holds."""

import numpy as np
import pytest

from ffnn import Network
from ffnn.backprop import trace


@pytest.fixture
def net():
    return Network([3, 4, 5, 2], activation=["tanh", "sigmoid"], output="softmax", seed=2)


def test_forward_numbers_follow_the_lecture(net):
    x = np.array([0.5, -1.0, 2.0])
    tr = trace(net, x, 1)
    H = x
    for i in range(net.L):
        A = H @ net.W[i] + net.b[i]                       # A_i = H_{i-1} W_i + b_i by hand
        np.testing.assert_allclose(tr.A[i], A, rtol=1e-14)
        if i < net.L - 1:
            H = np.tanh(A) if i == 0 else 1 / (1 + np.exp(-A))
            np.testing.assert_allclose(tr.H[i + 1], H, rtol=1e-14)
    p = np.exp(tr.A[-1]) / np.exp(tr.A[-1]).sum()
    np.testing.assert_allclose(tr.Y, p, rtol=1e-14)
    assert tr.loss == pytest.approx(-np.log(p[1]), rel=1e-14)


def test_backward_formulas(net):
    tr = trace(net, np.array([0.5, -1.0, 2.0]), 0)
    np.testing.assert_allclose(tr.delta[-1], tr.Y - [1, 0], rtol=1e-14)   # softmax + CE
    for i in range(net.L):
        np.testing.assert_allclose(tr.dW[i], np.outer(tr.H[i], tr.delta[i]), rtol=1e-14)
        np.testing.assert_allclose(tr.db[i], tr.delta[i], rtol=1e-14)
    # delta_1 = (delta_2 W_2^T) * tanh'(A_1)
    np.testing.assert_allclose(tr.delta[0], (tr.delta[1] @ net.W[1].T) * (1 - tr.H[1] ** 2),
                               rtol=1e-12)


def test_delta_is_the_derivative_of_the_loss_wrt_the_pre_activation(net):
    # Centered differences on A_1 itself: push A_1[j] by h through the rest of the network.
    x, y = np.array([0.3, 0.2, -0.7]), 1
    tr = trace(net, x, y)

    def loss_from_A1(A1):
        H = np.tanh(A1)
        A2 = H @ net.W[1] + net.b[1]
        A3 = (1 / (1 + np.exp(-A2))) @ net.W[2] + net.b[2]
        return -(A3[y] - np.log(np.exp(A3).sum()))

    h = 1e-6
    numeric = [(loss_from_A1(tr.A[0] + h * e) - loss_from_A1(tr.A[0] - h * e)) / (2 * h)
               for e in np.eye(4)]
    np.testing.assert_allclose(tr.delta[0], numeric, rtol=1e-6)


def test_averaged_over_the_data_it_is_the_full_gradient(net):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(7, 3)), rng.integers(0, 2, 7)
    _, dW, db = net.gradients(X, y)
    traces = [trace(net, X[n], y[n]) for n in range(7)]
    for i in range(net.L):
        np.testing.assert_allclose(np.mean([t.dW[i] for t in traces], axis=0), dW[i], rtol=1e-12)
        np.testing.assert_allclose(np.mean([t.db[i] for t in traces], axis=0), db[i], rtol=1e-12)


def test_bad_example(net):
    with pytest.raises(ValueError, match="x"):
        trace(net, np.array([np.nan, 0, 0]), 0)
    with pytest.raises(ValueError, match="X"):
        trace(net, np.zeros(2), 0)
