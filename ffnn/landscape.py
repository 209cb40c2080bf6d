"""The loss surface around theta seen through a plane (Li et al., 2018, "Visualizing the Loss
Landscape of Neural Nets"): L(theta + alpha d1 + beta d2) over a grid of (alpha, beta), with two
random directions d1, d2 scaled filter by filter like the weights they move.

It is one 2-D slice of a surface in n_params dimensions, not the whole landscape; and a training
trajectory leaves the plane, so its `project`ion onto it is only approximate.
"""

import numpy as np

from . import _validate as check
from .network import QUIET, Network

# Grid points evaluated together: bounds one batch's activations to ~2M floats (16 MB).
_BATCH_FLOATS = 2 ** 21


def filter_normalised_directions(net, seed=0):
    """Two random directions -> d1, d2, each (n_params,) and laid out like net.theta.

    Each is drawn from N(0, I); then every filter is rescaled to the norm of the same filter of
    theta. In a fully connected layer a filter is the incoming weights of one unit, a column of
    W_l (fan_in, fan_out), so a step of 1 along d moves each unit's weights by their own length
    and the picture does not depend on how the weights happen to be scaled. The bias parts are
    0: the paper leaves biases (and batch-norm parameters) out of the directions, and so do we.
    The same net and seed give the same directions.
    """
    _check_net(net)
    seed = check.integer("seed", seed, lo=0)
    net.sync()
    rng = np.random.default_rng(seed)
    return _direction(net, rng), _direction(net, rng)


def _direction(net, rng):
    d = np.zeros_like(net.theta)
    D, _ = net.unflatten(d)          # views of d's weight parts; its bias parts stay 0
    for W, Dl in zip(net.W, D):
        Dl[...] = rng.standard_normal(Dl.shape)
        Dl *= np.linalg.norm(W, axis=0) / np.linalg.norm(Dl, axis=0)
    return d


def landscape(net, X, y, d1, d2, *, span=1.0, resolution=25):
    """L around theta on the plane theta + alpha d1 + beta d2 -> alphas (G,), betas (G,), L (G, G).

    alphas = betas = G values evenly spaced from -span to span (with G odd the middle one is
    exactly 0, so theta itself is on the grid). L[i, j] = L(theta + alphas[j] d1 + betas[i] d2)
    on (X, y), the network's own loss with its L2 term: rows follow betas, as the rows of
    ffnn.grid.predict_grid follow ys. Works on a copy; the caller's theta is never changed.
    """
    _check_net(net)
    span = check.positive_finite("span", span)
    G = check.integer("resolution", resolution, lo=3, hi=201)
    twin = net.copy()
    d1 = _vector("d1", d1, twin.n_params, twin.dtype)
    d2 = _vector("d2", d2, twin.n_params, twin.dtype)
    X = twin.check_inputs(X)
    T, _ = twin.targets(y, len(X))
    half = (G - 1) / 2
    alphas = span * (np.arange(G) - half) / half
    betas = alphas.copy()
    a, b = np.meshgrid(alphas, betas)            # a[i, j] = alphas[j], b[i, j] = betas[i]
    losses = _losses(twin, X, T, d1, d2, a.ravel().astype(twin.dtype), b.ravel().astype(twin.dtype))
    return alphas, betas, losses.reshape(G, G)


def _losses(net, X, T, d1, d2, a, b):
    """L(theta + a[g] d1 + b[g] d2) for every g -> (len(a),), a batch of grid points at a time.

    Each batch is one stacked pass of the network's own forward pass (Network.layers) over B
    thetas, so at alpha = beta = 0 the loss is bit for bit net.loss(X, y)."""
    per_point = len(X) * max(net.sizes) + net.n_params   # one layer's A_i at a time
    chunk = max(1, _BATCH_FLOATS // per_point)
    out = np.empty(len(a))
    with np.errstate(**QUIET):
        for start in range(0, len(a), chunk):
            s = slice(start, start + chunk)
            thetas = net.theta + a[s, None] * d1 + b[s, None] * d2      # (B, n_params)
            for A, Y in net.layers(X, thetas):       # keep only the output layer's A_L, Y_hat
                pass
            out[s] = net.loss_value([A], Y, T, thetas)
    return out


def project(thetas, center, d1, d2):
    """Coordinates (alpha, beta) of each thetas[s] - center in the plane of d1, d2 -> (S, 2).

    thetas (S, n_params), center, d1, d2 (n_params,). Least squares, not two dot products:
    random directions are nearly, not exactly, orthogonal. Whatever of thetas[s] - center lies
    off the plane is dropped, so this is where the path's shadow falls, not the path itself.
    """
    center = check.finite_array("center", center, ndim=1)
    P = len(center)
    thetas = np.atleast_2d(check.finite_array("thetas", thetas, ndim=(1, 2)))
    if thetas.shape[1] != P:
        raise ValueError(f"thetas must have shape (S, {P}), one theta per row like center; "
                         f"got {thetas.shape}")
    D = np.column_stack([_vector("d1", d1, P), _vector("d2", d2, P)])
    if np.linalg.matrix_rank(D) < 2:
        raise ValueError("d1 and d2 must span a plane; they are zero or parallel")
    coef, *_ = np.linalg.lstsq(D, (thetas - center).T, rcond=None)
    return coef.T


def plane_share(theta, center, d1, d2):
    """How much of the step theta - center lies in the plane of d1, d2: the length of its
    orthogonal projection onto the plane over its own length, in [0, 1] (NaN if theta is the
    center). For random directions in P dimensions expect about sqrt(2 / P)."""
    theta = check.finite_array("theta", theta, ndim=1)
    center = check.finite_array("center", center, ndim=1)
    if center.shape != theta.shape:
        raise ValueError(f"center must have shape {theta.shape} like theta; got {center.shape}")
    norm = np.linalg.norm(theta - center)
    if norm == 0:
        return float("nan")
    a, b = project(theta, center, d1, d2)[0]
    return float(min(np.linalg.norm(a * np.asarray(d1) + b * np.asarray(d2)) / norm, 1.0))


def _check_net(net):
    if not isinstance(net, Network):
        raise ValueError(f"net must be an ffnn.Network; got {type(net).__name__}")


def _vector(param, v, P, dtype=np.float64):
    v = check.finite_array(param, v, ndim=1, dtype=dtype)
    if v.shape != (P,):
        raise ValueError(f"{param} must have shape ({P},), one entry per parameter of theta; "
                         f"got {v.shape}")
    return v
