"""The configuration in the URL: encoding, validation of hostile values, and the real app
reproducing a run from a copied URL."""

import numpy as np
import pytest

from ffnn.app import settings as S
from ffnn.app.state import build_run
from ffnn.app.urlstate import decode, encode, quote

from apptest import counter, html_is_ours, run, run_state, set_widget, start


def test_defaults_encode_to_nothing():
    assert encode(S.DEFAULTS) == {}


def test_round_trip():
    cfg = {**S.DEFAULTS, "dataset": "spiral", "lr": 0.003, "features": ["x1", "x2", "sin_x1"],
           "n_hidden": 3, "width_3": 17, "optimizer": "adam", "batch_size": 10, "l2": 0.001,
           "noise": 20, "seed": 42}
    params = encode(cfg, t=30, present=True)
    values, warnings = decode(params)
    assert not warnings
    assert values.pop("t") == 30 and values.pop("present") is True
    assert {**S.DEFAULTS, **values} == cfg


HOSTILE = {
    "wrong type": ("lr", "fast"),
    "negative lr": ("lr", "-1"),
    "nan lr": ("lr", "nan"),
    "inf lr": ("lr", "inf"),
    "out of range layers": ("n_hidden", "99"),
    "float for int": ("n_hidden", "2.5"),
    "unknown dataset": ("dataset", "mnist"),
    "unknown name": ("activation", "swish"),
    "unknown key": ("favourite_colour", "blue"),
    "very long": ("dataset", "circle" * 1000),
    "html": ("dataset", "<script>alert(1)</script>"),
    "markdown link": ("optimizer", "[click](javascript:alert(1))"),
    "python": ("seed", "__import__('os').system('true')"),
    "bad features": ("features", "x1,x1"),
    "not a choice": ("n_samples", "12345"),
    "batch not offered": ("batch_size", "3"),
    "huge t": ("t", "10000000"),
    "present not a flag": ("present", "yes"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_values_are_ignored_with_a_warning(case):
    key, value = HOSTILE[case]
    values, warnings = decode({key: value})
    assert values == {} and len(warnings) == 1
    assert quote(key) in warnings[0]
    assert quote(value) in warnings[0] or "too long" in warnings[0] or "unknown" in warnings[0]
    assert warnings[0].count("`") in (2, 4)     # every quoted value is inline code, not markup


@pytest.mark.parametrize("case", ["html", "python", "unknown key", "very long", "wrong type"])
def test_the_app_warns_and_keeps_the_defaults(case):
    key, value = HOSTILE[case]
    at = start({key: value})
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "Ignored" in warnings[0]
    assert len(warnings[0]) < 200                         # quoted, shortened, not rendered
    assert html_is_ours(at)                               # nothing from the URL as HTML
    assert run_state(at).cfg == S.reconcile(S.DEFAULTS)[0]
    assert counter(at) == 0


def test_a_copied_url_reproduces_the_run_bit_for_bit():
    cfg = {**S.DEFAULTS, "dataset": "xor", "n_hidden": 1, "width_1": 6, "lr": 0.3,
           "optimizer": "momentum", "seed": 7, "data_seed": 3}
    at = start(encode(cfg, t=25))
    assert counter(at) == 25
    assert at.select_slider(key="_lr").value == 0.3
    reference = build_run(cfg)
    reference.trainer.step(25)
    np.testing.assert_array_equal(run_state(at).net.theta, reference.net.theta)
    np.testing.assert_array_equal(run_state(at).data.points_train, reference.data.points_train)


def test_the_address_bar_follows_the_settings():
    at = start({})
    set_widget(at, "select_slider", "_lr", 0.03)
    set_widget(at, "selectbox", "_dataset", "moons")
    assert at.query_params["lr"] == "0.03" and at.query_params["dataset"] == "moons"
    at.switch_page("pages/1_Training_curves.py")
    run(at)
    assert at.query_params["lr"] == "0.03"                # kept across page switches


def test_mixed_good_and_bad_values():
    at = start({"lr": "0.3", "n_hidden": "lots", "dataset": "spiral"})
    assert at.session_state["lr"] == 0.3 and at.session_state["dataset"] == "spiral"
    assert at.session_state["n_hidden"] == S.DEFAULTS["n_hidden"]
    assert len(at.warning) == 1
