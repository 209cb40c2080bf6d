"""Frames of a run that plays: θ_s and the trainer's own numbers at θ_s, for the t's a page will
show, recorded while the trainer runs its updates.

A history row of update s + 1 holds the numbers at θ_s (the update computes them on its way),
so a frame costs no extra pass: θ_s is copied before the update and its numbers read after it.
The trainer therefore ends one update past the last frame it recorded; the next batch starts
with that θ. A trainer that stops (max_iterations, divergence) ends on a frame of its final θ,
whose numbers `ffnn.probe.probe` computes.
"""

from dataclasses import dataclass

import numpy as np

from .probe import probe


def numbers(row_or_probe, L, has_test, has_acc):
    """[train_loss, test_loss, train_acc, test_acc, ‖∇W_1‖ … ‖∇W_L‖] from a history row or a
    probe (NaN where a number is not recorded), the order of Frames.numbers' columns."""
    get = row_or_probe.get
    vals = [get("train_loss"), get("test_loss") if has_test else None,
            get("train_acc") if has_acc else None, get("test_acc") if has_test and has_acc
            else None] + [get(f"grad_W{l}") for l in range(1, L + 1)]
    return [np.nan if v is None else float(v) for v in vals]


def columns(L):
    """Names of Frames.numbers' columns for a network of L layers."""
    return ["train_loss", "test_loss", "train_acc", "test_acc",
            *(f"grad_W{l}" for l in range(1, L + 1))]


@dataclass
class Frames:
    """F frames: steps (F,) int, thetas (F, n_params) float64 (θ laid out as Network.theta),
    numbers (F, 4 + L) float64 (see columns)."""

    steps: np.ndarray
    thetas: np.ndarray
    numbers: np.ndarray

    def __len__(self):
        return len(self.steps)


def current(trainer):
    """One frame: the trainer's θ_t now, with its numbers (probe)."""
    return _pack([trainer.t], [trainer.net.theta.copy()], [_numbers(trainer, probe(trainer))])


def record(trainer, n, every=1, last=False):
    """Run up to n updates, keeping a frame of θ_s for every `every`-th s from the current t on
    -> Frames. The trainer ends at t + n (one update past the last frame) unless it stops
    first; then, or with `last`, the last frame is its final θ (a run that ends is shown to its
    end)."""
    steps, thetas, rows = [], [], []
    trainer.net.sync()
    for k in range(n):
        if trainer.done:
            break
        keep = k % every == 0
        if keep:
            s, theta = trainer.t, trainer.net.theta.copy()
        trainer.step(1)
        if keep and trainer.t == s + 1:       # the update ran: its row has θ_s's numbers
            steps.append(s)
            thetas.append(theta)
            rows.append(_numbers(trainer, trainer.last()))
    if (trainer.done or last) and (not steps or steps[-1] != trainer.t):
        steps.append(trainer.t)
        thetas.append(trainer.net.theta.copy())
        rows.append(_numbers(trainer, probe(trainer)))
    return _pack(steps, thetas, rows)


def _numbers(trainer, values):
    return numbers(values, trainer.net.L, trainer.X_test is not None, trainer.labels is not None)


def _pack(steps, thetas, rows):
    P = None if not thetas else len(thetas[0])
    return Frames(np.asarray(steps, dtype=np.int64),
                  np.asarray(thetas, dtype=np.float64).reshape(len(steps), P or 0),
                  np.asarray(rows, dtype=np.float64).reshape(len(steps), -1))
