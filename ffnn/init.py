"""Initialisations of theta_0, found by name in INITS; all deterministic from a seed.

Each draws W_i of shape (fan_in, fan_out); biases start at zero for every scheme, so that
`zeros` really is the all-zero theta_0 of the symmetry lesson.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Init:
    """`draw(rng, fan_in, fan_out) -> W (fan_in, fan_out)` in float64."""

    name: str
    label: str
    draw: Callable


def _zeros(rng, fan_in, fan_out):
    return np.zeros((fan_in, fan_out))


def _uniform(rng, fan_in, fan_out):
    # TensorFlow Playground's choice: U(-0.5, 0.5) whatever the layer's size.
    return rng.uniform(-0.5, 0.5, (fan_in, fan_out))


def _normal(rng, fan_in, fan_out):
    return rng.normal(0.0, 0.1, (fan_in, fan_out))


def _xavier(rng, fan_in, fan_out):
    # Glorot & Bengio (2010): U(-r, r), r = sqrt(6 / (fan_in + fan_out)), keeps Var(A) ~ Var(H).
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, (fan_in, fan_out))


def _he(rng, fan_in, fan_out):
    # He et al. (2015): N(0, 2 / fan_in), for ReLU layers that zero half their inputs.
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))


INITS = {
    "xavier": Init("xavier", "Xavier (Glorot uniform)", _xavier),
    "he": Init("he", "He (normal)", _he),
    "uniform": Init("uniform", "Uniform U(-0.5, 0.5)", _uniform),
    "normal": Init("normal", "Normal N(0, 0.1²)", _normal),
    "zeros": Init("zeros", "Zeros", _zeros),
}
