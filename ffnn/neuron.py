"""The lecture's first algorithm on its smallest problem: one sigmoid neuron f(x) = σ(wx + b),
θ = [w, b], learnt by gradient descent on a 1-D dataset.

    t <- 0; max_iterations <- 1000; initialise w_0, b_0
    while t++ < max_iterations:  w_{t+1} <- w_t - η ∇w_t;  b_{t+1} <- b_t - η ∇b_t

With only two parameters the whole error surface L(w, b) can be drawn, and the path θ_0, θ_1, ...
that gradient descent takes across it. The default data are the two points of CS7015's
gradient-descent example. The losses are the ones pinned in docs/design.md (mean over the N points;
squared error without 1/2), so with N = 2 the squared error is exactly CS7015's (1/2) Σ (f - y)².
"""

import numpy as np

from . import _validate as check
from .activations import sigmoid
from .losses import softplus
from .network import QUIET, Network
from .optimizers import OPTIMIZERS
from .trainer import Trainer

X_DATA = np.array([0.5, 2.5])       # the inputs x_i
Y_DATA = np.array([0.2, 0.9])       # their targets y_i
W_RANGE = (-6.0, 6.0)
B_RANGE = (-6.0, 6.0)
MAX_ITERATIONS = 1000               # the lecture's max_iterations
MAX_POINTS = 1000                   # loss_surface loops over the N points (not the grid)
# The losses of ffnn.losses that loss_values has a closed form of, on one sigmoid neuron.
LOSSES = ("squared_error", "cross_entropy")


def loss_values(x, y, w, b, loss="squared_error"):
    """L(w, b) for arrays w, b of any one broadcast shape S -> array S (float64).

    x, y (N,) are the data; the loop runs over the N points, each step vectorised over S.
    squared_error: (1/N) Σ_i (σ(w x_i + b) - y_i)²;
    cross_entropy: (1/N) Σ_i -[y_i log σ(a_i) + (1 - y_i) log(1 - σ(a_i))], computed from the
    pre-activation a_i = w x_i + b as softplus(a_i) - y_i a_i, so that it never takes log(0).
    """
    x, y = _check_data(x, y, loss)
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    total = np.zeros(w.shape)
    with np.errstate(**QUIET):
        for xi, yi in zip(x, y):
            a = w * xi + b
            if loss == "squared_error":
                total += (sigmoid(a) - yi) ** 2
            else:
                total += softplus(a) - yi * a
    return total / len(x)


def loss_surface(x, y, w_range=W_RANGE, b_range=B_RANGE, resolution=100,
                 loss="squared_error"):
    """The error surface on a G x G grid -> ws (G,), bs (G,), L (G, G) with L[i, j] = L(ws[j],
    bs[i]) (rows follow b, columns follow w, as a contour plot of w across and b up wants)."""
    w_lo, w_hi = _check_range("w_range", w_range)
    b_lo, b_hi = _check_range("b_range", b_range)
    G = check.integer("resolution", resolution, lo=10, hi=300)
    ws, bs = np.linspace(w_lo, w_hi, G), np.linspace(b_lo, b_hi, G)
    return ws, bs, loss_values(x, y, ws[None, :], bs[:, None], loss)


def neuron(x, y, w, b, loss="squared_error"):
    """The engine's network for this problem: Network([1, 1]) with a sigmoid output, whose only
    weight W_1[0, 0] is w and only bias b_1[0] is b -> (net, X (N, 1), y (N,))."""
    x, y = _check_data(x, y, loss)
    w, b = check.real("w0", w), check.real("b0", b)
    for name, v in (("w0", w), ("b0", b)):
        if not np.isfinite(v):
            raise ValueError(f"{name} must be a finite number; got {v!r}")
    net = Network([1, 1], output="sigmoid", loss=loss)
    net.W[0][0, 0], net.b[0][0] = w, b
    return net, x[:, None], y


def gradient(x, y, w, b, loss="squared_error"):
    """-> (L(θ), ∇w, ∇b) at θ = [w, b], from the engine's backpropagation (net.gradients)."""
    net, X, y = neuron(x, y, w, b, loss)
    value, dW, db = net.gradients(X, y)
    return value, float(dW[0][0, 0]), float(db[0][0])


def descent_path(x, y, w0, b0, eta=1.0, optimizer="gd", steps=MAX_ITERATIONS,
                 loss="squared_error"):
    """θ_0, θ_1, ..., θ_T as an array (T + 1, 2) of (w_t, b_t).

    The path is the engine's own gradient descent, not a copy of it: a ffnn.Network([1, 1]) with
    a sigmoid output whose W_1, b_1 are set to w0, b0, trained full-batch by ffnn.Trainer with
    learning rate η = `eta` and the update rule `optimizer`; row t is (net.W[0][0, 0],
    net.b[0][0]) after update t. T = `steps`, or fewer where the trainer reports divergence (the
    path then ends at the last finite θ). For 'nesterov' the engine stores the look-ahead point,
    so that is what the path shows.
    """
    eta = check.positive_finite("eta", eta)
    check.choice("optimizer", optimizer, OPTIMIZERS)
    steps = check.integer("steps", steps, lo=1, hi=10_000)
    net, X, y = neuron(x, y, w0, b0, loss)
    tr = Trainer(net, X, y, lr=eta, optimizer=optimizer, max_iterations=steps,
                 history_capacity=16)
    path = np.empty((steps + 1, 2))
    path[0] = w0, b0
    while tr.t < steps and tr.step(1):
        path[tr.t] = net.W[0][0, 0], net.b[0][0]
    return path[:tr.t + 1]


def _check_data(x, y, loss):
    check.choice("loss", loss, LOSSES)
    x = check.finite_array("x", x, ndim=1)
    y = check.finite_array("y", y, ndim=1)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length; got {len(x)} and {len(y)}")
    if len(x) > MAX_POINTS:
        raise ValueError(f"x may hold at most {MAX_POINTS} points; got {len(x)}")
    if loss != "squared_error" and (y.min() < 0 or y.max() > 1):
        raise ValueError("y must lie in [0, 1] for the cross-entropy loss")
    return x, y


def _check_range(param, value):
    msg = f"{param} must be a pair (low, high) of finite numbers with low < high; got {value!r}"
    try:
        lo, hi = value
        lo, hi = check.real(param, lo), check.real(param, hi)
    except (TypeError, ValueError):
        raise ValueError(msg) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(msg)
    return lo, hi
