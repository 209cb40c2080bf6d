"""A new loss is one row of ffnn.losses.LOSSES, a new data set (with a parameter of its own) one
row of ffnn.datasets.DATASETS, and nothing else: a made-up log-cosh loss and a made-up "rings"
data set, registered for the length of a test (monkeypatch puts the registries back), are taken
by Network, Trainer and make_dataset, offered by the sidebar, read from a URL, and every page
draws with them."""

import numpy as np
import pytest

from ffnn import LOSSES, OPTIMIZERS, Network, Trainer, gradient_check
from ffnn.app import settings, urlstate
from ffnn.datasets import DATASETS, DatasetSpec, Param, make_dataset
from ffnn.losses import Loss, valid_pairs
from ffnn.optimizers import Optimizer, gd

from apptest import ROOT, VIEWS, click, goto, run_state, start, texts, widget

PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


def _log_cosh_value(out, A, Y, T):
    D = Y - T
    return float(np.logaddexp(D, -D).sum() - np.log(2.0) * D.size) / A.shape[0]


def _log_cosh_delta(out, A, Y, T):
    return out.vjp(Y, np.tanh(Y - T) / A.shape[0])     # d log cosh(d) / dd = tanh(d)


LOG_COSH = Loss("log_cosh", "Log-cosh", _log_cosh_value, _log_cosh_delta,
                lambda out: out.chain.replace("{G}", r"\tanh(\hat y - y)"), {})


def _rings(rng, n, noise, rings):
    """Points uniform in the disc r < 5 cut into `rings` rings of equal width; the class
    alternates from ring to ring."""
    r = 5.0 * np.sqrt(rng.uniform(0.0, 1.0, n))
    angle = rng.uniform(0.0, 2 * np.pi, n)
    points = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    y = (np.minimum((r / 5.0 * rings).astype(np.int64), rings - 1) % 2).astype(np.int64)
    return points + rng.normal(0.0, noise, points.shape), y


RINGS = DatasetSpec("Rings", "classification", 2, _rings, (Param("rings", "Rings", 3, 2, 6),))


@pytest.fixture
def log_cosh(monkeypatch):
    # settings and urlstate were imported before the row exists, as in a running server.
    assert "log_cosh" not in settings.NAMES["loss"]
    monkeypatch.setitem(LOSSES, "log_cosh", LOG_COSH)
    return LOG_COSH


@pytest.fixture
def rings(monkeypatch):
    assert "rings" not in settings.NAMES["dataset"] and "rings" not in settings.DEFAULTS
    monkeypatch.setitem(DATASETS, "rings", RINGS)
    return RINGS


# ---- the engine ---------------------------------------------------------------------------
@pytest.mark.parametrize("output", ["softmax", "sigmoid", "linear"])
def test_network_and_trainer_take_the_new_loss(log_cosh, output):
    assert (output, "log_cosh") in valid_pairs()          # not a loss of probabilities
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 2)), rng.integers(0, 3, 12)
    net = Network([2, 4, 3], activation="tanh", output=output, loss="log_cosh", seed=1)
    report = gradient_check(net, X, y, tolerance=1e-7)
    assert report["passed"].all(), report.to_string()
    tr = Trainer(net, X, y, lr=0.5)
    before = net.loss(X, y)
    tr.step(50)
    assert tr.t == 50 and net.loss(X, y) < before


def test_make_dataset_takes_the_new_data_set_and_checks_its_parameter(rings):
    d = make_dataset("rings", n_samples=400, rings=4, seed=2)
    assert d.name == "rings" and d.task == "classification" and d.n_classes == 2
    r = np.hypot(*np.concatenate([d.points_train, d.points_test]).T)
    y = np.concatenate([d.y_train, d.y_test])
    assert set(y[r < 1.2]) == {0} and set(y[(r > 1.3) & (r < 2.4)]) == {1}   # 4 rings of 1.25
    assert make_dataset("rings", rings=2).n_classes == 2
    for bad in (1, 7, 2.5, "3"):
        with pytest.raises(ValueError, match="rings"):
            make_dataset("rings", rings=bad)
    with pytest.raises(ValueError, match="turns is not a parameter"):
        make_dataset("rings", turns=2)
    net = Network([2, 6, 2], seed=0)
    Trainer(net, d.X_train, d.y_train, lr=0.3).step(5)


# ---- the app: sidebar choices, URL, every page ----------------------------------------------
def test_the_sidebar_names_them_and_a_url_may_choose_them(log_cosh, rings):
    assert settings.NAMES["loss"]["log_cosh"] == "Log-cosh"
    assert settings.NAMES["dataset"]["rings"] == "Rings"
    assert settings.DEFAULTS["rings"] == 3
    assert urlstate.decode({"loss": "log_cosh"}) == ({"loss": "log_cosh"}, [])
    assert urlstate.decode({"dataset": "rings", "rings": "5"}) == (
        {"dataset": "rings", "rings": 5}, [])
    values, warnings = urlstate.decode({"rings": "9"})
    assert values == {} and "must be an integer from 2 to 6" in warnings[0]
    cfg = {**settings.DEFAULTS, "dataset": "plane", "loss": "log_cosh"}
    assert "log_cosh" in settings.losses_for(cfg)          # regression may train with it
    assert settings.reconcile(cfg)[0]["loss"] == "log_cosh"


def _every_page(at, check):
    click(at, "Step ×10")
    assert len(PAGES) >= 7
    for page in [*PAGES, *VIEWS]:                # every page file, and every view of one
        goto(at, page)                           # no exception, no "Something went wrong"
        check(run_state(at))
    assert run_state(at).trainer.t == 10


def test_every_page_draws_with_the_new_loss_from_the_url(log_cosh):
    at = start({"loss": "log_cosh"})
    assert not [w.value for w in at.warning if "URL" in w.value]
    radio = widget(at, "radio", "_loss")
    assert radio.value == "log_cosh" and "Log-cosh" in radio.options
    _every_page(at, lambda run: run.net.loss_name == "log_cosh" or pytest.fail(run.cfg))


def test_every_page_draws_with_the_new_data_set_from_the_url(rings):
    at = start({"dataset": "rings", "rings": "4"})
    assert not [w.value for w in at.warning if "URL" in w.value]
    assert widget(at, "selectbox", "_dataset").value == "rings"
    slider = widget(at, "slider", "_rings")                # its own parameter, drawn for it
    assert slider.value == 4 and slider.label == "Rings"
    run = run_state(at)
    assert run.data.name == "rings" and run.cfg["rings"] == 4
    assert run.data.X_train.shape == (250, 2)
    _every_page(at, lambda run: run.data.name == "rings" or pytest.fail(run.cfg))


# ---- an update rule: "plain" (no memory between steps) is said by its row, not by its name ----
STEEPEST = Optimizer("steepest", "Steepest descent", gd, r"\theta_{t+1} = \theta_t - \eta\,g_t",
                     plain=True)


@pytest.fixture
def steepest(monkeypatch):
    monkeypatch.setitem(OPTIMIZERS, "steepest", STEEPEST)
    return STEEPEST


def test_a_new_plain_rule_goes_back_exactly_and_is_written_out(steepest):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 2)), rng.integers(0, 3, 12)
    tr = Trainer(Network([2, 4, 3], seed=1), X, y, lr=0.5, optimizer="steepest")
    tr.step(3)
    theta = tr.net.theta.copy()
    tr.step(2)
    tr.back_to(3)                                  # only a plain rule may go back exactly
    np.testing.assert_array_equal(tr.net.theta, theta)
    at = start({"optimizer": "steepest"})
    assert widget(at, "selectbox", "_optimizer").value == "steepest"
    click(at, "Step")
    goto(at, "pages/4_Theta_and_gradient.py")      # the update with its numbers, as for gd
    assert any(r"- \eta\," in x.value and "times" in x.value for x in at.latex), texts(at)
