"""A watchdog that understands descent: is L(theta) going down, and if it stalls, why?

Gradient descent should lower L(theta). Overflow (the trainer's divergence) is only the end of a
run that went wrong long before; this module looks at the loss itself, while the run is still
finite, and names what it sees:

- **overshoot**: L(theta) is not going down. Over the last WINDOW updates (at least MIN_WINDOW)
  since the run started or a setting last changed, the median loss is above the loss it started
  from, or it grew RISE-fold against the WINDOW updates before. A step too large for the loss
  surface's curvature lands higher on the other side of the valley: the loss jumps around or
  climbs instead of falling.
- **stall**: L(theta) has been flat (it changed by less than FLAT of itself over the last
  STALL_WINDOW updates) while still far from its floor: above FAR of where it started, and above
  FAR_FROM_CHANCE of the chance loss (that of one constant answer for every point, the targets'
  mean: a run that starts near perfect is not stalled). The
  likely cause is read from the numbers at the current theta, first match wins:
    symmetric units    (every hidden unit of a layer has the same incoming weights and bias:
                        they compute one function and get one gradient, as from theta_0 = 0),
    saturated outputs  (squared error on a sigmoid/softmax output: share of points with
                        y_hat (1 - y_hat) < 0.01 at their true class, at least SATURATED),
    vanishing gradients (three layers or more: smallest / largest ||grad W_l|| below
                        VANISHING now; or the output is the same for every point, CONSTANT,
                        and the ratio was below VANISHING at theta_0: the top layers settled on
                        a constant answer before the first ones could learn),
    eta too small      (largest eta ||grad W_l|| / ||W_l|| below TINY_UPDATE while the gradient
                        is still at least a tenth of its size at the start).
  With none of them, and once the gradient has shrunk tenfold and the loss stayed flat for three
  windows, the network may be as good as it gets; before that, nothing is said (a slow stretch
  of a run that will go on down looks the same for a while).

Nothing here stops a run: the app says what it sees and offers what to try.
"""

from dataclasses import dataclass

import numpy as np

from .losses import LOSSES, OUTPUTS
from .network import QUIET
from .probe import probe

WINDOW, MIN_WINDOW, RISE = 50, 10, 1.5
STALL_WINDOW, FLAT, FAR, FAR_FROM_CHANCE = 100, 0.01, 0.5, 0.1
SATURATED, VANISHING, TINY_UPDATE, CONSTANT = 0.2, 1e-2, 1e-4, 0.02


@dataclass(frozen=True)
class Verdict:
    kind: str          # "overshoot" or "stall"
    cause: str         # overshoot: "above start" or "growing"; stall: "saturated",
                       # "vanishing", "small eta" or "plateau"
    since: int         # the t the window starts at
    text: str          # what to tell the person, with what to try
    value: float = float("nan")   # the number behind the cause (a share, a ratio, ...)
    advice: str = ""   # what to try, in a few words

    @property
    def headline(self):
        """One line: what is wrong (the stall's likely cause)."""
        if self.kind == "overshoot":
            return "L(θ) is not going down"
        return f"L(θ) is flat far from its floor: {STALL_NAMES[self.cause]}"


STALL_NAMES = {"symmetric": "symmetric units", "saturated": "saturated outputs",
               "vanishing": "vanishing gradients",
               "small eta": "η is too small", "plateau": "no gradient left"}


def losses_since(trainer):
    """(steps (n,), losses (n,)): L(theta_s) for the kept s since the run started or a setting
    last changed, the current theta's last. (A history row of step t holds L(theta_{t-1}).)"""
    start = max((e.t for e in trainer.setting_changes), default=0)
    h = trainer.history
    s = h["step"].to_numpy() - 1 if len(h) else np.empty(0, dtype=np.int64)
    keep = s >= start
    steps = np.append(s[keep], trainer.t)
    losses = np.append(h["train_loss"].to_numpy()[keep] if len(h) else [],
                       probe(trainer)["train_loss"])
    return steps, losses


def watch(trainer):
    """A Verdict on the run so far, or None while descent goes as it should."""
    if trainer.diverged is not None:
        return None
    steps, losses = losses_since(trainer)
    if not np.isfinite(losses).all() or steps[-1] - steps[0] < MIN_WINDOW:
        return None
    return _overshoot(trainer, steps, losses) or _stall(trainer, steps, losses)


def _overshoot(trainer, steps, losses):
    start, now = losses[0], steps[-1]
    recent = losses[steps > now - WINDOW]
    earlier = losses[(steps > now - 2 * WINDOW) & (steps <= now - WINDOW)]
    if np.median(recent) > start:
        cause = "above start"
        said = (f"Over the last {min(WINDOW, now - steps[0])} updates its median is "
                f"{np.median(recent):.4g}, above the {start:.4g} it started from at t = "
                f"{steps[0]}.")
    elif len(earlier) and np.median(recent) > RISE * np.median(earlier):
        cause = "growing"
        said = (f"It grew from a median of {np.median(earlier):.4g} to {np.median(recent):.4g} "
                f"over the last {2 * WINDOW} updates.")
    else:
        return None
    return Verdict("overshoot", cause, int(steps[0]), said)


def _stall(trainer, steps, losses):
    now = steps[-1]
    if now - steps[0] < STALL_WINDOW:
        return None
    then = losses[np.searchsorted(steps, now - STALL_WINDOW)]
    if abs(then - losses[-1]) > FLAT * abs(then) or losses[-1] < FAR * losses[0] \
            or losses[-1] < FAR_FROM_CHANCE * (chance_loss(trainer) or 0.0):
        return None
    since = int(now - STALL_WINDOW)
    flat = (f"L(θ) has stayed near {losses[-1]:.4g} since t = {since}, far from its floor "
            f"(it started at {losses[0]:.4g}).")
    net, now_ = trainer.net, probe(trainer)
    L = net.L
    grads = np.array([now_[f"grad_W{l}"] for l in range(1, L + 1)])
    same = symmetric_layer(net)
    if same is not None:
        return Verdict("stall", "symmetric", since, (
            f"{flat} Every unit of hidden layer {same} has the same weights and bias, so they "
            "compute one function and receive one gradient: after any number of updates they "
            "are still copies, and the layer acts as a single unit. Random initialisation "
            "breaks the symmetry."), float(same), "Try Xavier initialisation.")
    share = saturated_share(trainer)
    if share is not None and share >= SATURATED:
        return Verdict("stall", "saturated", since, (
            f"{flat} {share:.0%} of the training points have saturated outputs, "
            "ŷ(1 − ŷ) < 0.01: with squared error their error signal is multiplied by "
            "ŷ(1 − ŷ) ≈ 0, so the points most wrong push the weights least. Try "
            "cross-entropy (its signal is ŷ − y)."), share, "Try cross-entropy.")
    if L >= 3 and grads.max() > 0:
        ratio = grads.min() / grads.max()
        start = _start_grads(trainer)
        ratio_0 = start.min() / start.max() if len(start) and start.max() > 0 else 1.0
        if ratio < VANISHING:
            lo, hi = int(grads.argmin()) + 1, int(grads.argmax()) + 1
            return Verdict("stall", "vanishing", since, (
                f"{flat} Vanishing gradients: ‖∇W{_sub(lo)}‖ is {ratio:.1e} of "
                f"‖∇W{_sub(hi)}‖, so the layers far from the output barely learn. Try ReLU "
                "or tanh, fewer layers, or Xavier/He initialisation."), ratio,
                "Try ReLU or tanh.")
        if ratio_0 < VANISHING and output_spread(trainer) < CONSTANT:
            return Verdict("stall", "vanishing", since, (
                f"{flat} The network gives every point the same output (the boundary has one "
                f"colour). At the start ‖∇W₁‖ was {start[0] / start[-1]:.1e} of "
                f"‖∇W{_sub(L)}‖: the last layers learned the constant answer before the first "
                "ones could learn anything, and now every gradient is tiny. Try ReLU or tanh, "
                "or cross-entropy."), ratio_0, "Try ReLU or tanh.")
    updates = np.array([trainer.lr * now_[f"grad_W{l}"] / now_[f"norm_W{l}"]
                        for l in range(1, L + 1) if now_[f"norm_W{l}"] > 0])
    start_grad = _start_grad_norm(trainer)
    grad_now = float(np.sqrt(sum(now_[f"grad_{p}{l}"] ** 2 for p in "Wb"
                                 for l in range(1, L + 1))))
    if len(updates) and updates.max() < TINY_UPDATE and grad_now >= 0.1 * start_grad:
        return Verdict("stall", "small eta", since, (
            f"{flat} η = {trainer.lr:g} is too small: each update changes the weights by "
            f"at most {updates.max():.1e} of their size (about 1e-3 is healthy). Try "
            f"η = {trainer.lr * 10:g} or more."), float(updates.max()),
            f"Try η = {trainer.lr * 10:g}.")
    # No cause found: a slow stretch of a run that will go on down looks the same for a while.
    # Say "as low as it gets" only once the gradient has shrunk tenfold and it has stayed
    # flat three windows long.
    if grad_now >= 0.1 * start_grad or now - steps[0] < 3 * STALL_WINDOW or \
            abs(losses[np.searchsorted(steps, now - 3 * STALL_WINDOW)] - losses[-1]) \
            > FLAT * abs(losses[-1]):
        return None
    return Verdict("stall", "plateau", since, (
        f"{flat} The gradient has shrunk everywhere ({grad_now:.2g}, from {start_grad:.2g} "
        "at the start): this may be as low as this network gets. Try more hidden units or "
        "input features."), grad_now, "Try more hidden units.")


def saturated_share(trainer):
    """Share of training points whose output at their true class is saturated, y_hat (1 -
    y_hat) < 0.01, when the loss is squared error on a sigmoid or softmax output (there the
    error signal carries that factor); None otherwise."""
    net = trainer.net
    if not (LOSSES[net.loss_name].through_output and OUTPUTS[net.output].saturates):
        return None
    with np.errstate(**QUIET):
        Y = net.forward(trainer.X)
    T = trainer.T
    p = (Y * T).sum(axis=1) + ((1 - Y) * (1 - T)).sum(axis=1) if Y.shape[1] == 1 \
        else (Y * T).sum(axis=1)
    return float(np.mean(p * (1 - p) < 0.01))


def _first_row(trainer):
    """The history's first kept row of this stretch (since the last setting changed), or None."""
    h = trainer.history
    start = max((e.t for e in trainer.setting_changes), default=0)
    rows = h[h["step"] > start] if len(h) else h
    return rows.iloc[0] if len(rows) else None


def _start_grad_norm(trainer):
    """||grad theta|| at the first kept update of this stretch (the history's columns)."""
    first, L = _first_row(trainer), trainer.net.L
    if first is None:
        return 0.0
    return float(np.sqrt(sum(first[f"grad_W{l}"] ** 2 + first[f"grad_b{l}"] ** 2
                             for l in range(1, L + 1))))


def _start_grads(trainer):
    """||grad W_l|| for l = 1..L at the start of this stretch (empty before any update)."""
    first, L = _first_row(trainer), trainer.net.L
    if first is None:
        return np.empty(0)
    return np.array([first[f"grad_W{l}"] for l in range(1, L + 1)])


def chance_loss(trainer):
    """L of the best constant answer, the targets' mean for every point (no L2), or None for
    a loss without a closed form for it (see Loss.chance)."""
    chance = LOSSES[trainer.net.loss_name].chance
    return None if chance is None else chance(np.asarray(trainer.T, dtype=np.float64),
                                                trainer.net.output)


def output_spread(trainer):
    """How much the output varies over the training points: the largest max - min of an
    output unit (0: the same answer for every point)."""
    with np.errstate(**QUIET):
        Y = trainer.net.forward(trainer.X)
    return float(np.ptp(Y, axis=0).max())


def symmetric_layer(net):
    """The first hidden layer l (2 units or more) whose units are copies of each other (equal
    columns of W_l and equal entries of b_l), or None."""
    for l in range(1, net.L):
        W, b = net.W[l - 1], net.b[l - 1]
        if W.shape[1] > 1 and np.ptp(W, axis=1).max() == 0 and np.ptp(b) == 0:
            return l
    return None


def _sub(n):
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
