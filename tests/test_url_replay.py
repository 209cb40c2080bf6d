"""The address bar carries t and the settings changed mid-run, and a session that arrives with
that URL (a reload, a copied link, a page reconnecting to another server after its own died)
replays the run to the same θ, bit for bit; beyond urlstate.MAX_T it replays that far and says so.
"""

import pytest

from ffnn.app import settings as S
from ffnn.app import state, urlstate
from ffnn.app.replay import changes_of, replayed, url_params
from ffnn.app.state import build_run
from ffnn.app.urlstate import decode, encode, text_of

from apptest import (
    assert_clean,
    click,
    counter,
    pause,
    playing,
    run_state,
    set_widget,
    start,
    texts,
)


def same_bits(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


def address(at):
    return {key: at.query_params[key] for key in at.query_params}


# ---- the address bar, in the app ----------------------------------------------------------------

def test_the_address_bar_holds_t_and_a_new_session_replays_it():
    at = start()
    assert "t" not in address(at)
    click(at, "Step ×10")
    click(at, "Step")
    assert address(at) == {"t": "11"}
    other = start(address(at))
    assert counter(other) == 11
    same_bits(run_state(other).net.theta, run_state(at).net.theta)
    assert any("replayed to t = 11" in m for m in texts(other))
    assert address(other) == {"t": "11"}          # and it writes the same address back


def test_mid_run_changes_travel_in_the_address_and_replay_bit_for_bit():
    at = start()
    set_widget(at, "select_slider", "_batch_size", 10)     # mini-batches: the shuffles matter
    click(at, "Step ×10")
    set_widget(at, "select_slider", "_lr", 0.3)
    click(at, "Step ×10")
    set_widget(at, "selectbox", "_optimizer", "adam")
    set_widget(at, "select_slider", "_batch_size", 20)
    click(at, "Step ×10")
    set_widget(at, "select_slider", "_l2", 0.001)
    click(at, "Step")
    params = address(at)
    assert params["t"] == "31"
    # the batch size set at t = 0 is the one the run started with: the URL holds it already
    assert params["changes"] == "10.lr.0.1~20.optimizer.gd~20.batch_size.10~30.l2.0"
    assert (params["lr"], params["optimizer"], params["batch_size"]) == ("0.3", "adam", "20")
    other = start(params)
    mine, theirs = run_state(at), run_state(other)
    assert counter(other) == 31
    same_bits(theirs.net.theta, mine.net.theta)
    moved = [e for e in mine.trainer.events if e.t > 0]       # those after t = 0
    assert theirs.trainer.events == moved
    assert changes_of(theirs.trainer) == changes_of(mine.trainer)
    assert address(other) == params
    # without the changes, the same t from the current settings is another θ
    plain = start({k: v for k, v in params.items() if k != "changes"})
    assert counter(plain) == 31
    assert run_state(plain).net.theta.tobytes() != mine.net.theta.tobytes()


def test_a_url_beyond_the_cap_replays_to_the_cap_and_says_so(monkeypatch):
    assert urlstate.MAX_T == 100_000
    monkeypatch.setattr(urlstate, "MAX_T", 40)     # the real cap takes ~10 s to replay
    cfg = {**S.DEFAULTS, "lr": 0.3}
    at = start(encode(cfg, t=55, changes=[(20, "lr", 0.1), (50, "lr", 1.0)]))
    assert counter(at) == 40
    notice = [m for m in texts(at) if "at most 40 updates" in m]
    assert notice and "asks for t = 55" in notice[0] and "Replayed to t = 40" in notice[0]
    ref = build_run({**cfg, "lr": 0.1}).trainer
    ref.step(20)
    ref.lr = 0.3
    ref.step(20)
    same_bits(run_state(at).net.theta, ref.net.theta)
    assert run_state(at).trainer.events == ref.events      # the change at t = 50 not applied
    assert address(at)["t"] == "40"


# ---- what the URL holds, without the app ---------------------------------------------------------

def diverging_run():
    """One point per update with Nesterov at η = 100: an update diverges before t = 200 (and
    training goes on at a small η)."""
    run = build_run({**S.DEFAULTS, "lr": 100.0, "optimizer": "nesterov", "batch_size": 1,
                     "loss": "squared_error", "output": "linear"})
    run.trainer.step(200)
    assert 0 < run.trainer.t < 200 and run.trainer.diverged is not None
    return run


def adjust(run, **settings):
    """What the sidebar does: new settings through state.sync_run's _adjust."""
    state._adjust(run, {**run.cfg, **settings})


def rebuilt(run):
    """-> a run rebuilt from url_params(run), as a new session would."""
    values, warnings = decode(url_params(run))
    assert not warnings
    t, changes = values.pop("t", 0), values.pop("changes", [])
    return replayed(build_run({**S.DEFAULTS, **values}), t, changes)


def test_a_divergence_and_the_recovery_replay_bit_for_bit():
    run = diverging_run()
    at = run.trainer.t
    adjust(run, lr=0.001)                # "Use η = … and go on": the state starts afresh
    run.trainer.step(30)
    assert run.trainer.t == at + 30 and run.trainer.diverged is None
    assert url_params(run)["changes"] == f"{at}.diverged~{at}.lr.100"
    again = rebuilt(run)
    assert again.trainer.t == at + 30 and again.trainer.diverged is None
    same_bits(again.net.theta, run.net.theta)
    assert again.trainer.events == run.trainer.events
    assert url_params(again) == url_params(run)
    # the failed update moved the mini-batch order on and the lr change then reset Nesterov's
    # velocity; a replay that skips the failed update is another θ
    skipped = replayed(build_run(again.cfg), at + 30, [(at, "lr", 100.0)])
    assert (skipped.trainer.t, skipped.net.theta.tobytes()) != (at + 30,
                                                                run.net.theta.tobytes())


def test_divergences_again_and_again_replay_bit_for_bit():
    run = diverging_run()
    first = run.trainer.t
    adjust(run, lr=0.001)
    run.trainer.step(10)
    adjust(run, lr=100.0)
    run.trainer.step(200)                # diverges again
    second = run.trainer.t
    assert run.trainer.diverged is not None and first + 10 <= second < first + 210
    adjust(run, lr=0.001)
    run.trainer.step(5)
    adjust(run, lr=100.0)
    run.trainer.step(200)                # and again: diverged now
    third = run.trainer.t
    assert run.trainer.diverged is not None
    assert url_params(run)["changes"] == (
        f"{first}.diverged~{first}.lr.100~{first + 10}.lr.0.001~{second}.diverged~"
        f"{second}.lr.100~{second + 5}.lr.0.001~{third}.diverged")
    again = rebuilt(run)
    assert again.trainer.t == run.trainer.t and again.trainer.diverged == run.trainer.diverged
    same_bits(again.net.theta, run.net.theta)


def test_a_run_that_is_diverged_now_replays_diverged():
    run = diverging_run()
    assert url_params(run)["changes"] == f"{run.trainer.t}.diverged"
    again = rebuilt(run)
    assert again.trainer.diverged == run.trainer.diverged
    assert again.trainer.t == run.trainer.t
    same_bits(again.net.theta, run.net.theta)


def test_a_change_the_app_did_not_record_keeps_t_out_of_the_address():
    run = build_run(dict(S.DEFAULTS))
    run.trainer.step(5)
    run.trainer.lr = 0.5                 # not through the settings: the run's η is still 0.1
    run.trainer.step(5)
    assert "t" not in url_params(run) and "changes" not in url_params(run)


def test_replaying_a_url_that_does_not_fit_gives_none():
    run = build_run(dict(S.DEFAULTS))
    assert replayed(run, 20, [(10, "diverged", None)]) is None   # nothing diverges there


def test_a_typed_value_a_url_cannot_hold_keeps_t_out_of_the_address():
    run = build_run(dict(S.DEFAULTS))
    adjust(run, lr=2 * S.MAX_LR)         # beyond what a URL takes (the sidebar refuses it too)
    run.trainer.step(3)
    assert "t" not in url_params(run)


def test_a_typed_learning_rate_travels_exactly():
    for lr in (0.123456789, 1 / 3, 2e-4, 0.1, 3.0):
        assert float(text_of(lr)) == lr
    assert text_of(0.1) == "0.1" and text_of(2e-4) == "0.0002" and text_of(3.0) == "3"


HOSTILE_CHANGES = {
    "not items": ("x", "t.setting.value"),
    "unknown setting": ("10.seed.3", "t.setting.value"),
    "bad value": ("10.lr.-1", "positive"),
    "bad optimizer": ("10.optimizer.sgd2", "must be one of"),
    "out of order": ("20.lr.0.1~10.lr.0.3", "order of t"),
    "negative t": ("-3.lr.0.1", "integer"),
    "too many": ("~".join(["1.lr.0.1"] * 41), "at most 40"),
    "markup": ("10.lr.<b>1</b>", "number"),
}


@pytest.mark.parametrize("case", list(HOSTILE_CHANGES))
def test_hostile_changes_are_ignored_with_a_warning(case):
    text, words = HOSTILE_CHANGES[case]
    values, warnings = decode({"t": "50", "changes": text})
    assert values == {"t": 50} and len(warnings) == 1
    assert words in warnings[0] and warnings[0].startswith("Ignored `changes`")


def test_changes_after_t_are_ignored_with_a_warning():
    values, warnings = decode({"t": "5", "changes": "10.lr.0.1"})
    assert values == {"t": 5} and "after the URL's t = 5" in warnings[0]


def test_t_up_to_the_largest_max_iterations_is_read():
    assert decode({"t": "1000000"}) == ({"t": 1_000_000}, [])
    assert decode({"t": "1000001"})[0] == {}


def test_the_suggested_learning_rate_keeps_t_in_the_address():
    """A divergence, then "Use η = … and go on" (it sets the trainer's η at once, not through
    the sidebar): the address bar still holds t, the divergence and the change, and a new
    session replays to the same θ."""
    at = start({"lr": "100", "optimizer": "nesterov", "batch_size": "1",
                 "loss": "squared_error", "output": "linear"})
    for _ in range(25):
        click(at, "Step ×10")
        if run_state(at).trainer.diverged is not None:
            break
    at_divergence = run_state(at).trainer.t
    assert run_state(at).trainer.diverged is not None
    use = [b for b in at.button if b.label.startswith("Use η")]
    assert len(use) == 1
    use[0].click()
    at.run()
    assert_clean(at)
    assert playing(at)                          # it goes on playing: pause, then step
    pause(at)
    click(at, "Step ×10")
    params = address(at)
    assert int(params["t"]) == run_state(at).trainer.t > at_divergence
    assert params["changes"].startswith(f"{at_divergence}.diverged~{at_divergence}.lr.100")
    other = start(params)
    assert counter(other) == run_state(at).trainer.t
    same_bits(run_state(other).net.theta, run_state(at).net.theta)
    assert run_state(other).trainer.events == run_state(at).trainer.events


def test_going_back_after_a_divergence_and_forward_again_replays_bit_for_bit():
    """Plain gradient descent diverges; Back (exact for it) goes before the divergence; the
    address bar then holds no stale divergence, and forward again replays bit for bit."""
    run = build_run({**S.DEFAULTS, "lr": 100.0, "loss": "squared_error", "output": "linear"})
    run.trainer.step(300)
    at = run.trainer.t
    assert run.trainer.diverged is not None
    assert url_params(run)["changes"] == f"{at}.diverged"
    run.trainer.back_to(at - 2)
    assert "changes" not in url_params(run) and url_params(run)["t"] == str(at - 2)
    run.trainer.step(1)                  # forward again, not as far as the divergence
    assert "changes" not in url_params(run)
    same_bits(rebuilt(run).net.theta, run.net.theta)
    run.trainer.step(10)                 # and into it again
    assert run.trainer.diverged is not None and run.trainer.t == at
    again = rebuilt(run)
    assert again.trainer.diverged is not None and again.trainer.t == at
    same_bits(again.net.theta, run.net.theta)


@pytest.mark.parametrize("page,own", [("pages/8_Compare_losses.py", "own runs, A and B"),
                                      ("pages/9_Error_surface.py", "own neuron")])
def test_a_page_with_its_own_run_says_so_and_leaves_the_replay_notice_to_the_main_run(page,
                                                                                       own):
    """Opened first from an address with t, Compare losses and Error surface (whose counters
    are their own) show no "replayed to t = 11"; the next page that shows the main run does."""
    from streamlit.testing.v1 import AppTest

    from apptest import ROOT, TIMEOUT, assert_clean, run
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.query_params["t"] = "11"
    at.switch_page(page)                      # the first run of the session is this page
    at.run()
    assert_clean(at)
    assert not [m for m in texts(at) if "eplayed" in m or "Rebuilt" in m]
    assert any(own in c.value for c in at.caption)
    at.switch_page("dashboard.py")
    run(at)
    assert any("replayed to t = 11" in m for m in texts(at))
