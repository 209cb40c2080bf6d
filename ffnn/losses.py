"""Output functions O and losses L(theta), found by name in OUTPUTS and LOSSES.

Each loss gives its value and the error signal delta_L = dL/dA_L at the output layer, the point
where backpropagation starts. The definitions are the ones pinned in DESIGN.md: squared error
has no 1/2, every loss is a mean over the N examples.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid


def _softmax(A):
    """Row-wise softmax of A (N, k); subtracting the row maximum keeps exp from overflowing."""
    E = A - A.max(axis=1, keepdims=True)
    np.exp(E, out=E)
    E /= E.sum(axis=1, keepdims=True)
    return E


def _softmax_vjp(Y, G):
    """dL/dA from G = dL/dY through softmax: Y * (G - sum_j G_j Y_j), row by row."""
    return Y * (G - (G * Y).sum(axis=1, keepdims=True))


def _softmax_ce(A, Y, T):
    """(1/N) sum_i -sum_j T_ij log softmax(A)_ij.

    log Y is exact enough wherever Y > 0; only when some probability underflowed to 0 (a logit
    gap beyond ~745) is the log-softmax A - logsumexp(A) computed from the logits instead.
    """
    value = -float(np.vdot(T, np.log(Y))) / A.shape[0]   # callers run under np.errstate
    if math.isfinite(value):
        return value
    Z = A - A.max(axis=1, keepdims=True)
    log_Y = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -float(np.vdot(T, log_Y)) / A.shape[0]


def softplus(A):
    """log(1 + e^a) without overflow: max(a, 0) + log1p(e^-|a|)."""
    return np.maximum(A, 0.0) + np.log1p(np.exp(-np.abs(A)))


def _sigmoid_ce(A, Y, T):
    """(1/N) sum -[t log s(a) + (1-t) log(1-s(a))] = (1/N) sum softplus(a) - t a, from the logits."""
    return float((softplus(A) - T * A).sum()) / A.shape[0]


@dataclass(frozen=True)
class Output:
    """Output function O: Y_hat = O(A_L); `vjp(Y, G)` carries G = dL/dY back to dL/dA_L.

    `cross_entropy(A, Y, T)` is the loss, computed stably, or None where
    cross-entropy is not defined for this output.
    """

    name: str
    label: str
    f: Callable
    vjp: Callable
    cross_entropy: Callable | None


OUTPUTS = {
    "softmax": Output("softmax", "Softmax", _softmax, _softmax_vjp, _softmax_ce),
    "sigmoid": Output("sigmoid", "Sigmoid", sigmoid, lambda Y, G: G * Y * (1.0 - Y), _sigmoid_ce),
    "linear": Output("linear", "Linear", lambda A: A, lambda Y, G: G, None),
}


def _se_value(out, A, Y, T):
    D = Y - T
    return float(np.vdot(D, D)) / A.shape[0]


def _se_delta(out, A, Y, T):
    G = Y - T
    G *= 2.0 / A.shape[0]
    return out.vjp(Y, G)


def _ce_value(out, A, Y, T):
    return out.cross_entropy(A, Y, T)


def _ce_delta(out, A, Y, T):
    # Softmax and sigmoid are the canonical links of cross-entropy: the Jacobian of O and the
    # derivative of the log cancel, leaving (Y_hat - y) / N.
    D = Y - T
    D *= 1.0 / A.shape[0]
    return D


@dataclass(frozen=True)
class Loss:
    """`value(out, A, Y, T) -> float` and `delta(out, A, Y, T) -> dL/dA_L (N, k)`."""

    name: str
    label: str
    value: Callable
    delta: Callable


LOSSES = {
    "cross_entropy": Loss("cross_entropy", "Cross-entropy", _ce_value, _ce_delta),
    "squared_error": Loss("squared_error", "Squared error", _se_value, _se_delta),
}


def valid_pairs():
    """(output, loss) names that define a loss: all but linear + cross_entropy."""
    return [(o, loss) for o in OUTPUTS for loss in LOSSES
            if not (loss == "cross_entropy" and OUTPUTS[o].cross_entropy is None)]
