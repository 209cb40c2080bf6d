"""Divergence explained: the sharpness estimate against the exact Hessian of a quadratic, the
stability limit 2/lambda_max against real gradient descent, and the blow-up locator."""

import numpy as np
import pandas as pd
import pytest

from ffnn import Network, Trainer
from ffnn.diagnose import blow_up, explain, nice_floor, sharpness


def linear_problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3)) * np.array([1.0, 2.0, 0.5])
    y = X @ np.array([0.5, -1.0, 2.0]) + 0.1
    return X, y


def exact_lambda_max(X):
    # One linear output, squared error (1/N) sum (Xw + b - y)^2: Hessian = (2/N) [X 1]^T [X 1].
    Xa = np.hstack([X, np.ones((len(X), 1))])
    return np.linalg.eigvalsh(2 / len(X) * Xa.T @ Xa).max()


def test_sharpness_of_a_quadratic_is_the_largest_hessian_eigenvalue():
    X, y = linear_problem()
    net = Network([3, 1], output="linear", loss="squared_error")
    theta = net.theta.copy()
    assert sharpness(net, X, y, iters=100) == pytest.approx(exact_lambda_max(X), rel=1e-4)
    np.testing.assert_array_equal(net.theta, theta)     # the caller's theta is untouched


@pytest.mark.parametrize("margin, diverges", [(0.9, False), (1.1, True)])
def test_gradient_descent_is_stable_exactly_below_two_over_lambda(margin, diverges):
    X, y = linear_problem()
    lr = margin * 2 / exact_lambda_max(X)
    tr = Trainer(Network([3, 1], output="linear", loss="squared_error"), X, y, lr=lr,
                 max_iterations=5000)
    tr.step(5000)
    assert (tr.diverged is not None) == diverges


def test_blow_up_finds_the_first_hundredfold_growth():
    h = pd.DataFrame({"step": [1, 2, 3, 4], "grad_W1": [1.0, 5.0, 50.0, 500.0],
                      "grad_W2": [2.0, 2.0, 300.0, np.inf], "grad_b1": [1.0, 1.0, 1.0, 1.0],
                      "grad_b2": [1.0, 1.0, 1.0, 1.0]})
    assert blow_up(h, 2) == (3, 2, "W")   # step 3: W_2 grew 150-fold, W_1 only 50
    assert blow_up(h.iloc[:2], 2) is None
    h["grad_b1"] = [0.1, 20.0, 20.0, 20.0]
    assert blow_up(h, 2) == (2, 1, "b")   # a bias can blow up first (dead ReLUs, say)


def test_nice_floor():
    assert nice_floor(0.37) == 0.2
    assert nice_floor(0.05) == 0.05
    assert nice_floor(7.0) == 5.0
    assert nice_floor(1e-3) == pytest.approx(1e-3)


def test_explain_a_real_divergence():
    X, y = linear_problem()
    lam = exact_lambda_max(X)
    tr = Trainer(Network([3, 1], output="linear", loss="squared_error"), X, y, lr=5 / lam,
                 max_iterations=5000)
    tr.step(5000)
    why = explain(tr)
    assert why.step == tr.diverged.step and why.layer == 1
    assert why.lambda_max == pytest.approx(lam, rel=1e-3)
    assert why.suggested_lr <= 1 / lam                       # inside the stable region
    assert 1 <= why.blowup_step < why.step
    text = why.text(tr.lr)
    assert f"step {why.blowup_step}" in text and "Try η" in text
    # And the suggestion works: the same start with the suggested rate converges.
    again = Trainer(Network([3, 1], output="linear", loss="squared_error"), X, y,
                    lr=why.suggested_lr, max_iterations=5000)
    again.step(5000)
    assert again.diverged is None and again.evaluate()["train_loss"] < 1e-3


def test_no_explanation_without_divergence():
    X, y = linear_problem()
    tr = Trainer(Network([3, 1], output="linear", loss="squared_error"), X, y, lr=0.01)
    tr.step(10)
    assert explain(tr) is None
