"""Per-tab state: the settings, and the run (data, network, trainer) built from them.

Everything lives in st.session_state, one per browser tab, never in st.cache_resource (that
would be shared by every visitor of a hosted demo). Datasets are pure functions of their
arguments, so they are cached with st.cache_data.
"""

from copy import deepcopy
from dataclasses import dataclass

import streamlit as st

from ffnn import Network, Trainer
from ffnn.datasets import Dataset, make_dataset
from ffnn.io import dataset_from_points

from . import settings as S
from . import urlstate


@st.cache_data(max_entries=64, show_spinner=False)
def load_dataset(name, n_samples, noise, train_ratio, seed, n_classes, features) -> Dataset:
    return make_dataset(name, n_samples=n_samples, noise=noise, train_ratio=train_ratio,
                        seed=seed, n_classes=n_classes, features=features)


@dataclass
class Run:
    """One training run: the settings it was built from, its data and its trainer."""

    cfg: dict
    data: Dataset
    trainer: Trainer

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
    ss.setdefault("playing", False)
    ss.setdefault("speed", 10)
    ss.setdefault("present", False)
    if first:
        ss["url_read"] = True
        values, ss["url_warnings"] = urlstate.decode(st.query_params.to_dict())
        ss["replay_t"] = values.pop("t", 0)
        ss["present"] = values.pop("present", False)
        for key, value in values.items():
            ss[key] = value


def write_url(run):
    """Keep the address bar equal to this run's settings, so a copied URL reproduces it."""
    params = urlstate.encode(run.cfg, present=st.session_state["present"])
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def replay(run):
    """A shared URL's t: run that many updates once, from the same theta_0 (deterministic)."""
    t = st.session_state.pop("replay_t", 0)
    if t and run.trainer.t == 0:
        run.trainer.step(min(t, run.trainer.max_iterations))
        st.session_state["notice"] = (f"Replayed the shared run to t = {run.trainer.t}: same "
                                      "settings and seeds give the same θ, bit for bit.")


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
                            cfg["train_pct"] / 100, cfg["data_seed"], cfg["n_classes"],
                            tuple(cfg["features"]))
    sizes = [data.n_inputs, *S.hidden_sizes(cfg), S.n_outputs(cfg, data.n_classes)]
    net = Network(sizes, activation=cfg["activation"], output=cfg["output"], loss=cfg["loss"],
                  init=cfg["init"], l2=cfg["l2"], seed=cfg["seed"])
    trainer = Trainer(net, data.X_train, data.y_train, lr=cfg["lr"],
                      optimizer=cfg["optimizer"], batch_size=cfg["batch_size"] or None,
                      X_test=data.X_test, y_test=data.y_test,
                      max_iterations=cfg["max_iterations"], seed=cfg["seed"])
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
        _restore(run.cfg)
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
        tr.lr = cfg["lr"]
        tr.set_optimizer(cfg["optimizer"])
        tr.batch_size = cfg["batch_size"] or None
        tr.l2 = cfg["l2"]
        tr.max_iterations = cfg["max_iterations"]
    except ValueError as err:
        st.session_state["problem"] = f"That value cannot be used: {err}"
        _restore(run.cfg)
        return run
    run.cfg = cfg
    return run


def _restore(cfg):
    for key, value in cfg.items():
        st.session_state[key] = deepcopy(value)


def reset():
    """Start the same settings again from theta_0 (the same seed gives the same theta_0)."""
    ss = st.session_state
    ss["run"] = build_run(ss["run"].cfg, ss.get("uploaded"))
    ss["playing"] = False
    ss["notice"] = "Reset: training starts again from θ₀ (t = 0)."


def load_lesson(key):
    """Every setting to the lesson's (the rest to defaults) and a fresh run from its theta_0."""
    from .lessons import LESSONS
    ss = st.session_state
    cfg = LESSONS[key].cfg()
    _restore(cfg)
    ss["run"] = build_run(cfg)
    ss["playing"] = False
    ss["lesson"] = key


def pop_message(key):
    return st.session_state.pop(key, None)
