"""Per-tab state: the settings, and the run (data, network, trainer) built from them.

Everything lives in st.session_state, one per browser tab, never in st.cache_resource (that
would be shared by every visitor of a hosted demo). Datasets are pure functions of their
arguments, so they are cached with st.cache_data.
"""

from copy import deepcopy
from dataclasses import dataclass, field

import streamlit as st

from ffnn import Network, Trainer
from ffnn.datasets import Dataset, make_dataset
from ffnn.io import dataset_from_points

from . import settings as S
from . import urlstate
from .messages import say
from .playback import RESUMABLE, playback


@st.cache_data(max_entries=64, show_spinner=False)
def load_dataset(name, n_samples, noise, train_ratio, seed, features, params=()) -> Dataset:
    """`params`: ((name, value), ...) of the data set's own parameters."""
    return make_dataset(name, n_samples=n_samples, noise=noise, train_ratio=train_ratio,
                        seed=seed, features=features, **dict(params))


@dataclass
class Run:
    """One training run: the settings it was built from, its data and its trainer (whose
    event log, Trainer.events, is what a URL needs to replay its θ: ffnn.app.replay)."""

    cfg: dict
    data: Dataset
    trainer: Trainer
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
        from . import replay  # (it imports build_run from here)
        ss["url_read"] = True
        ss[RESUMABLE] = True              # see controls.resume
        values, warnings = urlstate.decode(st.query_params.to_dict())
        for warning in warnings:
            say("warning", warning)
        replay.take(values)
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
        say("warning", f"These settings cannot be used: {err}", topic="problem")
        if run is None:
            raise
        restore(run.cfg)
        return run
    if run is not None:
        what = "New data" if S.data_key(cfg) != S.data_key(run.cfg) else "New architecture"
        say("info", f"{what}: training starts again from a fresh θ₀ (t = 0).", topic="notice")
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
        say("warning", f"That value cannot be used: {err}", topic="problem")
        restore(run.cfg)
        return run
    run.cfg = cfg
    return run


def change(run, key, value):
    """Set one of the trainer's settings that may change mid-run ("lr", "optimizer",
    "batch_size", "l2"; the trainer logs it as an event). Whatever sets them outside sync_run
    goes through here and sets the session's value too: the address bar carries t only while
    the trainer's settings are the run's (replay.url_params)."""
    tr = run.trainer
    get, put = S.mid_run()[key]
    if get(tr) == value:
        return
    # One interaction, one change: a slider moved value by value (its arrow keys) with no
    # update in between is undone from its checkpoint and set once, so that the values it
    # passed leave no trace (an optimizer's memory, a mini-batch order, a divergence cleared).
    if run.pending is not None and run.pending[0] == _where(tr, key):
        cp = run.pending[1]
        tr.restore(cp)
    else:
        cp = tr.checkpoint()
    put(tr, value)
    run.pending = (_where(tr, key), cp)


def _where(tr, key):
    """What must not have moved since a change for the next one to be part of it."""
    return tr.t, key, len(tr.setting_changes), tr.net.theta.tobytes()


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
    say("info", "Reset: training starts again from θ₀ (t = 0).", topic="notice")
    if old.trainer.t:
        ss["undo_reset"] = old


def undo_reset(run):
    """The run that Reset replaced, back as it was (its settings are the current ones)."""
    ss = st.session_state
    if ss["run"].trainer.t == 0 and ss["run"].cfg == run.cfg:
        ss["run"] = run
        say("info", f"Undone: back to t = {run.trainer.t}.", topic="notice")


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

