"""Hidden-layer activations g, each a forward/derivative pair found by name in ACTIVATIONS.

The derivative is written in terms of the pre-activation A and the activation H = g(A), so the
backward pass reuses what the forward pass kept and computes no exponential twice.

A new activation is one row of ACTIVATIONS: the sidebar, the URL, the Backprop page, the gradient
check and the neuron maps all read what they show of it from its Activation.
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
    """g for one hidden layer, and everything the app shows of it.

    f(A) -> H and grad(A, H) -> g'(A), elementwise, any shape; grad None means g'(a) = 1
    (linear), so backward skips the product. `derivative` is g' in LaTeX, written with A_l and
    H_l (the Backprop page puts the layer's number for l). `kinks`: the values of a where g' jumps
    (ReLU: 0); a finite difference straddling one disagrees with backprop, so the gradient check
    counts the pre-activations near them. `range`: (low, high) of g, or None when unbounded; the
    neuron maps use it as their colour range. `js`: g(a) as a JavaScript expression in `a`, the
    same formula, for the live stage's forward pass in the browser (ffnn/app/stage.js).
    """

    name: str
    label: str
    f: Callable
    grad: Callable | None
    derivative: str
    js: str
    kinks: tuple[float, ...] = ()
    range: tuple[float, float] | None = None


ACTIVATIONS = {a.name: a for a in (
    Activation("sigmoid", "Sigmoid", sigmoid, _sigmoid_grad, r"H_l\odot(1-H_l)",
               "(1 + Math.tanh(a * 0.5)) * 0.5", range=(0, 1)),
    Activation("tanh", "Tanh", np.tanh, _tanh_grad, r"1-H_l^2", "Math.tanh(a)", range=(-1, 1)),
    Activation("relu", "ReLU", _relu, _relu_grad, r"[A_l>0]", "Math.max(a, 0)", kinks=(0.0,)),
    Activation("leaky_relu", f"Leaky ReLU ({LEAKY_SLOPE})", _leaky_relu, _leaky_relu_grad,
               rf"[A_l>0] + {LEAKY_SLOPE}\,[A_l\le 0]", f"a > 0 ? a : {LEAKY_SLOPE} * a",
               kinks=(0.0,)),
    Activation("linear", "Linear", _linear, None, "1", "a"),
)}
