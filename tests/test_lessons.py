"""Each lesson shows what its explanation claims, from its own settings and seed, and loads in
one click in the real app."""

import numpy as np
import pytest

from ffnn.app.lessons import LESSONS
from ffnn.app.state import build_run
from ffnn.diagnose import explain
from ffnn.targets import as_targets

from apptest import run, run_state, start, texts


def lesson_run(key, **change):
    return build_run({**LESSONS[key].cfg(), **change})


def test_xor_needs_a_hidden_layer():
    flat = lesson_run("xor")
    flat.trainer.step(1000)
    assert flat.net.L == 1 and flat.trainer.evaluate()["train_acc"] < 0.8   # a line cannot
    deep = lesson_run("xor", n_hidden=1, width_1=4)
    deep.trainer.step(1000)
    assert deep.trainer.evaluate()["train_acc"] > 0.9


def test_zero_initialisation_keeps_hidden_units_identical():
    r = lesson_run("zeros")
    r.trainer.step(500)
    net = r.net
    assert np.abs(net.W[1]).max() > 1e-6                     # it did learn something
    for W, b in zip(net.W[:-1], net.b[:-1]):
        np.testing.assert_array_equal(W, W[:, :1].repeat(W.shape[1], axis=1))   # columns equal
        np.testing.assert_array_equal(b, np.full_like(b, b[0]))
    assert r.trainer.evaluate()["train_acc"] < 0.7


def test_too_large_a_learning_rate_diverges_and_the_suggestion_works():
    r = lesson_run("diverge")
    r.trainer.step(1000)
    assert r.trainer.diverged is not None
    why = explain(r.trainer)
    assert why.blowup_step < why.step
    calm = lesson_run("diverge", lr=why.suggested_lr)
    calm.trainer.step(1000)
    assert calm.trainer.diverged is None
    assert calm.trainer.evaluate()["train_loss"] < r.trainer.history["train_loss"].iloc[0]


def test_deep_sigmoid_gradients_vanish_towards_the_input():
    r = lesson_run("vanishing")
    r.trainer.step(1)
    h = r.trainer.history
    assert r.net.L == 7
    assert h["grad_W1"].iloc[0] < 1e-2 * h["grad_W7"].iloc[0]   # orders of magnitude apart


def output_signal(run):
    """Per-example |delta_L| (times N) and the probability of the true class."""
    net, tr = run.net, run.trainer
    Hs, As, Y = net.forward_cache(tr.X)
    dW, db = net.unflatten(np.empty_like(net.theta))
    delta_L = net.backward(Hs, As, Y, tr.T, dW, db)[0] * len(tr.X)
    p_true = np.where(tr.labels == 1, Y[:, 0], 1 - Y[:, 0])
    return np.abs(delta_L[:, 0]), p_true


def test_squared_error_with_a_sigmoid_output_saturates():
    se, ce = lesson_run("saturation"), lesson_run("saturation", loss="cross_entropy")
    np.testing.assert_array_equal(se.net.theta, ce.net.theta)    # same theta_0
    d_se, p = output_signal(se)
    d_ce, _ = output_signal(ce)
    wrong = p < 0.1                                               # confident mistakes
    assert wrong.mean() > 0.3                                     # "40% of them"
    assert d_se[wrong].mean() < 0.05 * d_ce[wrong].mean()         # the signal has collapsed
    se.trainer.step(300)
    ce.trainer.step(300)
    assert se.trainer.evaluate()["train_acc"] < 0.8
    assert ce.trainer.evaluate()["train_acc"] > 0.95


def test_momentum_beats_plain_gradient_descent_at_the_same_eta():
    mom, gd = lesson_run("momentum"), lesson_run("momentum", optimizer="gd")
    mom.trainer.step(300)
    gd.trainer.step(300)
    assert mom.trainer.evaluate()["train_loss"] < 0.5 * gd.trainer.evaluate()["train_loss"]


def test_lessons_are_reproducible():
    a, b = lesson_run("momentum"), lesson_run("momentum")
    a.trainer.step(50)
    b.trainer.step(50)
    np.testing.assert_array_equal(a.net.theta, b.net.theta)


@pytest.mark.parametrize("key", list(LESSONS))
def test_each_lesson_loads_in_one_click(key):
    at = start()
    at.switch_page("pages/12_Lessons.py")
    run(at)
    at.button(key=f"lesson_{key}").click()
    run(at)
    cfg = LESSONS[key].cfg()
    assert {k: at.session_state[k] for k in cfg} == cfg
    assert run_state(at).trainer.t == 0 and run_state(at).cfg == cfg
    assert any(LESSONS[key].title in m.value for m in at.markdown)
    assert not texts(at) or all("cannot" not in m for m in texts(at))


def test_labels_helper_matches_the_engine():
    T, labels = as_targets(np.array([0, 1, 1]), 3, 1, "sigmoid", "squared_error")
    assert labels.tolist() == [0, 1, 1] and T[:, 0].tolist() == [0, 1, 1]
