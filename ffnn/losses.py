"""Output functions O and losses L(theta), found by name in OUTPUTS and LOSSES.

Each loss gives its value and the error signal delta_L = dL/dA_L at the output layer, the point
where backpropagation starts. The definitions are the ones pinned in docs/design.md: squared error
has no 1/2, every loss is a mean over the N examples.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid


def _softmax(A):
    """Row-wise softmax of A (N, k); subtracting the row maximum keeps exp from overflowing."""
    E = A - A.max(axis=-1, keepdims=True)
    np.exp(E, out=E)
    E /= E.sum(axis=-1, keepdims=True)
    return E


def _softmax_vjp(Y, G):
    """dL/dA from G = dL/dY through softmax: Y * (G - sum_j G_j Y_j), row by row."""
    return Y * (G - (G * Y).sum(axis=1, keepdims=True))


def _softmax_ce(A, Y, T):
    """(1/N) sum_i -sum_j T_ij log softmax(A)_ij.

    log Y is exact enough wherever Y is a normal float; where a target's probability is
    subnormal (a logit gap beyond ~708: few digits left) or underflowed to 0 (beyond ~745), the
    log-softmax A - logsumexp(A) is computed from the logits instead.
    """
    value = -float(np.vdot(T, np.log(Y))) / A.shape[0]   # callers run under np.errstate
    if math.isfinite(value) and np.all(Y[T > 0] >= np.finfo(float).tiny):
        return value
    Z = A - A.max(axis=-1, keepdims=True)
    log_Y = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    exact = -float(np.vdot(T, log_Y)) / A.shape[0]
    return exact if math.isfinite(exact) else value       # infinite logits: what log Y says


def softplus(A):
    """log(1 + e^a) without overflow: max(a, 0) + log1p(e^-|a|)."""
    return np.maximum(A, 0.0) + np.log1p(np.exp(-np.abs(A)))


def _sigmoid_ce(A, Y, T):
    """(1/N) sum -[t log s(a) + (1-t) log(1-s(a))] = (1/N) sum softplus(a) - t a, computed from
    the logits."""
    return float((softplus(A) - T * A).sum()) / A.shape[0]


@dataclass(frozen=True)
class Output:
    """Output function O: Y_hat = O(A_L); `vjp(Y, G)` carries G = dL/dY back to dL/dA_L.

    `cross_entropy(A, Y, T)` is the loss, computed stably, or None where cross-entropy is not
    defined for this output. `chain` is vjp in LaTeX, with {G} where G goes (the Backprop page
    writes delta_L with it). `js`: O as a JavaScript function of one row A (an array of k
    pre-activations) returning ŷ, the same formula, for the browser's forward pass
    (ffnn/app/stage.js). `saturates`: its Jacobian carries ŷ(1 − ŷ), which vanishes as ŷ nears
    0 or 1 (the watchdog names saturation only for these outputs).
    """

    name: str
    label: str
    f: Callable
    vjp: Callable
    cross_entropy: Callable | None
    chain: str
    js: str
    saturates: bool = False


OUTPUTS = {o.name: o for o in (
    Output("softmax", "Softmax", _softmax, _softmax_vjp, _softmax_ce,
           r"J_{\mathrm{softmax}}(A_L)^{\!\top}\,{G}",
           "A => { const m = Math.max(...A); const E = A.map(a => Math.exp(a - m)); "
           "const s = E.reduce((x, y) => x + y, 0); return E.map(e => e / s); }", True),
    Output("sigmoid", "Sigmoid", sigmoid, lambda Y, G: G * Y * (1.0 - Y), _sigmoid_ce,
           r"{G}\odot\hat y\odot(1-\hat y)", "A => A.map(a => (1 + Math.tanh(a * 0.5)) * 0.5)",
           True),
    Output("linear", "Linear", lambda A: A, lambda Y, G: G, None, "{G}", "A => A"),
)}


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
    """`value(out, A, Y, T) -> float` and `delta(out, A, Y, T) -> dL/dA_L (N, k)`.

    What the pages show of it: `delta_tex(out)`, delta_L for output `out` in LaTeX (Backprop);
    `textbook[output]`, one example's ||delta_L|| as a function of p, the probability of its
    true class, as (text, function of p), for the outputs where it has a closed form (Compare
    losses; derived in ffnn.compare.textbook_delta).

    What the engine checks with it: `probabilities`, it compares probabilities, so it needs an
    output that gives them (Output.cross_entropy not None), targets in [0, 1], and classes (the
    app offers it for classification only); `through_output`, delta_L carries O's Jacobian
    (so saturated outputs shrink it); `chance(T, output)`, the loss of the best constant answer
    (the targets' mean) for targets T (N, k), or None when it has no closed form.
    """

    name: str
    label: str
    value: Callable
    delta: Callable
    delta_tex: Callable
    textbook: dict
    probabilities: bool = False
    through_output: bool = True
    chance: Callable | None = None


def _canonical(out):
    # Softmax and sigmoid are the canonical links of cross-entropy: see _ce_delta.
    return r"\hat y - y"


def _through_output(out):
    return out.chain.replace("{G}", r"2(\hat y - y)")


def _se_chance(T, output):
    """The targets' variance, summed over the outputs."""
    return float(((T - T.mean(axis=0)) ** 2).sum(axis=1).mean())


def _ce_chance(T, output):
    """The targets' entropy: over the classes for softmax, binary per unit for sigmoid."""
    p = T.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(p), 0.0)
        if output == "sigmoid":                     # independent units: binary entropies
            terms = terms + np.where(p < 1, -(1 - p) * np.log(1 - p), 0.0)
    return float(terms.sum())


SQRT2 = math.sqrt(2.0)
LOSSES = {loss.name: loss for loss in (
    Loss("cross_entropy", "Cross-entropy", _ce_value, _ce_delta, _canonical, {
        "sigmoid": ("1 − p", lambda p: 1.0 - p),
        "softmax": ("√2(1 − p)", lambda p: SQRT2 * (1.0 - p))},
         probabilities=True, through_output=False, chance=_ce_chance),
    Loss("squared_error", "Squared error", _se_value, _se_delta, _through_output, {
        "sigmoid": ("2p(1 − p)²", lambda p: 2.0 * p * (1.0 - p) ** 2),
        "softmax": ("4√2 p(1 − p)²", lambda p: 4.0 * SQRT2 * p * (1.0 - p) ** 2)},
         chance=_se_chance),
)}


def defined(output, loss):
    """Whether loss `loss` is defined on output `output` (names): a loss of probabilities needs
    an output that gives them."""
    return not (LOSSES[loss].probabilities and OUTPUTS[output].cross_entropy is None)


def valid_pairs():
    """(output, loss) names that define a loss: all but linear + cross_entropy."""
    return [(o, loss) for o in OUTPUTS for loss in LOSSES if defined(o, loss)]
