"""How to choose the loss L(theta)? Two copies of one network trained side by side in lockstep.

Both start from the same theta_0, see the same data and the same mini-batches in the same order,
and differ in exactly one setting (the loss, eta, the optimizer, the activation or lambda), so
any difference between their runs comes from that setting alone. `output_deltas` reads the
output layer's error signal delta_L = dL/dA_L for each example from the engine's own backward
pass: it is where every gradient of the network starts.
"""

import numpy as np

from . import _validate as check
from .activations import ACTIVATIONS
from .backprop import passes
from .losses import LOSSES, OUTPUTS
from .network import Network
from .optimizers import OPTIMIZERS
from .trainer import Trainer

# The settings two runs may differ in (each keeps every shape of theta equal), with a label.
COMPARABLE = {
    "loss": "Loss",
    "lr": "Learning rate η",
    "optimizer": "Optimizer",
    "activation": "Activation",
    "l2": "L2 regularisation λ",
}
_NET_KEYS = ("activation", "output", "loss", "init", "l2", "seed", "dtype")
_TRAINER_KEYS = ("lr", "optimizer", "batch_size", "max_iterations", "seed")


class Lockstep:
    """Two Trainers, `a` and `b`, on the same (X, y) from the same theta_0.

    theta of `net_b` is overwritten by that of `net_a` before training starts, so the two
    networks must have the same layer widths. Both trainers get the same batch size and seed,
    so their mini-batches come in the same order. `kwargs_a`, `kwargs_b`: Trainer keywords
    (lr, optimizer, max_iterations, ...) for each side; the shared ones go in `common`.
    `theta0_scale` multiplies theta_0 (both sides): large weights saturate the outputs from the
    start, so some examples begin as confident mistakes.
    """

    def __init__(self, net_a, net_b, X, y, *, X_test=None, y_test=None, kwargs_a=None,
                 kwargs_b=None, theta0_scale=1.0, **common):
        _check_net("net_a", net_a)
        _check_net("net_b", net_b)
        if net_a.sizes != net_b.sizes:
            raise ValueError(f"net_b must have the layer widths of net_a, {net_a.sizes}, to "
                             f"start from the same theta_0; got {net_b.sizes}")
        kw_a, kw_b = {**common, **(kwargs_a or {})}, {**common, **(kwargs_b or {})}
        for key in ("batch_size", "seed"):    # the batch order depends on these alone
            if kw_a.get(key) != kw_b.get(key):
                raise ValueError(f"{key} must be the same for both sides (the same mini-batches "
                                 f"in the same order); got {kw_a.get(key)!r} and {kw_b.get(key)!r}")
        scale = check.positive_finite("theta0_scale", theta0_scale)
        net_a.sync()
        net_b.sync()
        net_a.theta *= scale
        net_b.theta[...] = net_a.theta                        # the same theta_0
        test = {"X_test": X_test, "y_test": y_test}
        self.a = Trainer(net_a, X, y, **test, **kw_a)
        self.b = Trainer(net_b, X, y, **test, **kw_b)

    @property
    def trainers(self):
        return self.a, self.b

    @property
    def t(self):
        """(t_a, t_b): updates done by each side."""
        return self.a.t, self.b.t

    @property
    def done(self):
        """True once neither side can go on (max_iterations or divergence)."""
        return self.a.done and self.b.done

    @property
    def max_iterations(self):
        return max(self.a.max_iterations, self.b.max_iterations)

    def checkpoint(self):
        """Both sides' checkpoints (see Trainer.checkpoint)."""
        return self.a.checkpoint(), self.b.checkpoint()

    def restore(self, cp):
        self.a.restore(cp[0])
        self.b.restore(cp[1])

    def back_to(self, step):
        """Both sides back to theta_step, exactly (see Trainer.back_to), or neither."""
        why = self.a.why_not_back(step) or self.b.why_not_back(step)
        if why:
            raise ValueError(why)
        self.a.back_to(step)
        self.b.back_to(step)

    def step(self, n=1):
        """n updates on each side; each stops by itself at max_iterations or on divergence.

        -> (updates run by a, updates run by b)."""
        n = check.integer("n", n, lo=1)
        return self.a.step(n), self.b.step(n)

    def __repr__(self):
        return f"Lockstep(t={self.t}, a={self.a.net!r}, b={self.b.net!r})"


def lockstep(sizes, X, y, *, setting="loss", a="squared_error", b="cross_entropy", X_test=None,
             y_test=None, theta0_scale=1.0, **settings):
    """Build a Lockstep whose two sides differ in the one `setting` (a key of COMPARABLE):
    side A uses the value `a`, side B the value `b`, and everything else comes from `settings`
    (Network keywords activation, output, loss, init, l2, seed, dtype and Trainer keywords
    lr, optimizer, batch_size, max_iterations; `seed` goes to both, as in the app).
    `theta0_scale`: see Lockstep."""
    check.choice("setting", setting, COMPARABLE)
    unknown = sorted(set(settings) - set(_NET_KEYS) - set(_TRAINER_KEYS))
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r}; expected some of "
                         f"{', '.join(dict.fromkeys(_NET_KEYS + _TRAINER_KEYS))}")
    side_a = _side(settings, setting, a, "a")
    side_b = _side(settings, setting, b, "b")
    nets = [Network(sizes, **{k: s[k] for k in _NET_KEYS if k in s}) for s in (side_a, side_b)]
    kwargs = [{k: s[k] for k in _TRAINER_KEYS if k in s} for s in (side_a, side_b)]
    return Lockstep(*nets, X, y, X_test=X_test, y_test=y_test, kwargs_a=kwargs[0],
                    kwargs_b=kwargs[1], theta0_scale=theta0_scale)


def _side(settings, setting, value, param):
    """The settings of one side: `settings` with `setting` set to `value` (checked)."""
    checks = {"loss": lambda v: check.choice(param, v, LOSSES),
              "optimizer": lambda v: check.choice(param, v, OPTIMIZERS),
              "activation": lambda v: check.choice(param, v, ACTIVATIONS),
              "lr": lambda v: check.positive_finite(param, v),
              "l2": lambda v: check.non_negative(param, v)}
    return {**settings, setting: checks[setting](value)}


def p_true(net, X, y):
    """The probability the network gives each example's true class -> (N,).

    Softmax: Y_hat[i, l_i]. A single sigmoid unit (k = 1) gives P(class 1) = Y_hat[i, 0], so
    P(class 0) = 1 - Y_hat[i, 0]. Independent sigmoids (k > 1): Y_hat[i, l_i]."""
    return output_deltas(net, X, y)[0]


def output_deltas(net, X, y):
    """-> (p (N,), delta (N,)): the probability of the true class (see p_true) and the size
    ||delta_L,i|| of each example's error signal at the output layer.

    delta_L = dL/dA_L (N, k) comes from net.backward, the engine's own backprop. Because L is a
    mean over the N examples, that delta carries a factor 1/N; it is multiplied by N here, so
    delta[i] is example i's own signal, the same whatever N is. The L2 penalty does not enter
    delta_L (it only adds lambda W_i to grad W_i)."""
    _check_net("net", net)
    probabilities = [o for o in OUTPUTS if OUTPUTS[o].cross_entropy is not None]
    if net.output not in probabilities:
        raise ValueError(f"net.output must be {' or '.join(map(repr, probabilities))} (a "
                         f"probability per class) to read the probability of the true class; "
                         f"got {net.output!r}")
    X = net.check_inputs(X)
    T, labels = net.targets(y, len(X))
    if labels is None:
        raise ValueError("y must hold class labels (integers), one per row of X")
    both = passes(net, X, T)
    Y = both.Y
    delta = np.linalg.norm(both.delta[-1], axis=1) * len(X)
    if Y.shape[1] == 1:
        p = np.where(labels == 1, Y[:, 0], 1.0 - Y[:, 0])
    else:
        p = Y[np.arange(len(X)), labels]
    return np.asarray(p, dtype=np.float64), delta.astype(np.float64)


def _check_net(param, net):
    """Duck-typed, not isinstance: Streamlit re-imports edited modules while a session keeps
    networks made from the previous class object."""
    if not all(hasattr(net, name) for name in ("sizes", "theta", "forward_cache", "backward")):
        raise ValueError(f"{param} must be an ffnn.Network; got {type(net).__name__}")


def textbook_delta(p, loss, output, k):
    """||delta_L|| of one example as a function of p, the probability of its true class.

    Write q = 1 - p. Per example (the 1/N of the mean left out), with y one-hot:
      sigmoid, k = 1 (yhat = P(class 1)); with y = 1, yhat = p, and with y = 0, yhat = q:
        cross-entropy  delta = yhat - y                        |delta| = q
        squared error  delta = 2 (yhat - y) yhat (1 - yhat)    |delta| = 2 q * p q = 2 p q^2
      softmax, k = 2: delta for the two logits is (+d, -d):
        cross-entropy  delta = yhat - y = (-q, +q)             ||delta|| = sqrt(2) q
        squared error  delta_j = 2 yhat_j [(yhat_j - y_j) - sum_m (yhat_m - y_m) yhat_m]
                       = (-4 p q^2, +4 p q^2)                  ||delta|| = 4 sqrt(2) p q^2
    For k > 2 the size depends on how q is shared among the wrong classes; the curves drawn are
    then the k = 2 ones for softmax (all of q on one wrong class: the largest cross-entropy
    signal) and the k = 1 ones for independent sigmoids (every other output exactly right).
    Squared error / cross-entropy is 2 p q (sigmoid) or 4 p q (softmax): near 0 for a confident
    mistake (p -> 0), where cross-entropy's signal is largest. These closed forms are the
    `textbook` rows of each Loss in ffnn.losses, where the Compare page's legend reads them.
    """
    check.choice("loss", loss, LOSSES)
    check.choice("output", output, LOSSES[loss].textbook)
    check.integer("k", k, lo=1)
    return LOSSES[loss].textbook[output][1](np.asarray(p, dtype=np.float64))
