"""The watchdog (ffnn.watch): it says so when L(θ) is not going down while the run is still
finite, names why a run stalls from the numbers, and stays quiet on runs that converge."""

import numpy as np
import pytest

from ffnn import Network, Trainer
from ffnn.app import settings as S
from ffnn.app import state
from ffnn.app.lessons import LESSONS
from ffnn.datasets import make_dataset
from ffnn.diagnose import sharpness, suggestion
from ffnn.probe import probe
from ffnn.watch import MIN_WINDOW, chance_loss, watch


def app_run(**settings):
    """The app's run for the defaults with `settings` changed (as the sidebar builds it)."""
    cfg, _ = S.reconcile({**S.DEFAULTS, **settings})
    return state.build_run(cfg, None).trainer


def verdicts(tr, until=1000, every=25):
    """[(t, verdict)] every `every` updates up to `until` (or the end of the run)."""
    out = []
    while tr.t < until and not tr.done:
        tr.step(every)
        out.append((tr.t, watch(tr)))
    return out


# ---------------------------------------------------------------- overshoot

@pytest.mark.parametrize("lr", [10.0, 30.0, 100.0, 1000.0])
def test_a_learning_rate_too_large_is_named_while_the_run_is_still_finite(lr):
    tr = app_run(lr=lr)
    tr.step(MIN_WINDOW - 1)
    assert watch(tr) is None                      # too early to judge
    tr.step(41)                                   # t = 50
    said = watch(tr)
    assert said is not None and said.kind == "overshoot", said
    assert tr.diverged is None and np.isfinite(probe(tr)["train_loss"])   # not stopped
    # L(θ) really is above where it started, over the window the verdict read
    h = tr.history
    assert np.median(h["train_loss"].to_numpy()[-40:]) > h["train_loss"].iloc[0]


CONVERGING = {
    "defaults": {},
    **{f"eta {lr:g}": {"lr": lr} for lr in (0.03, 0.3, 1.0, 3.0)},
    "momentum lesson": LESSONS["momentum"].settings,
    "xor lesson, its Next done": {**LESSONS["xor"].settings, "n_hidden": 1, "width_1": 4},
    "saturation lesson, its Next done": {**LESSONS["saturation"].settings,
                                         "loss": "cross_entropy"},
    "spiral 6x8 relu": {"dataset": "spiral", "n_hidden": 3, "width_1": 8, "width_2": 8,
                        "width_3": 8, "activation": "relu", "lr": 0.03},
    "adam": {"optimizer": "adam", "lr": 0.01},
    "mini-batches": {"batch_size": 10, "lr": 0.1},
}


@pytest.mark.parametrize("name", list(CONVERGING))
def test_no_alarm_on_a_run_that_converges(name):
    said = [(t, v) for t, v in verdicts(app_run(**CONVERGING[name])) if v is not None]
    assert not said, said[0]


def test_the_suggested_learning_rate_stays_below_the_stability_limit():
    """η = 1000: a tenth of it is far above 2/λ_max; the suggestion must be under 1/λ_max."""
    tr = app_run(lr=1000.0)
    lam, lr = suggestion(tr)
    start = tr.net.copy()                    # at t = 0 the network is at θ₀ itself
    assert lam == pytest.approx(sharpness(start, tr.X, tr.T), rel=1e-6)
    assert tr.lr / 10 > 2 / lam              # the guard matters here
    assert lr <= 1 / lam < 2 / lam
    tr.lr = lr
    tr.step(300)
    assert tr.diverged is None and watch(tr) is None   # and it does go down


# ---------------------------------------------------------------- stalls, each cause

def test_symmetric_units_from_zero_initialisation():
    tr = app_run(**LESSONS["zeros"].settings)
    tr.step(300)
    said = watch(tr)
    assert said.kind == "stall" and said.cause == "symmetric" and said.value == 1
    W1 = tr.net.W[0]
    assert np.all(W1 == W1[:, :1])           # every column of W₁ the same: one unit, copied


def test_saturated_outputs_under_squared_error():
    """Two Gaussians, one sigmoid output, squared error, θ₀ ten times the usual size and
    turned around: confident and wrong on nearly every point, where ŷ(1 − ŷ) ≈ 0."""
    d = make_dataset("gauss", n_samples=400, noise=0.0, train_ratio=0.5, seed=0)
    net = Network([2, 1], activation=[], output="sigmoid", loss="squared_error", seed=1)
    net.theta *= -10.0
    tr = Trainer(net, d.X_train, d.y_train, lr=0.1)
    tr.step(400)
    said = watch(tr)
    assert said.kind == "stall" and said.cause == "saturated" and said.value >= 0.2
    assert said.advice == "Try cross-entropy."
    # the same θ₀ with cross-entropy learns: the cause named is the one that matters
    net2 = Network([2, 1], activation=[], output="sigmoid", loss="cross_entropy", seed=1)
    net2.theta *= -10.0
    tr2 = Trainer(net2, d.X_train, d.y_train, lr=0.1)
    tr2.step(400)
    assert probe(tr2)["train_loss"] < 0.5 * probe(tr)["train_loss"] / 2 or \
        probe(tr2)["train_acc"] > probe(tr)["train_acc"] + 0.3


@pytest.mark.parametrize("settings", [
    LESSONS["vanishing"].settings,
    {"loss": "squared_error", "activation": "sigmoid", "n_hidden": 3, "lr": 0.1},  # the issue's
], ids=["vanishing lesson", "squared error, sigmoid, 3 layers"])
def test_vanishing_gradients(settings):
    tr = app_run(**settings)
    first = probe(tr)
    ratio_0 = first["grad_W1"] / first[f"grad_W{tr.net.L}"]
    assert ratio_0 < 1e-2                    # at θ₀, as the engine computes it
    tr.step(400)
    said = watch(tr)
    assert said.kind == "stall" and said.cause == "vanishing", said
    assert said.advice == "Try ReLU or tanh."


def test_a_learning_rate_too_small():
    tr = app_run(lr=1e-5)
    tr.step(300)
    said = watch(tr)
    assert said.kind == "stall" and said.cause == "small eta" and said.value < 1e-4
    assert said.advice == "Try η = 0.0001."


def test_a_run_that_starts_near_perfect_is_not_stalled():
    """Flat, and by far not halved, but already near its floor: the chance loss says so."""
    d = make_dataset("gauss", n_samples=400, noise=0.0, train_ratio=0.5, seed=0)
    net = Network([2, 1], activation=[], output="sigmoid", loss="squared_error", seed=1)
    net.theta *= 10.0
    tr = Trainer(net, d.X_train, d.y_train, lr=0.1)
    tr.step(400)
    assert probe(tr)["train_loss"] < 0.1 * chance_loss(tr)
    assert watch(tr) is None


def test_chance_loss_by_hand():
    """Balanced two classes: squared error of answering (0.5, 0.5) is 0.25 + 0.25; cross-
    entropy of it is ln 2."""
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [0.0, 2.0]])
    y = np.array([0, 1, 0, 1])
    se = Trainer(Network([2, 2], loss="squared_error"), X, y)
    ce = Trainer(Network([2, 2], loss="cross_entropy"), X, y)
    assert chance_loss(se) == pytest.approx(0.5)
    assert chance_loss(ce) == pytest.approx(np.log(2))


def test_after_an_overflow_the_numbers_are_those_of_the_last_finite_theta():
    """A run whose loss overflows keeps the θ before that update: its loss and gradient are
    finite, and a smaller η goes on from it."""
    tr = app_run(**LESSONS["diverge"].settings)
    tr.step(1000)
    assert tr.diverged is not None
    now = probe(tr)
    assert np.isfinite(now["train_loss"]) and all(
        np.isfinite(now[f"grad_W{l}"]) for l in range(1, tr.net.L + 1))
    assert len(tr.history) == tr.t and tr.snapshots()[0][-1] == tr.t
    t = tr.t
    tr.lr = 0.005
    assert tr.step(50) == 50 and tr.t == t + 50 and tr.diverged is None
