"""Per-tab state: the settings, and the run (data, network, trainer) built from them.

Everything lives in st.session_state, one per browser tab, never in st.cache_resource (that
would be shared by every visitor of a hosted demo). Datasets are pure functions of their
arguments, so they are cached with st.cache_data.
"""

import time
from copy import deepcopy
from dataclasses import dataclass, field

import streamlit as st

from ffnn import Network, Trainer
from ffnn.datasets import Dataset, make_dataset
from ffnn.io import dataset_from_points

from . import settings as S
from . import urlstate
from .playback import RESUMABLE, playback


@st.cache_data(max_entries=64, show_spinner=False)
def load_dataset(name, n_samples, noise, train_ratio, seed, features, params=()) -> Dataset:
    """`params`: ((name, value), ...) of the data set's own parameters."""
    return make_dataset(name, n_samples=n_samples, noise=noise, train_ratio=train_ratio,
                        seed=seed, features=features, **dict(params))


@dataclass
class Run:
    """One training run: the settings it was built from, its data and its trainer.

    `changes`: the settings changed mid-run, [(t, key, value it replaced)], and the updates that
    diverged, [(t, "diverged", None)], in the order they happened. With the current settings
    they are what a URL needs to replay this trainer's θ bit for bit (see url_params)."""

    cfg: dict
    data: Dataset
    trainer: Trainer
    changes: list = field(default_factory=list)
    marked: object = field(default=None, repr=False)   # the Divergence last put in changes
    pending: object = field(default=None, repr=False)  # the last change, to undo (see change)

    @property
    def net(self):
        return self.trainer.net


def init_state():
    """Defaults for every setting not yet in this tab's session; on a session's first run, the
    settings a shared URL carries (validated: see urlstate)."""
    ss = st.session_state
    first = "url_read" not in ss
    for key, value in S.DEFAULTS.items():
        if key not in ss:
            ss[key] = deepcopy(value)
    ss.setdefault("speed", S.DEFAULT_SPEED)
    ss.setdefault("present", False)
    if first:
        ss["url_read"] = True
        ss[RESUMABLE] = True              # see controls.resume
        values, ss["url_warnings"] = urlstate.decode(st.query_params.to_dict())
        ss["replay_to"] = (values.pop("t", 0), values.pop("changes", []))
        carried(values)
        ss["present"] = values.pop("present", False)
        if "stage" in values:
            ss["stage_from_url"] = values.pop("stage")
        if "class" in values:                                       # the class board
            ss["board_code"] = values.pop("class")
        # A lecturer key is never taken from a link: a link ends up in logs and histories. The
        # board page says so (ffnn.app.board.lecturer); the address bar drops it.
        ss["board_key_in_url"] = values.pop("key", None) is not None
        for key, value in values.items():
            ss[key] = value


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
            ss["problem"] = carry.LOST_POINTS.format(id=key, why=err, t=t)
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
            ss["problem"] = carry.LOST_CHANGES.format(id=key, why=err, t=t)
            ss["replay_to"] = (0, [])
        else:
            ss["replay_to"] = (t, changes)


def url_params(run, present=False):
    """The query parameters that rebuild this run: its settings, and, when they can travel, t
    and the settings changed mid-run (so that replaying gives this θ bit for bit).

    t is left out for uploaded points (a URL cannot carry them), when the trainer recorded a
    mid-run change that run.changes does not hold (it could not be replayed), and when a URL
    could not read back what would be written (more changes than urlstate.MAX_CHANGES, or a
    typed value beyond what a URL accepts): never a t that would replay to another θ."""
    tr = run.trainer
    # A divergence noted at a t the run went back before (Back), or the last one when the run
    # is no longer diverged without an η change (Back, then forward again), is not part of
    # the path to this θ any more.
    # A setting changed at t = 0 is the setting the run started with: the URL holds it already.
    changes = [c for c in run.changes if c[0] > 0 and (c[1] != urlstate.DIVERGED or c[0] <= tr.t)]
    if changes and changes[-1][1] == urlstate.DIVERGED and tr.diverged is None:
        changes.pop()
    if tr.diverged is not None and tr.diverged is not run.marked:
        changes.append((tr.t, urlstate.DIVERGED, None))
    known = sum(key != urlstate.DIVERGED for _, key, _ in changes)
    settings = urlstate.encode(run.cfg, present=present)
    if not tr.t or known != sum(at > 0 for at, _ in tr.events):
        return settings
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


URL_EVERY = 3.0   # s: while a run plays, the address bar's t is this fresh at most


def keep_url(_trainer):
    """Called on every playing frame: keep the address bar current (see write_url) every
    URL_EVERY seconds, so that a page that reconnects to another server replays the run."""
    ss, now = st.session_state, time.monotonic()
    if now - ss.get("_url_at", 0.0) >= URL_EVERY:
        ss["_url_at"] = now
        write_url(ss["run"])


RECONNECT_CHECK = 30.0   # s between the empty timer runs of rerun_on_reconnect


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
        ss["problem"] = ("The URL's t and changes do not fit together (they were edited?): "
                         "training starts from θ₀ with the URL's settings.")
        return
    run.trainer, run.changes, run.marked = again.trainer, again.changes, again.marked
    trainer = again.trainer
    took = time.perf_counter() - started
    if to < t:
        ss["replay_notice"] = (f"This address asks for t = {t:,}; at most {urlstate.MAX_T:,} "
                        f"updates are replayed. Replayed to t = {trainer.t:,} ({took:.1f} s): this "
                        "run's θ at that t, bit for bit. Play goes on from there.")
    else:
        ss["replay_notice"] = (f"Rebuilt this run from its address: replayed to t = {trainer.t:,} "
                        f"({took:.1f} s). The same settings, seeds and mid-run changes give the "
                        "same θ, bit for bit.")


def replayed(run, t, changes, uploaded=None):
    """A new Run of `run`'s settings and data, trained from θ₀ to `t` with `changes` applied on
    the way (see Run.changes); None if they do not fit (a change after a divergence that did not
    happen, say). The settings at t = 0 are the run's, except each changed one's first value;
    it ends with the run's settings, the same events and the same changes."""
    first = {}
    for _, key, value in changes:
        if key != urlstate.DIVERGED:
            first.setdefault(key, value)
    cfg = {**run.cfg, **first, "max_iterations": max(t, run.cfg["max_iterations"])}
    trainer = build_run(cfg, uploaded).trainer
    out = Run(run.cfg, run.data, trainer, list(changes))
    later = {}     # key -> the values it takes, in order
    for i, (_, key, _) in enumerate(changes):
        if key != urlstate.DIVERGED:
            nxt = next((v for _, k, v in changes[i + 1:] if k == key), run.cfg[key])
            later.setdefault(key, []).append(nxt)
    for at, key, _ in changes:
        if at > trainer.t:
            trainer.step(at - trainer.t)
        if trainer.t != at:              # diverged before reaching it: not this URL's run
            return None
        if key == urlstate.DIVERGED:
            # The update that failed: tried again, one update at a time, as the run did. It may
            # come after one more good update, which the divergence then undid (the engine
            # keeps the last θ whose loss and gradient are finite): t comes back to `at`.
            for _ in range(2):
                trainer.step(1)
                if trainer.diverged is not None:
                    break
            if trainer.diverged is None or trainer.t != at:
                return None
            out.marked = trainer.diverged
        else:
            S.mid_run()[key][1](trainer, later[key].pop(0))
    if t > trainer.t:
        trainer.step(t - trainer.t)
    trainer.max_iterations = run.cfg["max_iterations"]
    return out


def current_cfg():
    return {key: deepcopy(st.session_state[key]) for key in S.DEFAULTS}


def build_run(cfg, uploaded=None):
    """A fresh run from theta_0 (raises ValueError with a readable message on bad settings).
    `uploaded`: the points of an uploaded CSV (ffnn.io.Points), used when the dataset is
    settings.UPLOADED."""
    if cfg["dataset"] == S.UPLOADED:
        if uploaded is None:
            raise ValueError("no uploaded data in this session: upload a CSV first")
        data = dataset_from_points(uploaded, cfg["train_pct"] / 100, cfg["data_seed"],
                                   tuple(cfg["features"]))
    else:
        data = load_dataset(cfg["dataset"], cfg["n_samples"], cfg["noise"] / 100,
                            cfg["train_pct"] / 100, cfg["data_seed"], tuple(cfg["features"]),
                            tuple((p.name, cfg[p.name]) for p in S.own_params(cfg["dataset"])))
    sizes = [data.n_inputs, *S.hidden_sizes(cfg), S.n_outputs(cfg, data.n_classes)]
    net = Network(sizes, activation=cfg["activation"], output=cfg["output"], loss=cfg["loss"],
                  init=cfg["init"], l2=cfg["l2"], seed=cfg["seed"])
    trainer = Trainer(net, data.X_train, data.y_train, lr=cfg["lr"],
                      optimizer=cfg["optimizer"], batch_size=cfg["batch_size"] or None,
                      X_test=data.X_test, y_test=data.y_test,
                      max_iterations=cfg["max_iterations"], seed=cfg["seed"])
    for key, row in S.table().items():     # a row the constructor does not take, at θ₀
        if row.trainer and row.trainer[0](trainer) != cfg[key]:
            row.trainer[1](trainer, cfg[key])
    return Run(cfg, data, trainer)


def sync_run():
    """Keep, adjust or rebuild this tab's run to match the settings; -> the run.

    Data or architecture changed: a new run from a fresh theta_0, and a notice says so.
    Learning rate, optimizer, batch size, L2 or max iterations changed: the same theta goes on.
    Settings that cannot be built: an error, and the previous run (and its settings) stay.
    """
    ss = st.session_state
    cfg, _ = S.reconcile(current_cfg())      # the sidebar has shown the notes already
    run = ss.get("run")
    if run is not None and S.data_key(cfg) == S.data_key(run.cfg) \
            and S.arch_key(cfg) == S.arch_key(run.cfg):
        return _adjust(run, cfg)
    try:
        new = build_run(cfg, ss.get("uploaded"))
    except ValueError as err:
        ss["problem"] = f"These settings cannot be used: {err}"
        if run is None:
            raise
        restore(run.cfg)
        return run
    if run is not None:
        what = "New data" if S.data_key(cfg) != S.data_key(run.cfg) else "New architecture"
        ss["notice"] = f"{what}: training starts again from a fresh θ₀ (t = 0)."
    ss["run"] = new
    return new


def _adjust(run, cfg):
    """Apply the settings that keep theta; a bad value is refused and the old one restored."""
    tr = run.trainer
    try:
        for key in S.mid_run():
            change(run, key, cfg[key])
        for key, row in S.table().items():         # the rest that may change: not part of θ_t
            if row.trainer and not row.replayed:
                row.trainer[1](tr, cfg[key])
    except ValueError as err:
        st.session_state["problem"] = f"That value cannot be used: {err}"
        restore(run.cfg)
        return run
    run.cfg = cfg
    return run


def change(run, key, value):
    """Set one of the trainer's settings that may change mid-run ("lr", "optimizer",
    "batch_size", "l2"); when the trainer records it as a mid-run change (an event), note it in
    run.changes with the value it replaced, after the divergence it ends, if any. Whatever sets
    them outside sync_run goes through here, or the address bar stops carrying t (url_params)."""
    tr = run.trainer
    get, put = S.mid_run()[key]
    if get(tr) == value:
        return
    # One interaction, one change: a slider moved value by value (its arrow keys) with no
    # update in between is undone from its checkpoint and set once, so that the values it
    # passed leave no trace (an optimizer's memory, a mini-batch order, a divergence cleared).
    where = (tr.t, key, len(run.changes), len(tr.events), tr.net.theta.tobytes())
    if run.pending is not None and run.pending[0] == where:
        _, cp, n_changes, marked = run.pending
        tr.restore(cp)
        del run.changes[n_changes:]
        run.marked = marked
    else:
        cp, n_changes, marked = tr.checkpoint(), len(run.changes), run.marked
    old, diverged, n = get(tr), tr.diverged, len(tr.events)
    put(tr, value)
    if len(tr.events) > n:
        if diverged is not None and diverged is not run.marked:
            run.changes.append((tr.t, urlstate.DIVERGED, None))
            run.marked = diverged
        run.changes.append((tr.t, key, old))
    run.pending = ((tr.t, key, len(run.changes), len(tr.events), tr.net.theta.tobytes()),
                   cp, n_changes, marked)


def restore(cfg):
    for key, value in cfg.items():
        st.session_state[key] = deepcopy(value)


def reset():
    """Start the same settings again from theta_0 (the same seed gives the same theta_0). The
    run it replaces can come back once (Undo: a stray key press loses nothing)."""
    ss = st.session_state
    old = ss["run"]
    ss["run"] = build_run(old.cfg, ss.get("uploaded"))
    playback().pause()
    ss["notice"] = "Reset: training starts again from θ₀ (t = 0)."
    if old.trainer.t:
        ss["undo_reset"] = old


def undo_reset(run):
    """The run that Reset replaced, back as it was (its settings are the current ones)."""
    ss = st.session_state
    if ss["run"].trainer.t == 0 and ss["run"].cfg == run.cfg:
        ss["run"] = run
        ss["notice"] = f"Undone: back to t = {run.trainer.t}."


def load_lesson(key):
    """Every setting to the lesson's (the rest to defaults) and a fresh run from its theta_0."""
    from .lessons import LESSONS
    ss = st.session_state
    cfg = LESSONS[key].cfg()
    restore(cfg)
    ss["run"] = build_run(cfg)
    playback().pause()
    ss["lesson"] = key
    if LESSONS[key].view:
        view_key, label = LESSONS[key].view
        ss[view_key] = label
    for page_key, value in LESSONS[key].page_state.items():   # the page's own settings
        ss[page_key] = value


def pop_message(key):
    return st.session_state.pop(key, None)
