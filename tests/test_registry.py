"""A new activation is one row of ffnn.activations.ACTIVATIONS, and nothing else: a made-up one,
softsign g(a) = a / (1 + |a|), registered for the length of a test (monkeypatch puts the
registry back), passes the finite-difference check, is accepted from a URL, is offered by the
sidebar, and every page draws with it, showing what its Activation says of it."""

import numpy as np
import pytest

from ffnn import ACTIVATIONS, Network, gradient_check
from ffnn.activations import Activation
from ffnn.app import settings, urlstate
from ffnn.losses import valid_pairs

from apptest import (
    ROOT,
    VIEWS,
    chart_specs,
    click,
    goto,
    run,
    run_state,
    start,
    widget,
)

TOL = 1e-7      # as in test_gradients: finite differences of a smooth g agree to ~1e-10
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


def _softsign(A):
    return A / (1.0 + np.abs(A))


def _softsign_grad(A, H):
    return (1.0 - np.abs(H)) ** 2          # g'(a) = 1 / (1 + |a|)^2 = (1 - |g(a)|)^2


SOFTSIGN = Activation("softsign", "Softsign", _softsign, _softsign_grad, r"(1-|H_l|)^2",
                      "a / (1 + Math.abs(a))", range=(-1.0, 1.0))


@pytest.fixture
def softsign(monkeypatch):
    # settings and urlstate are imported above, before the row exists, as in a running server:
    # they must read the registry when asked, not keep a copy made at import.
    assert "softsign" not in settings.NAMES["activation"]
    monkeypatch.setitem(ACTIVATIONS, "softsign", SOFTSIGN)
    return SOFTSIGN


def test_the_sidebar_names_it_and_a_url_may_choose_it(softsign):
    assert settings.NAMES["activation"]["softsign"] == "Softsign"
    assert urlstate.decode({"activation": "softsign"}) == ({"activation": "softsign"}, [])


@pytest.mark.parametrize("output, loss", valid_pairs())
def test_its_gradients_pass_the_finite_difference_check(softsign, output, loss):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3)), rng.integers(0, 4, 12)
    net = Network([3, 5, 2, 4], activation=["softsign", "tanh"], output=output, loss=loss,
                  l2=0.1, seed=3)
    for b in net.b:
        b[...] = rng.uniform(-0.5, 0.5, b.shape)
    report = gradient_check(net, X, y, tolerance=TOL)
    assert report["passed"].all(), report.to_string()
    assert (report["near_kinks"] == 0).all()            # softsign has no kink


def test_the_check_would_catch_a_wrong_derivative(softsign, monkeypatch):
    # The test above can fail: the same row with g' off by a factor of 2 does not pass.
    wrong = Activation("softsign", "Softsign", _softsign,
                       lambda A, H: 2 * _softsign_grad(A, H), r"(1-|H_l|)^2",
                       "a / (1 + Math.abs(a))")
    monkeypatch.setitem(ACTIVATIONS, "softsign", wrong)
    rng = np.random.default_rng(0)
    net = Network([3, 5, 4], activation="softsign", seed=3)
    report = gradient_check(net, rng.normal(size=(12, 3)), rng.integers(0, 4, 12),
                            tolerance=TOL)
    assert not report.loc[report.layer == 1, "passed"].any()


def test_every_page_draws_with_it_chosen_from_the_url(softsign):
    at = start({"activation": "softsign"})
    assert not [w.value for w in at.warning if "URL" in w.value]
    box = widget(at, "selectbox", "_activation")
    assert box.value == "softsign" and "Softsign" in box.options       # its label
    net = run_state(at).net
    assert net.activation == ["softsign"] * (net.L - 1)
    click(at, "Step ×10")
    assert len(PAGES) >= 7
    for page in [*PAGES, *VIEWS]:                # every page file, and every view of one
        goto(at, page)                           # no exception, no "Something went wrong"
        assert run_state(at).net.activation[0] == "softsign", page
    assert run_state(at).trainer.t == 10


def _page(at, name):
    at.switch_page(next(p for p in PAGES if name in p))
    return run(at)


@pytest.fixture
def at_softsign(softsign):
    at = start({"activation": "softsign"})
    return click(at, "Step")


def test_the_pages_show_what_its_activation_row_says(at_softsign):
    at = at_softsign
    goto(at, "Step by step")                     # g' in the backward pass, layer 1
    assert any(r"\odot((1-|H_{1}|)^2)" in x.value for x in at.latex)
    goto(at, "Per hidden unit")                  # the colour range is the activation's range
    maps = chart_specs(at)[0]
    assert {(t["zmin"], t["zmax"]) for t in maps["data"]} == {(-1.0, 1.0)}
    _page(at, "Gradient_check")
    assert any("agree on" in s.value for s in at.success)
