"""Update rules theta <- theta - (a step built from grad theta), found by name in OPTIMIZERS.

Every rule has one signature, `update(theta, grad, state, eta)`, and changes the flat theta in
place; `state` is a dict the rule keeps between steps (velocities, running averages, the step
count) with its textbook defaults set on first use.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def gd(theta, grad, state, eta):
    """The lecture's rule: theta_{t+1} = theta_t - eta grad theta_t."""
    theta -= eta * grad


def momentum(theta, grad, state, eta):
    """u_t = gamma u_{t-1} + eta grad theta_t;  theta_{t+1} = theta_t - u_t  (gamma = 0.9)."""
    gamma = state.setdefault("gamma", 0.9)
    u = state.setdefault("u", np.zeros_like(theta))
    u *= gamma
    u += eta * grad
    theta -= u


def nesterov(theta, grad, state, eta):
    """Nesterov accelerated gradient, gamma = 0.9.

    The textbook rule looks ahead: u_t = gamma u_{t-1} + eta grad(theta_t - gamma u_{t-1}). Here
    theta stores that look-ahead point itself (Sutskever et al., 2013), so the gradient the trainer
    computes at theta is the look-ahead gradient, and the update becomes
    v <- gamma v + g;  theta <- theta - eta (g + gamma v).
    """
    gamma = state.setdefault("gamma", 0.9)
    v = state.setdefault("v", np.zeros_like(theta))
    v *= gamma
    v += grad
    theta -= eta * (grad + gamma * v)


def adagrad(theta, grad, state, eta):
    """v_t = v_{t-1} + g^2;  theta -= eta g / (sqrt(v_t) + eps)  (eps = 1e-8)."""
    eps = state.setdefault("eps", 1e-8)
    v = state.setdefault("v", np.zeros_like(theta))
    v += grad * grad
    theta -= eta * grad / (np.sqrt(v) + eps)


def rmsprop(theta, grad, state, eta):
    """v_t = beta v_{t-1} + (1 - beta) g^2;  theta -= eta g / (sqrt(v_t) + eps)  (beta = 0.9)."""
    beta = state.setdefault("beta", 0.9)
    eps = state.setdefault("eps", 1e-8)
    v = state.setdefault("v", np.zeros_like(theta))
    v *= beta
    v += (1.0 - beta) * grad * grad
    theta -= eta * grad / (np.sqrt(v) + eps)


def adam(theta, grad, state, eta):
    """Kingma & Ba (2015): m, v running moments, bias-corrected (m_hat, v_hat);
    beta1 0.9, beta2 0.999, eps 1e-8."""
    b1 = state.setdefault("beta1", 0.9)
    b2 = state.setdefault("beta2", 0.999)
    eps = state.setdefault("eps", 1e-8)
    m = state.setdefault("m", np.zeros_like(theta))
    v = state.setdefault("v", np.zeros_like(theta))
    t = state["t"] = state.get("t", 0) + 1
    m *= b1
    m += (1.0 - b1) * grad
    v *= b2
    v += (1.0 - b2) * grad * grad
    m_hat = m / (1.0 - b1 ** t)
    v_hat = v / (1.0 - b2 ** t)
    theta -= eta * m_hat / (np.sqrt(v_hat) + eps)


@dataclass(frozen=True)
class Optimizer:
    """One update rule found by name; `rule` is it in LaTeX, as the θ page shows it, with
    g_t = ∇θ_t. `plain`: the step is −η∇θ_t alone, with no memory between steps (the lecture's
    rule): the θ and error-surface pages write the update out with its numbers, and a run on
    the full batch can go back exactly (Trainer.back_to)."""

    name: str
    label: str
    update: Callable
    rule: str
    plain: bool = False


# AdaGrad and RMSProp differ in v_t only: both divide the step by sqrt(v_t).
_PER_ENTRY = r"\theta_{t+1} = \theta_t - \frac{\eta\,g_t}{\sqrt{v_t} + \epsilon}"
OPTIMIZERS = {o.name: o for o in (
    Optimizer("gd", "Gradient descent", gd, r"\theta_{t+1} = \theta_t - \eta\,g_t", plain=True),
    Optimizer("momentum", "Momentum (γ = 0.9)", momentum,
              r"u_t = \gamma u_{t-1} + \eta\,g_t,\quad \theta_{t+1} = \theta_t - u_t"),
    Optimizer("nesterov", "Nesterov (γ = 0.9)", nesterov,
              r"v_t = \gamma v_{t-1} + g_t,\quad "
              r"\theta_{t+1} = \theta_t - \eta\,(g_t + \gamma v_t)"),
    Optimizer("adagrad", "AdaGrad", adagrad, r"v_t = v_{t-1} + g_t^2,\quad " + _PER_ENTRY),
    Optimizer("rmsprop", "RMSProp (β = 0.9)", rmsprop,
              r"v_t = \beta v_{t-1} + (1-\beta)\,g_t^2,\quad " + _PER_ENTRY),
    Optimizer("adam", "Adam", adam,
              r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t,\ "
              r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2,\ "
              r"\theta_{t+1} = \theta_t - \frac{\eta\,\hat m_t}{\sqrt{\hat v_t} + \epsilon}"),
)}
