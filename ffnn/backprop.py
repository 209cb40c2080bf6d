"""Backpropagation with every intermediate kept, for the pages that show it: the forward pass
A_i = H_{i-1} W_i + b_i, H_i = g(A_i), then the backward pass delta_i, grad W_i, grad b_i.

It runs the engine's own Network.forward_cache and Network.backward, so the numbers shown are
the ones gradient descent uses, not a re-implementation. Pages call `trace` (one example),
`deltas` (every example's delta_l) and `hidden_activations`; never the passes themselves.
"""

from dataclasses import dataclass

import numpy as np

from . import _validate as check
from .network import QUIET


@dataclass(frozen=True)
class Trace:
    """Both passes over a batch X (N, n_in); lists run over layers i = 1..L (index i-1).

    H: H_0 = X, H_1 .. H_{L-1}, each (N, n_i)     A: A_1 .. A_L, each (N, n_i)
    Y: Y_hat (N, k)   T: targets (N, k)   loss: L(theta) on this batch
    delta: delta_1 .. delta_L = dL/dA_i, each (N, n_i)
    dW: grad W_1 .. grad W_L, each (n_{i-1}, n_i) = H_{i-1}^T delta_i
    db: grad b_1 .. grad b_L, each (n_i,) = delta_i summed over the rows
    For one example (see `trace`) every (N, n) array is a row (n,).
    """

    H: list
    A: list
    Y: np.ndarray
    T: np.ndarray
    loss: float
    delta: list
    dW: list
    db: list


def passes(net, X, T):
    """Forward and backward pass of `net` over X (N, n_in), T (N, k), both as
    net.check_inputs and net.targets return them -> Trace of the whole batch."""
    net.sync()
    dW, db = net.unflatten(np.empty_like(net.theta))
    with np.errstate(**QUIET):
        Hs, As, Y = net.forward_cache(X)
        deltas = net.backward(Hs, As, Y, T, dW, db)           # delta_L first
        loss = net.loss_value(As, Y, T)
    return Trace(H=Hs, A=As, Y=Y, T=T, loss=loss, delta=deltas[::-1], dW=dW, db=db)


def trace(net, x, y):
    """Forward and backward pass of `net` on one example x (n_in,) with label/target y."""
    x = check.finite_array("x", x, ndim=1)
    X = net.check_inputs(x[None, :])
    T, _ = net.targets(np.asarray(y).reshape(1, *np.shape(y)), 1)
    t = passes(net, X, T)
    return Trace(H=[h[0].copy() for h in t.H], A=[a[0].copy() for a in t.A], Y=t.Y[0].copy(),
                 T=t.T[0].copy(), loss=t.loss, delta=[d[0].copy() for d in t.delta],
                 dW=t.dW, db=t.db)


def deltas(net, X, y):
    """The learning signal of every unit at every example: delta_1 .. delta_L, delta_l =
    dL/dA_l of shape (N, n_l), first layer first. L is a mean over the N examples, so each
    row carries a factor 1/N (times N, it is that example's own signal)."""
    X = net.check_inputs(X)
    T, _ = net.targets(y, len(X))
    return passes(net, X, T).delta


def hidden_activations(net, X, layer):
    """H_layer = g(A_layer) (N, n_layer) at every row of X (N, n_in); layer 1 .. L-1."""
    layer = check.integer("layer", layer, lo=1, hi=net.L - 1)
    X = net.check_inputs(X)
    net.sync()
    with np.errstate(**QUIET):
        return net.forward_cache(X)[0][layer]
