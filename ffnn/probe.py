"""The run as it stands at the current theta_t: L(theta_t), the accuracies, and grad theta_t's size
per layer, before the next update.

The trainer's history records each update's numbers at the theta it started from (the row of
step t holds L(theta_{t-1})), so at t = 0 it is empty. `probe` fills that gap: every chart can
show theta_0's values, and the last point of a curve is the current theta's.
"""

import weakref

import numpy as np

from .network import QUIET
from .targets import accuracy

_kept = weakref.WeakKeyDictionary()   # trainer -> (key, numbers): one probe per theta


def probe(trainer):
    """-> dict at the current theta: t, train_loss [, test_loss] [, train_acc [, test_acc]],
    grad_W1..L and grad_b1..L (norms of grad theta_t on the whole training set: one forward and
    one backward pass), norm_W1..L (||W_l||_F), and "grad": (dW, db), grad theta_t itself
    (lists shaped like W and b; read-only copies). Computed once per theta (cached on t,
    lambda and the settings changed so far)."""
    net = trainer.net
    key = (trainer.t, net.l2, len(trainer.events), trainer.diverged)
    kept = _kept.get(trainer)
    if kept is not None and kept[0] == key:
        return kept[1]
    y = trainer.labels if trainer.labels is not None else trainer.T
    out = {"t": trainer.t}
    with np.errstate(**QUIET):
        loss, dW, db = net.gradients(trainer.X, y)
        out["train_loss"] = loss
        if trainer.X_test is not None:
            y_test = trainer.labels_test if trainer.labels_test is not None else trainer.T_test
            out["test_loss"] = net.loss(trainer.X_test, y_test)
        if trainer.labels is not None:
            out["train_acc"] = accuracy(net.forward(trainer.X), trainer.labels)
            if trainer.X_test is not None:
                out["test_acc"] = accuracy(net.forward(trainer.X_test), trainer.labels_test)
        for l in range(1, net.L + 1):
            out[f"grad_W{l}"] = float(np.linalg.norm(dW[l - 1]))
            out[f"grad_b{l}"] = float(np.linalg.norm(db[l - 1]))
            out[f"norm_W{l}"] = float(np.linalg.norm(net.W[l - 1]))
    for g in (*dW, *db):
        g.flags.writeable = False
    out["grad"] = (dW, db)
    _kept[trainer] = (key, out)
    return out


def at_start(trainer):
    """The numbers at theta_0 (loss, grad_W1..L, ...): the history's first row, which the first
    update recorded at theta_0, or probe(trainer) itself before any update."""
    return trainer.first() or probe(trainer)       # no DataFrame: this runs every frame
