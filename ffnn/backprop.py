"""Backpropagation for one example, every intermediate kept, for the walk-through: the forward
pass A_i = H_{i-1} W_i + b_i, H_i = g(A_i), then the backward pass delta_i, grad W_i, grad b_i.

It runs the engine's own Network.forward_cache and Network.backward, so the numbers shown are
the ones gradient descent uses, not a re-implementation.
"""

from dataclasses import dataclass

import numpy as np

from . import _validate as check
from .network import QUIET


@dataclass(frozen=True)
class Trace:
    """One example through the network; lists run over layers i = 1..L (index i-1).

    H: H_0 = x, H_1 .. H_{L-1}, each (n_i,)      A: A_1 .. A_L, each (n_i,)
    Y: y_hat (k,)   T: target (k,)   loss: L(theta) on this example alone
    delta: delta_1 .. delta_L = dL/dA_i, each (n_i,)
    dW: grad W_1 .. grad W_L, each (n_{i-1}, n_i) = outer(H_{i-1}, delta_i)
    db: grad b_1 .. grad b_L, each (n_i,) = delta_i
    """

    H: list
    A: list
    Y: np.ndarray
    T: np.ndarray
    loss: float
    delta: list
    dW: list
    db: list


def trace(net, x, y):
    """Forward and backward pass of `net` on one example x (n_in,) with label/target y."""
    x = check.finite_array("x", x, ndim=1)
    X = net.check_inputs(x[None, :])
    T, _ = net.targets(np.asarray(y).reshape(1, *np.shape(y)), 1)
    net.sync()
    dW, db = net.unflatten(np.empty_like(net.theta))
    with np.errstate(**QUIET):
        Hs, As, Y = net.forward_cache(X)
        deltas = net.backward(Hs, As, Y, T, dW, db)
        loss = net._loss_value(As, Y, T)
    return Trace(H=[h[0].copy() for h in Hs], A=[a[0].copy() for a in As], Y=Y[0].copy(),
                 T=T[0].copy(), loss=loss, delta=[d[0].copy() for d in reversed(deltas)],
                 dW=[w.copy() for w in dW], db=[b.copy() for b in db])
