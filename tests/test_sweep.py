"""A settings sweep: every dataset x activation x loss x optimizer combination, at the
extremes of the other controls (0 and the most hidden layers, 1 and the most neurons, the
smallest and largest learning rates, batch size 1), runs Step and Play ticks through the real
app with no exception element; and the same product, with every extreme, in the engine."""

import itertools
import warnings

import numpy as np
import pytest

from ffnn import ACTIVATIONS, OPTIMIZERS
from ffnn.app import settings as S
from ffnn.app.state import build_run
from ffnn.datasets import DATASETS

from apptest import (
    assert_clean,
    click,
    need,
    pause,
    play,
    playing,
    run,
    run_state,
    set_widget,
    start,
)

EXTREMES = [
    {"n_hidden": 0},
    {"n_hidden": S.MAX_HIDDEN, **{f"width_{i}": 1 for i in range(1, S.MAX_HIDDEN + 1)}},
    {"n_hidden": S.MAX_HIDDEN, **{f"width_{i}": S.MAX_NEURONS for i in range(1, 7)},
     "n_samples": 100},
    {"n_hidden": 1, "width_1": S.MAX_NEURONS, "batch_size": 1},
    {"lr": S.LR_CHOICES[0]},
    {"lr": S.LR_CHOICES[-1], "n_hidden": 2},
]


def losses(dataset):
    return ["squared_error"] if DATASETS[dataset].task == "regression" else list(
        S.NAMES["loss"])


def combos(dataset):
    return list(itertools.product(ACTIVATIONS, losses(dataset), OPTIMIZERS))


# Beyond the sidebar's largest: in the engine the sweep also runs where training must diverge.
DIVERGING = {"lr": 1e200}


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_engine_every_combination_at_every_extreme(dataset):
    diverged = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for (activation, loss, optimizer), extreme in itertools.product(combos(dataset),
                                                                        [*EXTREMES, DIVERGING]):
            cfg, _ = S.reconcile({**S.DEFAULTS, "dataset": dataset, "activation": activation,
                                  "loss": loss, "optimizer": optimizer, **extreme})
            tr = build_run(cfg).trainer
            done = tr.step(3)
            assert np.isfinite(tr.net.theta).all()
            if tr.diverged is None:
                assert tr.t == done == 3
            else:                                  # stopped at the update that diverged
                assert tr.t == done < 3 and tr.diverged.step == done + 1
                diverged += 1
    assert diverged                                # the branch above is taken, at least there


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_app_every_combination_steps_and_plays(dataset):
    at = start()
    set_widget(at, "selectbox", "_dataset", dataset)
    for i, (activation, loss, optimizer) in enumerate(combos(dataset)):
        extreme = EXTREMES[i % len(EXTREMES)]
        for key, value in {**S.DEFAULTS, **extreme}.items():
            if key.startswith(("n_hidden", "width_", "lr", "batch_size", "n_samples")) \
                    and at.session_state[key] != value:
                at.session_state[key] = value               # as the sidebar's callbacks do
        at.session_state["activation"] = activation
        at.session_state["loss"] = loss
        at.session_state["optimizer"] = optimizer
        run(at)
        cfg = run_state(at).cfg
        assert (cfg["activation"], cfg["loss"], cfg["optimizer"]) == (activation, loss,
                                                                      optimizer)
        tr = run_state(at).trainer
        if not tr.done:
            click(at, "Step")
        if not run_state(at).trainer.done:
            play(at)                       # the first batch of frames
            if playing(at):
                need(at)                   # the next, as the page asks for it
            if playing(at):
                pause(at)
        assert_clean(at)
        assert np.isfinite(run_state(at).net.theta).all()
