"""Explaining a divergence: where the gradient first blew up, and which learning rate to try.

Gradient descent on a quadratic bowl is stable only for eta < 2 / lambda_max, lambda_max the
largest eigenvalue of the Hessian of L(theta). `sharpness` estimates lambda_max by power
iteration on Hessian-vector products (centered differences of grad theta), so the suggested
learning rate comes from the loss surface itself, not from a rule of thumb.
"""

import math
from dataclasses import dataclass

import numpy as np

from . import _validate as check

NICE = (1.0, 2.0, 5.0)  # suggested learning rates are rounded down to 1, 2 or 5 x 10^k


def blow_up(history, L, factor=100.0):
    """(step, layer, "W" or "b") where some ||grad W_l|| or ||grad b_l|| first exceeded
    `factor` times its value at the first recorded update; the block with the largest growth
    at that step. None if none did."""
    if len(history) == 0:
        return None
    cols = [f"grad_{p}{l}" for p in "Wb" for l in range(1, L + 1)]
    G = history[cols].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = G / np.maximum(G[0], 1e-300)
    growth = np.where(np.isfinite(growth), growth, np.inf)
    hit = (growth > factor).any(axis=1)
    if not hit.any():
        return None
    row = int(np.argmax(hit))
    block = int(np.argmax(growth[row]))
    return int(history["step"].iloc[row]), block % L + 1, "Wb"[block // L]


def _flat_grad(net, X, y):
    """grad theta as one vector, in theta's own order (W_1 .. W_L, b_1 .. b_L)."""
    _, dW, db = net.gradients(X, y)
    return np.concatenate([g.ravel() for g in dW] + [g.ravel() for g in db])


def sharpness(net, X, y, iters=20, seed=0):
    """lambda_max of the Hessian of L at net's theta (largest in magnitude), by power iteration.

    Hv ~ (grad(theta + e v) - grad(theta - e v)) / 2e on a float64 copy of the network; the
    caller's network is not changed.
    """
    iters = check.integer("iters", iters, lo=1, hi=1000)
    probe = net.copy(dtype="float64")
    theta = probe.theta.copy()
    v = np.random.default_rng(seed).normal(size=theta.size)
    lam = 0.0
    for _ in range(iters):
        v /= np.linalg.norm(v)
        eps = 1e-4 * max(1.0, float(np.linalg.norm(theta)))
        probe.theta[...] = theta + eps * v
        g_up = _flat_grad(probe, X, y)
        probe.theta[...] = theta - eps * v
        g_down = _flat_grad(probe, X, y)
        Hv = (g_up - g_down) / (2 * eps)
        if not np.isfinite(Hv).all():
            return math.inf
        lam = float(v @ Hv)
        if not np.linalg.norm(Hv):
            return 0.0
        v = Hv
    return abs(lam)


def nice_floor(x):
    """Largest 1, 2 or 5 x 10^k not above x (x > 0)."""
    k = math.floor(math.log10(x))
    return max(m * 10.0**k for m in NICE if m * 10.0**k <= x * (1 + 1e-12))


@dataclass(frozen=True)
class Explanation:
    step: int            # the update that would have made theta non-finite
    layer: int           # the first layer whose gradient (or parameters) went non-finite
    blowup_step: int     # where the gradient first grew far beyond its starting size
    blowup_layer: int
    blowup_param: str    # "W" or "b"
    lambda_max: float    # sharpness at theta_0
    suggested_lr: float

    def text(self, lr):
        blow = (f"The gradient first blew up at step {self.blowup_step} in layer "
                f"{self.blowup_layer} (‖∇{self.blowup_param}_{self.blowup_layer}‖ grew more than "
                "100-fold), and "
                f"at step {self.step} layer {self.layer} stopped being finite.")
        return (blow + " " + curvature_text(self.lambda_max, lr) + f" Try η = "
                f"{self.suggested_lr:g}. The last finite parameters are kept: lower η to go on "
                "from them, or Reset to start again from θ₀.")


def curvature_text(lambda_max, lr):
    """Why `lr` is too large, from the sharpness lambda_max at theta_0."""
    if math.isfinite(lambda_max) and lambda_max > 0:
        return (f"Near θ₀ the loss surface curves with λ_max ≈ {lambda_max:.3g}; on a bowl "
                f"that steep gradient descent is stable only for η < 2/λ_max ≈ "
                f"{2 / lambda_max:.3g}, and η = {lr:g} overshoots.")
    return f"η = {lr:g} is too large for this loss surface."


def explain(trainer):
    """An Explanation of the trainer's divergence (None if it has not diverged)."""
    div = trainer.diverged
    if div is None:
        return None
    L = trainer.net.L
    blow = blow_up(trainer.history, L) or (div.step, div.layer, "W")
    return Explanation(div.step, div.layer, *blow, *suggestion(trainer))


def suggestion(trainer):
    """(lambda_max at theta_0, a learning rate to try): a tenth of the current eta, and never
    above 1/lambda_max, half the stability limit 2/lambda_max, rounded down to 1, 2 or 5 x 10^k."""
    theta0 = trainer.snapshots()[1][0]
    start = trainer.net.copy(dtype="float64")
    start.theta[...] = theta0
    try:
        lam = sharpness(start, trainer.X, trainer.T)
    except ValueError:
        lam = math.inf
    limit = trainer.lr / 10
    if math.isfinite(lam) and lam > 0:
        limit = min(limit, 1.0 / lam)
    return lam, nice_floor(limit)
