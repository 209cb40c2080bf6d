"""Gradient descent on a Network, as the lecture writes it:

    t <- 0; max_iterations <- 1000; initialise theta_0
    while t++ < max_iterations:  theta_{t+1} <- theta_t - eta grad theta_t

one call of `step(n)` runs n turns of that loop (never past max_iterations), records each update
in `history`, and stops by itself if the numbers stop being finite (divergence).
"""

import math
from dataclasses import dataclass

import numpy as np

from . import _validate as check
from .events import DIVERGED, Event
from .history import History
from .network import QUIET
from .optimizers import OPTIMIZERS
from .targets import accuracy


@dataclass(frozen=True)
class Divergence:
    """Where training stopped: update `step` (1-based) made theta, or its loss or gradient,
    non-finite. The trainer keeps the last theta whose loss and gradient are finite.

    `layer` is the first layer l (1-based) whose gradient (or, failing that, whose updated
    parameters) stopped being finite; the output layer L when only the loss did. `what` says
    which: "gradient", "parameters" or "loss".
    """

    step: int
    layer: int
    what: str
    lr: float

    def message(self):
        where = f" in layer {self.layer}"
        return (f"Training diverged at step {self.step}: the {self.what}{where} stopped being "
                f"finite with learning rate {self.lr:g}. The last finite parameters are kept; "
                f"try a learning rate of {self.lr / 10:g} or smaller.")


class Trainer:
    """Runs an optimizer on `net` over (X, y); see the module docstring for the loop."""

    def __init__(self, net, X, y, lr=0.1, optimizer="gd", batch_size=None, X_test=None,
                 y_test=None, max_iterations=1000, seed=0, history_capacity=4000):
        self.net = net
        self.X = net.check_inputs(X)
        self.T, self.labels = net.targets(y, len(self.X))
        if (X_test is None) != (y_test is None):
            raise ValueError("X_test and y_test must be given together (or neither)")
        self.X_test = self.T_test = self.labels_test = None
        if X_test is not None:
            self.X_test = net.check_inputs(X_test, "X_test")
            self.T_test, self.labels_test = net.targets(y_test, len(self.X_test), "y_test")
        self.lr = lr
        self.optimizer = check.choice("optimizer", optimizer, OPTIMIZERS)
        self._batch_size = _check_batch_size(batch_size, len(self.X))
        self.max_iterations = max_iterations
        self.seed = check.integer("seed", seed, lo=0)
        self.t = 0
        self.seen = 0                    # examples used so far; epoch = seen / N
        self._last_n = 0                 # examples in the latest update
        self.diverged = None
        self.events = []                 # Events: settings changed mid-run, divergences
        self._state = {}
        self._rng = np.random.default_rng(self.seed)
        self._order, self._pos = None, 0
        self._grad = np.zeros_like(net.theta)
        self._dW, self._db = net.unflatten(self._grad)
        self._prev = np.empty_like(net.theta)
        self._offsets = net.segments()
        self._history = History(self._columns(), capacity=history_capacity)
        # Snapshots of theta_t for rewinding, thinned like the history; at most ~4 MB each.
        cap = 2 * max(25, min(500, 250_000 // net.n_params))
        self._snaps = History(["step"], capacity=cap, width=1 + net.n_params, dtype=net.dtype)
        self._snapshot()

    # ---- settings that may change mid-run (theta is kept) ---------------------------------
    @property
    def lr(self):
        """The learning rate eta."""
        return self._lr

    @lr.setter
    def lr(self, value):
        value = check.positive_finite("lr", value)
        if hasattr(self, "_lr") and value != self._lr:
            self.events.append(Event(self.t, "lr", self._lr, value))
            if self.diverged is not None:   # go on from the last finite theta, state afresh
                self.diverged, self._state = None, {}
        self._lr = value

    @property
    def max_iterations(self):
        return self._max_iterations

    @max_iterations.setter
    def max_iterations(self, value):
        self._max_iterations = check.integer("max_iterations", value, lo=1)

    @property
    def batch_size(self):
        """Examples per update; None is the full batch (the lecture's gradient descent)."""
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value):
        value = _check_batch_size(value, len(self.X))
        if value != self._batch_size:
            self.events.append(Event(self.t, "batch_size", self._batch_size, value))
            self._batch_size, self._order = value, None

    @property
    def l2(self):
        """The network's L2 strength lambda; changing it changes L(theta) from the next step."""
        return self.net.l2

    @l2.setter
    def l2(self, value):
        value = check.non_negative("l2", value)
        if value != self.net.l2:
            self.events.append(Event(self.t, "l2", self.net.l2, value))
            self.net.l2 = value

    def set_optimizer(self, name):
        """Switch the update rule; its state (velocities, moments) starts afresh."""
        check.choice("optimizer", name, OPTIMIZERS)
        if name != self.optimizer:
            self.events.append(Event(self.t, "optimizer", self.optimizer, name))
            self.optimizer, self._state = name, {}

    @property
    def setting_changes(self):
        """The events that changed a setting (the log without its divergences)."""
        return [e for e in self.events if e.setting]

    # ---- the loop -------------------------------------------------------------------------
    @property
    def done(self):
        return self.diverged is not None or self.t >= self.max_iterations

    @property
    def epoch(self):
        return self.seen / len(self.X)

    @property
    def grad_W(self):
        """grad W_1 .. grad W_L of the latest update (views; the next step overwrites them)."""
        return self._dW

    @property
    def grad_b(self):
        return self._db

    @property
    def theta_before(self):
        """theta_{t-1}, the parameters the latest update started from (None before it)."""
        return self._prev.copy() if self.t and np.isfinite(self._prev[0]) else None

    def step(self, n=1):
        """Run up to n updates (fewer at max_iterations or on divergence); return how many ran."""
        n = check.integer("n", n, lo=1)
        self.net.sync()
        start = self.t
        with np.errstate(**QUIET):
            for _ in range(n):
                if self.done:
                    break
                self._update()
        return self.t - start          # an update undone on divergence does not count

    def _update(self):
        net, grad = self.net, self._grad
        X, T, full = self._batch()
        loss, Y = net.gradients_into(X, T, self._dW, self._db)
        sq = np.add.reduceat(grad * grad, self._offsets)    # ||grad W_l||^2 .., ||grad b_l||^2 ..
        if not math.isfinite(sq.sum() + loss):
            what = "gradient" if math.isfinite(loss) else "loss"
            return self._diverge(~np.isfinite(sq), what)
        metrics = self._metrics(loss, Y, full)              # at theta_{t-1}, before the update
        if not math.isfinite(sum(metrics)):                 # e.g. the test loss overflowed
            return self._diverge(np.zeros(2 * net.L, dtype=bool), "loss")
        W = net.theta[:net.n_weights]                     # W_1 .. W_L (biases follow)
        w_sq = np.add.reduceat(W * W, self._offsets[:net.L])  # ||W_l||^2
        np.copyto(self._prev, net.theta)
        OPTIMIZERS[self.optimizer].update(net.theta, grad, self._state, self._lr)
        if not math.isfinite(net.theta.sum()):
            bad = ~np.isfinite(np.add.reduceat(np.abs(net.theta), self._offsets))
            np.copyto(net.theta, self._prev)
            return self._diverge(bad, "parameters")
        self.t += 1
        self.seen += len(X)
        self._last_n = len(X)
        row = self._history.next_row()
        row[0], row[1], row[2] = self.t, self.epoch, self._lr
        c = 3 + len(metrics)
        row[3:c] = metrics
        np.sqrt(sq, out=row[c:c + len(sq)])
        np.sqrt(w_sq, out=row[c + len(sq):])
        self._history.commit()
        self._snapshot()

    def _snapshot(self):
        row = self._snaps.next_row()
        row[0] = self.t
        row[1:] = self.net.theta
        self._snaps.commit()

    def evaluate(self):
        """Losses and accuracies at the current theta (the history's last row is at theta_{t-1}).

        -> dict with train_loss and, when available, test_loss, train_acc, test_acc.
        """
        net, out = self.net, {}
        net.sync()
        sets = [("train", self.X, self.T, self.labels)]
        if self.X_test is not None:
            sets.append(("test", self.X_test, self.T_test, self.labels_test))
        with np.errstate(**QUIET):
            for name, X, T, labels in sets:
                _, As, Y = net.forward_cache(X)
                out[f"{name}_loss"] = net.loss_value(As, Y, T)
                if labels is not None:
                    out[f"{name}_acc"] = accuracy(Y, labels)
        return out

    def _batch(self):
        """(X, T, is_full_batch) for the next update; mini-batches reshuffle every epoch."""
        N = len(self.X)
        if self._batch_size is None:
            return self.X, self.T, True
        if self._order is None or self._pos >= N:
            self._order, self._pos = self._rng.permutation(N), 0
        idx = self._order[self._pos:self._pos + self._batch_size]
        self._pos += self._batch_size
        return np.asfortranarray(self.X[idx]), np.asfortranarray(self.T[idx]), False

    def _diverge(self, bad, what):
        """Stop: `bad` flags the non-finite entries among W_1 .. W_L, b_1 .. b_L.

        The parameters kept are the last ones whose loss and gradient are finite, so that
        training can go on from them with a smaller eta: when the loss or the gradient at
        theta_t is not finite, the update t that made theta_t is undone (theta_{t-1} again)."""
        L = self.net.L
        layers = sorted({int(i) % L + 1 for i in np.flatnonzero(bad)})
        if what != "parameters" and self.t:
            np.copyto(self.net.theta, self._prev)            # theta_{t-1}
            self.t -= 1
            self.seen -= self._last_n
            self._history.pop()
            self._snaps.pop()
        # Only the loss overflowed: it is computed at the output layer, so name layer L.
        self.diverged = Divergence(self.t + 1, layers[0] if layers else L, what, self._lr)
        self.events.append(Event(self.t, DIVERGED))

    # ---- going back to a kept state (a player that ran ahead of what the page shows) -------
    def checkpoint(self):
        """Everything the next updates depend on, copied: restore(cp) later puts the trainer
        back exactly, so that the same updates follow (θ, the optimizer's memory, the
        mini-batch order and the random state, t and the settings)."""
        return _Checkpoint(self.t, self.seen, self.net.theta.copy(), self._prev.copy(),
                           self._grad.copy(), {k: _copied(v) for k, v in self._state.items()},
                           self._rng.bit_generator.state, None if self._order is None else
                           self._order.copy(), self._pos, self.diverged, len(self.events),
                           self._lr, self.optimizer, self._batch_size, self.net.l2,
                           self._last_n)

    def restore(self, cp):
        """Back to checkpoint `cp` of this trainer (see checkpoint); the history and the
        snapshots are cut at its t. Settings changed since are undone with the updates."""
        self.net.theta[...] = cp.theta
        np.copyto(self._prev, cp.prev)
        np.copyto(self._grad, cp.grad)
        self._state = {k: _copied(v) for k, v in cp.state.items()}
        self._rng.bit_generator.state = cp.rng
        self._order = None if cp.order is None else cp.order.copy()
        self._pos, self.t, self.seen, self.diverged = cp.pos, cp.t, cp.seen, cp.diverged
        del self.events[cp.n_events:]
        self._lr, self.optimizer, self._batch_size = cp.lr, cp.optimizer, cp.batch_size
        self.net.l2, self._last_n = cp.l2, cp.last_n
        self._history.truncate(cp.t)
        self._snaps.truncate(cp.t)

    # ---- history --------------------------------------------------------------------------
    def _columns(self):
        cols = ["step", "epoch", "lr", "train_loss"]
        if self.X_test is not None:
            cols.append("test_loss")
        if self.labels is not None:
            cols.append("train_acc")
            if self.X_test is not None:
                cols.append("test_acc")
        layers = range(1, self.net.L + 1)
        return (cols + [f"grad_W{l}" for l in layers] + [f"grad_b{l}" for l in layers]
                + [f"norm_W{l}" for l in layers])

    def _metrics(self, loss, Y, full):
        """train_loss [, test_loss] [, train_acc [, test_acc]] at the current theta.

        A history row is: step, epoch, lr, these metrics, grad_W1..L, grad_b1..L (norms of the
        update's gradient), norm_W1..L (||W_l||_F at theta_{t-1}, for the update ratio)."""
        net = self.net
        if not full:   # a batch's loss is noisy: the curve shows the loss on the whole set
            _, As, Y = net.forward_cache(self.X)
            loss = net.loss_value(As, Y, self.T)
        values = [loss]
        if self.X_test is not None:
            _, As, Y_test = net.forward_cache(self.X_test)
            values.append(net.loss_value(As, Y_test, self.T_test))
        if self.labels is not None:
            values.append(accuracy(Y, self.labels))
            if self.X_test is not None:
                values.append(accuracy(Y_test, self.labels_test))
        return values

    def snapshots(self):
        """(steps (S,), thetas (S, n_params)): theta_t kept for rewinding, theta_0 and the latest
        always among them (copies)."""
        rows = self._snaps.rows()
        return rows[:, 0].astype(np.int64), rows[:, 1:].copy()

    def theta_at(self, step):
        """theta at the kept snapshot nearest to `step` -> (its step, theta copy)."""
        steps, thetas = self.snapshots()
        i = int(np.abs(steps - step).argmin())
        return int(steps[i]), thetas[i]

    def why_not_back(self, step):
        """Why back_to(step) cannot be exact (a sentence), or "" if it can."""
        if not OPTIMIZERS[self.optimizer].plain or self._batch_size is not None:
            return ("only plain gradient descent on the full batch can go back exactly (this "
                    f"run uses {OPTIMIZERS[self.optimizer].label.lower()}"
                    f"{'' if self._batch_size is None else ' on mini-batches'})")
        if any(e.t > step for e in self.setting_changes):
            return f"a setting changed after t = {step}: going back would mix them"
        if step not in self._snaps.rows()[:, 0]:
            return (f"θ at t = {step} is not kept (older snapshots are thinned so that memory "
                    "stays bounded)")
        return ""

    def back_to(self, step):
        """Go back to theta_step, exactly: the kept snapshot of that step, t = step, and the
        history cut there. Only where the next updates would repeat exactly: plain gradient
        descent on the full batch (no optimizer memory, no batch order to rewind), no setting
        changed after `step`, and theta_step kept (snapshots are thinned on long runs).
        Raises ValueError naming what is missing; nothing changes then."""
        step = check.integer("step", step, lo=0, hi=self.t)
        why = self.why_not_back(step)
        if why:
            raise ValueError(why)
        steps, thetas = self.snapshots()
        self.net.theta[...] = thetas[int(np.flatnonzero(steps == step)[0])]
        if step and step - 1 in steps:            # the latest update again: from theta_{step-1}
            np.copyto(self._prev, thetas[int(np.flatnonzero(steps == step - 1)[0])])
            keep = self.net.theta.copy()
            self.net.theta[...] = self._prev
            with np.errstate(**QUIET):
                self.net.gradients_into(self.X, self.T, self._dW, self._db)
            self.net.theta[...] = keep
        else:
            self._prev.fill(np.nan)               # theta_{step-1} not kept: theta_before None
        self._history.truncate(step)
        self._snaps.truncate(step)
        # The divergences after `step`, and the one it ends (the run is no longer diverged),
        # are not on the path to this θ any more; no setting changed after `step`.
        self.events = [e for e in self.events if e.t <= step]
        if self.events and not self.events[-1].setting:
            self.events.pop()
        self.seen = step * len(self.X)
        self.t, self.diverged = step, None

    @property
    def history(self):
        """pandas DataFrame, one row per recorded update (bounded: see ffnn.history)."""
        return self._history.frame()

    def first(self):
        """The first history row as a dict, the first update's numbers at theta_0 (None before
        it)."""
        return self._history.first()

    def last(self):
        """The latest history row as a dict (None before the first update)."""
        return self._history.last()


@dataclass(frozen=True)
class _Checkpoint:
    t: int
    seen: int
    theta: np.ndarray
    prev: np.ndarray
    grad: np.ndarray
    state: dict
    rng: dict
    order: np.ndarray | None
    pos: int
    diverged: Divergence | None
    n_events: int
    lr: float
    optimizer: str
    batch_size: int | None
    l2: float
    last_n: int


def _copied(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def _check_batch_size(batch_size, N):
    if batch_size is None:
        return None
    b = check.integer("batch_size", batch_size, lo=1)
    return None if b >= N else b
