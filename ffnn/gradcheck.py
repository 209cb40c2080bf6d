"""Gradient check: grad theta from backpropagation against centered finite differences,
(L(theta + h e_j) - L(theta - h e_j)) / 2h for every entry j of theta, in float64."""

import numpy as np
import pandas as pd

from . import _validate as check
from .activations import ACTIVATIONS

TOLERANCE = 1e-6  # relative error below which backprop and finite differences agree


def rel_error(a, b):
    """||a - b|| / max(1e-12, ||a|| + ||b||): 0 for equal arrays, 1 for opposite ones."""
    return float(np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b)))


def numerical_gradient(net, X, y, h=1e-5):
    """Centered differences of net.loss over every entry of theta; -> flat array like theta."""
    theta = net.theta
    grad = np.empty_like(theta)
    for j in range(theta.size):
        old = theta[j]
        theta[j] = old + h
        up = net.loss(X, y)
        theta[j] = old - h
        down = net.loss(X, y)
        theta[j] = old
        grad[j] = (up - down) / (2 * h)
    return grad


def gradient_check(net, X, y, h=1e-5, tolerance=TOLERANCE, max_examples=200):
    """Compare backprop with finite differences per layer, on a float64 copy of `net`.

    -> DataFrame with one row per parameter (W_1, b_1, ..., W_L, b_L): layer (1-based), param,
    shape, backprop_norm, numerical_norm, rel_error, passed, near_kinks (see `near_kinks`).
    At most `max_examples` rows of X are used, so the check stays quick on a large data set.
    """
    h = check.positive_finite("h", h)
    tolerance = check.positive_finite("tolerance", tolerance)
    net64 = net.copy(dtype="float64")
    X = np.asarray(X)[:max_examples]
    y = np.asarray(y)[:max_examples]
    _, dW, db = net64.gradients(X, y)
    num_W, num_b = net64.unflatten(numerical_gradient(net64, X, y, h))
    kinks = near_kinks(net64, X, h)
    rows = []
    for name, ours, theirs in (("W", dW, num_W), ("b", db, num_b)):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            err = rel_error(a, b)
            rows.append({"layer": i + 1, "param": f"{name}{i + 1}", "shape": str(a.shape),
                         "backprop_norm": float(np.linalg.norm(a)),
                         "numerical_norm": float(np.linalg.norm(b)),
                         "rel_error": err, "passed": err < tolerance, "near_kinks": kinks[i]})
    return pd.DataFrame(rows).sort_values(["layer", "param"], ignore_index=True)


def near_kinks(net, X, h=1e-5):
    """Per layer l = 1..L: how many pre-activations of a layer with a kinked g (see
    Activation.kinks) feeding from it lie within 10 h of a kink, where g is not differentiable
    and a finite difference of step h can straddle it. Such a layer's parameters may fail the
    check with backprop correct."""
    net.sync()
    _, As, _ = net.forward_cache(net.check_inputs(X))
    counts = [0] * net.L
    for i, name in enumerate(net.activation):          # hidden layer i + 1
        n = sum(int(np.count_nonzero(np.abs(As[i] - kink) < 10 * h))
                for kink in ACTIVATIONS[name].kinks)
        counts[i] += n                                  # its own W, b move A_{i+1} directly
        for j in range(i):                              # and every earlier layer feeds it
            counts[j] += n
    return counts
