"""A new setting is one row of ffnn.app.settings' table, and nothing else. Two made-up rows,
registered for the length of a test (monkeypatch puts the table back):

- "fan_in", an architecture setting: the sidebar draws its slider, a URL sets it (a value out
  of its range is refused with the row's own words), the address bar carries it, and changing
  it starts again from a fresh θ₀;
- "nudge", an optimisation setting that may change mid-run: changing it keeps θ, the trainer
  records the change, the address lists it in `changes`, and a copied address replays it at the
  same t, bit for bit.
"""

import numpy as np
import pytest

from ffnn.app import settings as S
from ffnn.app import urlstate
from ffnn.app.state import build_run
from ffnn.events import Event

from apptest import advance, run, run_state, set_widget, start

FAN_IN = S.Setting("fan_in", "Fan-in", 1, S.ARCHITECTURE, S.Ints(1, 4), "slider",
                   "architecture")


def _put_nudge(tr, value):
    """A made-up mid-run setting: each change scales every weight by new / old (so it changes
    θ_t) and says so in the trainer's event log, as the trainer does for its own settings."""
    old = getattr(tr, "nudge", 1.0)
    if value != old:
        tr.events.append(Event(tr.t, "nudge", old, value))
        for W in tr.net.W:
            W *= value / old
    tr.nudge = value


NUDGE = S.Setting("nudge", "Nudge", 1.0, S.OPTIMISATION, S.Among((0.5, 1.0, 2.0)),
                  "select_slider", "optimisation",
                  trainer=(lambda tr: getattr(tr, "nudge", 1.0), _put_nudge), replayed=True)


@pytest.fixture
def rows(monkeypatch):
    assert "fan_in" not in S.DEFAULTS and "nudge" not in S.DEFAULTS
    monkeypatch.setitem(S.SETTINGS, "fan_in", FAN_IN)
    monkeypatch.setitem(S.SETTINGS, "nudge", NUDGE)


def test_the_rows_defaults_groups_and_parsers_come_from_the_table(rows):
    assert S.DEFAULTS["fan_in"] == 1 and S.DEFAULTS["nudge"] == 1.0
    assert "fan_in" in S.keys_of(S.ARCHITECTURE) and "nudge" in S.mid_run()
    assert urlstate.decode({"fan_in": "3", "nudge": "2"}) == ({"fan_in": 3, "nudge": 2.0}, [])
    values, warnings = urlstate.decode({"fan_in": "9"})
    assert values == {} and "must be an integer from 1 to 4" in warnings[0]


def test_an_architecture_row_is_drawn_taken_from_a_url_and_rebuilds_from_theta0(rows):
    at = start({"fan_in": "3"})
    slider = at.sidebar.slider(key="_fan_in")
    assert slider.label == "Fan-in" and slider.value == 3 and (slider.min, slider.max) == (1, 4)
    assert at.query_params["fan_in"] == "3"
    advance(at, 7)
    theta = run_state(at).net.theta.copy()
    set_widget(at, "slider", "_fan_in", 2)
    assert run_state(at).trainer.t == 0                  # a new network from θ₀
    assert any("fresh θ₀" in m.value for m in at.info)
    assert at.query_params["fan_in"] == "2"
    np.testing.assert_array_equal(run_state(at).net.theta, build_run(
        {**S.DEFAULTS, "fan_in": 2}).net.theta)
    assert not np.array_equal(run_state(at).net.theta, theta)


def test_a_mid_run_row_keeps_theta_and_replays_at_the_same_t(rows):
    at = start({})
    advance(at, 5)
    set_widget(at, "select_slider", "_nudge", 2.0)
    tr = run_state(at).trainer
    assert tr.t == 5 and tr.nudge == 2.0                 # the trained θ goes on, scaled
    advance(at, 6)
    run(at)
    params = dict(at.query_params)
    assert params["t"] == "11" and params["changes"] == "5.nudge.1" and params["nudge"] == "2"
    copy = start(params)                               # the address, opened in a new tab
    assert run_state(copy).trainer.nudge == 2.0
    np.testing.assert_array_equal(run_state(copy).net.theta, run_state(at).net.theta)
    assert run_state(copy).trainer.t == 11
    other = start({"nudge": "2"})                      # a starting value: set at θ₀
    np.testing.assert_array_equal(run_state(other).net.W[0], 2 * build_run(
        dict(S.DEFAULTS)).net.W[0])
