"""The trainer's one event log (ffnn.events): what each kind of event says on the charts, how
the log follows the trainer back (restore, back_to), and the address bar built from it: a URL
replays to the same events and θ, bit for bit, and links written before the log was one list
still replay.
"""

import numpy as np

from ffnn import Network, Trainer
from ffnn.app import board as G
from ffnn.app import settings as S
from ffnn.app import state, urlstate
from ffnn.app.replay import changes_of, replayed, url_params
from ffnn.app.state import build_run
from ffnn.app.urlstate import decode
from ffnn.datasets import make_dataset
from ffnn.events import DIVERGED, Event

from apptest import counter, run_state, start


def same_bits(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def rebuilt(params):
    """-> the run a new session builds from the address `params` (decoded, then replayed)."""
    values, warnings = decode(params)
    assert not warnings
    t, changes = values.pop("t", 0), values.pop("changes", [])
    return replayed(build_run({**S.DEFAULTS, **values}), t, changes)


def adjust(run, **settings):
    """What the sidebar does: new settings through state.sync_run's _adjust."""
    state._adjust(run, {**run.cfg, **settings})


# ---- what each event says ------------------------------------------------------------------------

def test_each_kind_of_event_reads_as_the_charts_label_it():
    assert Event(3, "lr", 0.1, 0.5).text == "η 0.1 → 0.5"
    assert Event(3, "lr", 0.123456789, 2e-4).text == "η 0.123457 → 0.0002"
    assert Event(3, "batch_size", None, 32).text == "batch full → 32"
    assert Event(3, "batch_size", 32, None).text == "batch 32 → full"
    assert Event(3, "l2", 0.0, 0.001).text == "λ 0 → 0.001"
    assert Event(3, "optimizer", "gd", "adam").text == "optimizer gd → adam"
    assert Event(3, DIVERGED).text == "diverged"
    assert Event(3, "nudge", 1.0, 2.0).text == "nudge 1 → 2"       # a setting of the app's own
    assert Event(3, "lr", 0.1, 0.5).setting and not Event(3, DIVERGED).setting


def test_the_trainer_logs_each_change_and_the_divergence_where_they_happen():
    data = make_dataset("circle", n_samples=200, seed=0)
    tr = Trainer(Network([2, 4, 2], seed=0), data.X_train, data.y_train, lr=0.1)
    tr.step(2)
    tr.lr = 0.5
    tr.lr = 0.5                                   # the same value: no event
    tr.batch_size = 32
    tr.step(1)
    tr.batch_size = None
    tr.l2 = 0.001
    tr.set_optimizer("adam")
    tr.step(1)
    tr.lr = 1e300                                 # the next update cannot stay finite
    tr.step(5)
    assert tr.diverged is not None
    assert [(e.t, e.text) for e in tr.events] == [
        (2, "η 0.1 → 0.5"), (2, "batch full → 32"), (3, "batch 32 → full"), (3, "λ 0 → 0.001"),
        (3, "optimizer gd → adam"), (4, "η 0.5 → 1e+300"), (tr.t, "diverged")]
    assert tr.events[0] == Event(2, "lr", 0.1, 0.5)
    assert tr.setting_changes == tr.events[:-1]


def test_the_log_goes_back_with_the_trainer():
    """restore(cp) cuts it at the checkpoint; back_to(step) drops the divergences after step
    and the one it ends (the run is no longer diverged: it is not on the path to this θ)."""
    data = make_dataset("circle", n_samples=200, seed=0)
    net = Network([2, 4, 1], output="linear", loss="squared_error", seed=0)
    tr = Trainer(net, data.X_train, data.y_train.astype(float), lr=0.01)
    tr.step(3)
    cp = tr.checkpoint()
    tr.lr = 100.0
    tr.step(300)
    at = tr.t
    assert tr.diverged is not None and [e.key for e in tr.events] == ["lr", DIVERGED]
    tr.restore(cp)
    assert tr.events == [] and tr.diverged is None and tr.lr == 0.01
    tr.lr = 100.0
    tr.step(300)
    assert tr.t == at and tr.events[-1] == Event(at, DIVERGED)
    tr.back_to(at)                                 # the same t, no longer diverged
    assert tr.events == [Event(3, "lr", 0.01, 100.0)] and tr.diverged is None
    tr.step(300)                                   # into it again: logged once
    assert tr.events == [Event(3, "lr", 0.01, 100.0), Event(at, DIVERGED)]
    tr.back_to(at - 2)
    assert tr.events == [Event(3, "lr", 0.01, 100.0)]


# ---- URL -> replay -> the same events and θ ------------------------------------------------------

def test_a_url_replays_to_the_same_events_and_theta_and_writes_itself_back():
    run = build_run({**S.DEFAULTS, "lr": 100.0, "optimizer": "nesterov", "batch_size": 1,
                     "loss": "squared_error", "output": "linear"})
    run.trainer.step(200)
    first = run.trainer.t
    assert run.trainer.diverged is not None
    adjust(run, lr=0.001)                           # a divergence, then η lowered
    run.trainer.step(20)
    adjust(run, optimizer="adam", batch_size=2, l2=0.01)     # three changes at one t
    run.trainer.step(7)
    assert run.trainer.diverged is None
    params = url_params(run)
    assert params["t"] == str(first + 27)
    assert params["changes"] == (f"{first}.diverged~{first}.lr.100~{first + 20}.optimizer."
                                 f"nesterov~{first + 20}.batch_size.1~{first + 20}.l2.0")
    again = rebuilt(params)
    same_bits(again.net.theta, run.net.theta)
    assert again.trainer.events == [e for e in run.trainer.events if e.t > 0]
    assert changes_of(again.trainer) == changes_of(run.trainer)
    assert url_params(again) == params


def test_a_batch_as_large_as_the_data_is_the_full_batch_and_keeps_t():
    """Batch 100 of 50 training points is the full batch: the trainer's None is the run's 100
    (the address keeps t, and replays it)."""
    run = build_run({**S.DEFAULTS, "n_samples": 100, "batch_size": 10})
    run.trainer.step(5)
    adjust(run, batch_size=100)
    run.trainer.step(5)
    assert run.trainer.batch_size is None and run.trainer.events == [
        Event(5, "batch_size", 10, None)]
    params = url_params(run)
    assert (params["t"], params["changes"], params["batch_size"]) == ("10", "5.batch_size.10",
                                                                     "100")
    same_bits(rebuilt(params).net.theta, run.net.theta)


def test_an_event_the_url_cannot_replay_keeps_t_out(tmp_path, monkeypatch):
    """Even in a change list too long for an address (kept in the store, unread until a new
    session fetches it)."""
    monkeypatch.setenv(G.ENV, f"sqlite:///{tmp_path}/board.sqlite3")
    for n in (1, urlstate.MAX_CHANGES + 5):
        run = build_run(dict(S.DEFAULTS))
        for i in range(n):
            run.trainer.step(1)
            adjust(run, lr=0.3 if i % 2 == 0 else 0.1)
        assert "t" in url_params(run)
        run.trainer.events.append(Event(n, "seed", 0, 1))    # not a setting a replay applies
        run.trainer.step(5)
        assert set(url_params(run)) <= {"lr"}


# ---- links written before the log was one list -------------------------------------------------

# Written by the app before this change (Run.changes beside Trainer.events), for the runs below.
OLD_LINK = {"lr": "0.3", "optimizer": "adam", "batch_size": "20", "l2": "0.001", "t": "31",
            "changes": "10.lr.0.1~20.optimizer.gd~20.batch_size.10~30.l2.0"}
OLD_DIVERGED_LINK = {"loss": "squared_error", "output": "linear", "lr": "0.001",
                     "optimizer": "nesterov", "batch_size": "1", "t": "75",
                     "changes": "45.diverged~45.lr.100"}


def test_an_old_link_still_replays_bit_for_bit():
    ref = build_run({**S.DEFAULTS, "batch_size": 10}).trainer     # the engine, by hand
    ref.step(10)
    ref.lr = 0.3
    ref.step(10)
    ref.set_optimizer("adam")
    ref.batch_size = 20
    ref.step(10)
    ref.l2 = 0.001
    ref.step(1)
    again = rebuilt(OLD_LINK)
    same_bits(again.net.theta, ref.net.theta)
    assert again.trainer.events == ref.events
    assert url_params(again) == OLD_LINK
    at = start(OLD_LINK)                                 # opened in the app
    assert counter(at) == 31
    same_bits(run_state(at).net.theta, ref.net.theta)
    assert {k: at.query_params[k] for k in at.query_params} == OLD_LINK


def test_an_old_link_with_a_divergence_still_replays_bit_for_bit():
    ref = build_run({**S.DEFAULTS, "lr": 100.0, "optimizer": "nesterov", "batch_size": 1,
                     "loss": "squared_error", "output": "linear"}).trainer
    ref.step(200)
    assert ref.t == 45 and ref.diverged is not None
    ref.lr = 0.001
    ref.step(30)
    again = rebuilt(OLD_DIVERGED_LINK)
    same_bits(again.net.theta, ref.net.theta)
    assert again.trainer.events == ref.events == [Event(45, DIVERGED),
                                                  Event(45, "lr", 100.0, 0.001)]
    assert url_params(again) == OLD_DIVERGED_LINK
    assert np.isfinite(again.net.theta).all()
