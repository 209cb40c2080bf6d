"""The run in the address bar, and back: write the URL that rebuilds this tab's run (its settings,
t, and the trainer's event log as `changes`), and replay such a URL on a session's first run to
the same θ, bit for bit (a reload, a copied link, a page reconnecting to another server).
"""

import time
from dataclasses import replace

import streamlit as st

from ffnn.events import DIVERGED

from . import settings as S
from . import urlstate
from .messages import say
from .state import build_run

URL_EVERY = 3.0          # s: while a run plays, the address bar's t is this fresh at most
RECONNECT_CHECK = 30.0   # s between the empty timer runs of rerun_on_reconnect


# ---- reading the address (a session's first run) ------------------------------------------------

def take(values):
    """From a URL's decoded `values`, what the replay needs, into this session: its t, its
    change list (or the id of a stored one) and its uploaded points (see carried)."""
    st.session_state["replay_to"] = (values.pop("t", 0), values.pop("changes", []))
    carried(values)


def carried(values):
    """A URL's uploaded points and stored change list (their ids in the store: ffnn.app.carry)
    into this session; what cannot be read is said, and its run starts from θ₀."""
    from . import carry
    ss = st.session_state
    t = ss["replay_to"][0]
    key = values.pop("upload", None)
    if key is not None:
        try:
            points = carry.points_of(key)
        except carry.Unreadable as err:
            say("warning", carry.LOST_POINTS.format(id=key, why=err, t=t), topic="problem")
            ss["replay_to"] = (0, [])
        else:
            ss["uploaded"] = points
            values.update(dataset=S.UPLOADED, upload=key, upload_task=points.task)
    key = values.pop("changelog", None)
    if key is not None and ss["replay_to"][0]:
        try:
            text = carry.fetch("changes", key).decode()
            changes = urlstate.changes_upto(text, t)
        except (carry.Unreadable, ValueError, UnicodeDecodeError) as err:
            say("warning", carry.LOST_CHANGES.format(id=key, why=err, t=t), topic="problem")
            ss["replay_to"] = (0, [])
        else:
            ss["replay_to"] = (t, changes)


# ---- writing it --------------------------------------------------------------------------------

def changes_of(trainer):
    """The trainer's events after t = 0 as a URL's change list: [(t, key, the value it
    replaced)], and [(t, "diverged", None)] for a divergence (see urlstate.encode_changes). A
    setting changed at t = 0 is the one the run started with: the URL holds it already."""
    return [(e.t, e.key, None if not e.setting else 0 if e.old is None else e.old)
            for e in trainer.events if e.t > 0]        # a batch size None (full) is 0 there


def _in_force(trainer, cfg):
    """Whether every setting a replay applies is, in the trainer, the one `cfg` gives (what a
    replay ends with): not so after a change made on the trainer itself, not through the
    settings. A batch as large as the training set is the full batch."""
    for key, (get, _) in S.mid_run().items():
        value = cfg[key]
        if key == "batch_size" and value >= len(trainer.X):
            value = 0
        if get(trainer) != value:
            return False
    return all(e.key in S.mid_run() or e.key == DIVERGED for e in trainer.events if e.t > 0)


def url_params(run, present=False):
    """The query parameters that rebuild this run: its settings, and, when they can travel, t
    and the trainer's events (so that replaying gives this θ bit for bit).

    t is left out for uploaded points (a URL cannot carry them), when a setting changed on the
    trainer is not the run's (it could not be replayed), and when a URL could not read back
    what would be written (more changes than urlstate.MAX_CHANGES, or a typed value beyond what
    a URL accepts): never a t that would replay to another θ."""
    tr = run.trainer
    settings = urlstate.encode(run.cfg, present=present)
    if not tr.t or not _in_force(tr, run.cfg):
        return settings
    changes = changes_of(tr)
    params = urlstate.encode(run.cfg, t=tr.t, present=present, changes=changes)
    if urlstate.too_long(params.get("changes", "")):     # kept in the store, named by its id
        from . import carry
        key = carry.changes_id(params["changes"])
        if key is None:
            return settings
        params = urlstate.encode(run.cfg, t=tr.t, present=present, changelog=key)
        values, warnings = urlstate.decode(params)
        return settings if warnings else params
    values, warnings = urlstate.decode(params)
    if warnings or values.get("changes", []) != changes:
        return settings
    return params


def write_url(run):
    """Keep the address bar equal to this run: its settings, t and mid-run changes, so that a
    copied URL, a reload or a reconnection to another server rebuilds the same θ (replay).

    Cheap enough for every frame (a dict compared); the browser is sent a message only when
    the parameters changed, and each such message adds an entry to the tab's history."""
    params = url_params(run, present=st.session_state["present"])
    if st.session_state.get("board_code"):     # the class board joined; never its lecturer key
        params["class"] = st.session_state["board_code"]
    if st.session_state.get("stage"):          # the lecture's run-through: its stage
        params["stage"] = str(st.session_state["stage"])
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def keep_url(_trainer):
    """Called on every playing frame: keep the address bar current (see write_url) every
    URL_EVERY seconds, so that a page that reconnects to another server replays the run."""
    ss, now = st.session_state, time.monotonic()
    if now - ss.get("_url_at", 0.0) >= URL_EVERY:
        ss["_url_at"] = now
        write_url(ss["run"])


def _nothing():
    """The body of rerun_on_reconnect's fragment: it draws nothing."""


def rerun_on_reconnect():
    """Keep one empty fragment on a timer in every page. When its WebSocket comes back,
    Streamlit's page asks the server for a run only if a run was going on or some fragment runs
    on a timer; without one, a paused page whose replica died reconnects to another replica and
    stays a picture of the old session until clicked (its download buttons pointing at files the
    new replica never had). With it, the page asks for a run at once, and the new session
    rebuilds the run from the address bar (replay). Costs each session one empty fragment run
    every RECONNECT_CHECK seconds."""
    st.fragment(_nothing, run_every=RECONNECT_CHECK)()


# ---- replaying it ------------------------------------------------------------------------------

def replay(run):
    """A URL's t on a session's first run: from the same θ₀, run that many updates with the
    settings in force at each t (the URL's `changes`), as the run that wrote the URL did, so
    that θ is the same bit for bit. At most urlstate.MAX_T updates (a notice says so beyond)."""
    ss = st.session_state
    t, changes = ss.pop("replay_to", (0, []))
    if not t or run.trainer.t != 0:
        return
    started = time.perf_counter()
    to = min(t, urlstate.MAX_T)
    again = replayed(run, to, [c for c in changes if c[0] <= to], ss.get("uploaded"))
    if again is None:
        say("warning", "The URL's t and changes do not fit together (they were edited?): "
            "training starts from θ₀ with the URL's settings.", topic="problem")
        return
    run.trainer = trainer = again.trainer
    took = time.perf_counter() - started
    if to < t:
        say("info", f"This address asks for t = {t:,}; at most {urlstate.MAX_T:,} updates are "
            f"replayed. Replayed to t = {trainer.t:,} ({took:.1f} s): this run's θ at that t, "
            "bit for bit. Play goes on from there.", place="main_run", topic="replay")
    else:
        say("info", f"Rebuilt this run from its address: replayed to t = {trainer.t:,} "
            f"({took:.1f} s). The same settings, seeds and mid-run changes give the same θ, "
            "bit for bit.", place="main_run", topic="replay")


def replayed(run, t, changes, uploaded=None):
    """A new Run of `run`'s settings and data, trained from θ₀ to `t` with a URL's `changes`
    applied on the way (see changes_of); None if they do not fit (a change after a divergence
    that did not happen, say). The settings at t = 0 are the run's, except each changed one's
    first value; it ends with the run's settings, and its trainer's events after t = 0 are the
    changes."""
    first = {}
    for _, key, value in changes:
        if key != DIVERGED:
            first.setdefault(key, value)
    cfg = {**run.cfg, **first, "max_iterations": max(t, run.cfg["max_iterations"])}
    trainer = build_run(cfg, uploaded).trainer
    later = {}     # key -> the values it takes, in order
    for i, (_, key, _) in enumerate(changes):
        if key != DIVERGED:
            nxt = next((v for _, k, v in changes[i + 1:] if k == key), run.cfg[key])
            later.setdefault(key, []).append(nxt)
    for at, key, _ in changes:
        if at > trainer.t:
            trainer.step(at - trainer.t)
        if trainer.t != at:              # diverged before reaching it: not this URL's run
            return None
        if key == DIVERGED:
            # The update that failed: tried again, one update at a time, as the run did. It may
            # come after one more good update, which the divergence then undid (the engine
            # keeps the last θ whose loss and gradient are finite): t comes back to `at`.
            for _ in range(2):
                trainer.step(1)
                if trainer.diverged is not None:
                    break
            if trainer.diverged is None or trainer.t != at:
                return None
        else:
            S.mid_run()[key][1](trainer, later[key].pop(0))
    if t > trainer.t:
        trainer.step(t - trainer.t)
    trainer.max_iterations = run.cfg["max_iterations"]
    return replace(run, trainer=trainer, pending=None)
