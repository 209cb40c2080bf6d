"""Hidden-layer activations g, each a forward/derivative pair found by name in ACTIVATIONS.

The derivative is written in terms of the pre-activation A and the activation H = g(A), so the
backward pass reuses what the forward pass kept and computes no exponential twice.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def sigmoid(A):
    """Logistic function, written with tanh so it cannot overflow: 1/(1+e^-a) = (1+tanh(a/2))/2."""
    H = np.tanh(A * 0.5)
    H += 1.0
    H *= 0.5
    return H


def _tanh_grad(A, H):
    return 1.0 - H * H


def _sigmoid_grad(A, H):
    return H * (1.0 - H)


def _relu(A):
    return np.maximum(A, 0.0)


def _relu_grad(A, H):
    return (A > 0).astype(A.dtype)


LEAKY_SLOPE = 0.01


def _leaky_relu(A):
    return np.where(A > 0, A, LEAKY_SLOPE * A)


def _leaky_relu_grad(A, H):
    return np.where(A > 0, 1.0, LEAKY_SLOPE).astype(A.dtype)


def _linear(A):
    return A.copy()


@dataclass(frozen=True)
class Activation:
    """g and g' for one hidden layer: `f(A) -> H` and `grad(A, H) -> dH/dA`, elementwise."""

    name: str
    label: str
    f: Callable
    grad: Callable | None  # None means g'(a) = 1 (linear), so backward skips the product


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", "Sigmoid", sigmoid, _sigmoid_grad),
    "tanh": Activation("tanh", "Tanh", np.tanh, _tanh_grad),
    "relu": Activation("relu", "ReLU", _relu, _relu_grad),
    "leaky_relu": Activation("leaky_relu", "Leaky ReLU (0.01)", _leaky_relu, _leaky_relu_grad),
    "linear": Activation("linear", "Linear", _linear, None),
}
