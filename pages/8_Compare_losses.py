"""How to choose the loss L(θ)? Two copies of the sidebar's network train in lockstep (same θ₀,
data and batches) and differ in one setting: both decision boundaries, both loss curves, and
each example's output error signal δ_L (δ at layer L). The pair is this page's own state ("cmp_"
keys)."""

import streamlit as st

from ffnn.activations import ACTIVATIONS
from ffnn.app import controls, lecture, page, stage, views
from ffnn.app import settings as S
from ffnn.app.controls import Player
from ffnn.app.guard import guarded
from ffnn.app.playback import playback
from ffnn.app.sidebar import bound
from ffnn.compare import COMPARABLE, lockstep, output_deltas
from ffnn.figures.compare import SIDE_COLORS, delta_vs_confidence
from ffnn.losses import LOSSES
from ffnn.optimizers import OPTIMIZERS

CHOICES = {"loss": list(LOSSES), "lr": list(S.LR_CHOICES), "optimizer": list(OPTIMIZERS),
           "activation": list(ACTIVATIONS), "l2": list(S.L2_CHOICES)}
DEFAULTS = {"loss": ("squared_error", "cross_entropy"), "lr": (0.1, 1.0),
            "optimizer": ("gd", "adam"), "activation": ("sigmoid", "relu"), "l2": (0.0, 0.01)}
SCALES = (1, 2, 5, 10)
EXPLAIN = (
    "Each dot is one training example: the further left, the more confidently its network "
    "gets it wrong, and the higher, the stronger the error signal $\\delta_L$ that backprop starts "
    "from. Cross-entropy's signal is largest for those confident mistakes (dashed curve), "
    "while squared error's is multiplied by the saturated output's derivative and falls to 0 "
    "as p → 0 (dotted curve): a confidently wrong output barely learns.")


def describe(setting, value):
    """'squared error', 'η = 0.1', 'Adam', ... for titles and options."""
    if setting in ("lr", "l2"):
        return f"{'η' if setting == 'lr' else 'λ'} = {value:g}"
    name = S.NAMES[setting][value]
    return name.lower() if setting == "loss" else name


def settings_for(run):
    """The settings the page offers for this run (loss needs classes, activation a hidden layer)."""
    return [s for s in COMPARABLE
            if not (s == "loss" and run.data.task == "regression")
            and not (s == "activation" and run.cfg["n_hidden"] == 0)]


def side_key(side, setting):
    """The session key of side "a"'s or "b"'s value of `setting`."""
    return f"cmp_{side}_{setting}"


def current_choice(run):
    """Setting to compare, the values for A and B, and the θ₀ scale -> (setting, a, b, scale)
    (the defaults on a first visit; a setting this run cannot compare gives way)."""
    ss = st.session_state
    ss.setdefault("cmp_setting", "loss")
    ss.setdefault("cmp_scale", 1)
    for setting, (a, b) in DEFAULTS.items():
        ss.setdefault(side_key("a", setting), a)
        ss.setdefault(side_key("b", setting), b)
    options = settings_for(run)
    if ss["cmp_setting"] not in options:
        ss["cmp_setting"] = options[0]
    setting = ss["cmp_setting"]
    return setting, ss[side_key("a", setting)], ss[side_key("b", setting)], ss["cmp_scale"]


def choices(run):
    """The widgets of current_choice: the setting, A's and B's values, the θ₀ scale."""
    ss = st.session_state
    options = settings_for(run)
    cols = st.columns(2, vertical_alignment="bottom")
    with cols[0]:
        bound(st.selectbox, "Setting to compare", "cmp_setting", options=options,
              format_func=COMPARABLE.get, help="The one setting in which A and B differ")
    setting = ss["cmp_setting"]
    for col, side in zip(cols, "ab"):
        with col:
            widget = st.select_slider if setting in ("lr", "l2") else st.selectbox
            bound(widget, f"{side.upper()}: {COMPARABLE[setting]}", side_key(side, setting),
                  options=CHOICES[setting], format_func=lambda v, s=setting: describe(s, v))
    with cols[1]:
        bound(st.select_slider, "θ₀ scale", "cmp_scale", options=SCALES,
              format_func=lambda c: f"× {c}",
              help="Multiply θ₀ (both sides): large weights saturate the outputs, so some "
                   "examples start as confident mistakes. Try Two Gaussians with a sigmoid "
                   "output and × 10: squared error stays stuck where cross-entropy recovers.")


def probability_output(run):
    """The output both sides use: the run's own, but softmax in place of a linear output for
    classes (cross-entropy and p need probabilities)."""
    if run.data.task == "classification" and run.cfg["output"] == "linear":
        return "softmax"
    return run.cfg["output"]


def build(run, setting, a, b, scale):
    """A fresh Lockstep from the run's settings, `setting` = a on side A and b on side B."""
    cfg, data = run.cfg, run.data
    return lockstep(run.net.sizes, data.X_train, data.y_train, setting=setting, a=a, b=b,
                    X_test=data.X_test, y_test=data.y_test, theta0_scale=scale,
                    activation=cfg["activation"], output=probability_output(run),
                    loss=cfg["loss"], init=cfg["init"], l2=cfg["l2"], seed=cfg["seed"],
                    lr=cfg["lr"], optimizer=cfg["optimizer"],
                    batch_size=cfg["batch_size"] or None, max_iterations=cfg["max_iterations"])


def sync_pair(run, choice):
    """Keep the pair, or rebuild it from θ₀ when the sidebar's settings or the choice changed."""
    ss = st.session_state
    key = (repr(sorted(run.cfg.items())), choice)
    old = ss.get("cmp_key", "")
    if ss.get("cmp_pair") is not None and old == key:
        return ss["cmp_pair"]
    try:
        pair = build(run, *choice)
    except ValueError as err:
        st.warning(f"These two runs cannot be built: {err}")
        return None
    if old is None:
        st.info("Reset: both networks start again from the same θ₀ (t = 0).")
    elif old:
        what = "The sidebar's settings" if old[0] != key[0] else "The comparison"
        st.info(f"{what} changed: both networks start again from the same fresh θ₀ (t = 0).")
    ss["cmp_pair"], ss["cmp_key"] = pair, key
    if playback().playing("cmp_"):           # a new pair starts paused
        playback().pause()
    return pair


# ---- controls ------------------------------------------------------------------------------
def _reset():
    st.session_state["cmp_key"] = None      # sync_pair rebuilds from θ₀


PLAYER = Player("cmp_", lambda: st.session_state["cmp_pair"], _reset,
                step_help="θ ← θ − η∇θ on each side", clicker=lecture.clicker)


# ---- the live view --------------------------------------------------------------------------
# px: each boundary's canvas (its square, the legend and the axes) and the two runs' loss, at
# 1280 px: on a laptop the two boundaries share a row and the loss is under them; presented
# (or with the sidebar closed) the loss is the row's third column (ffnn/app/stage.css).
SIZES = {False: {"plane": 370, "loss": 150}, True: {"plane": 440, "loss": 300}}


def info(pair, titles):
    """The numbers' part of the stage: titles, colours, and where a side stopped."""
    a, b = pair.trainers
    return {"titles": list(titles), "side_colors": list(SIDE_COLORS),
            "has_test": a.X_test is not None, "has_acc": a.labels is not None,
            "max_iterations": pair.max_iterations,
            "stopped": [None if tr.diverged is None else
                        [tr.diverged.step - 1, f"diverged at step {tr.diverged.step}"]
                        for tr in (a, b)]}


def view(run, pair, titles):
    ss = st.session_state
    data, present = run.data, bool(ss["present"])
    size = SIZES[present]
    nets = [pair.a.net, pair.b.net]
    controls.live_player().feed(
        "pair", lambda msg: stage.plane_static(msg, data, nets), stage.plane_rev(data, nets,
                                                                                 False, False),
        info(pair, titles),
        {"height": size["plane"], "loss": size["loss"], "log": ss["cmp_log"], "present": present},
        curves=pair.trainers)
    for tr, title in zip(pair.trainers, titles):
        if tr.diverged is not None:
            st.error(f"{title}: {tr.diverged.message()}", icon=":material/warning:")
    st.markdown("**Error signal $\\|\\delta_L\\|$ of each training example**",
                help="$\\delta_L = \\partial L / \\partial A_L$ from the engine's backprop, "
                     "times N: L is a mean over the N examples, so this is each example's "
                     "own signal.")
    if data.task != "classification":
        st.caption("$\\delta_L$ against the probability of the true class needs classes: "
                   "pick a classification data set.")
        return
    signals = [output_deltas(tr.net, data.X_train, data.y_train) for tr in pair.trainers]
    net = pair.a.net
    fig = delta_vs_confidence(*signals[0], *signals[1], labels=titles, output=net.output,
                              k=net.sizes[-1])
    views.chart(fig, "cmp_delta")
    st.caption(EXPLAIN)


def row(setting, a, b, titles):
    """The control row's own widgets: what A and B differ in (its choices in a popover, so
    that the charts keep the screen), and the log scale."""
    with st.popover(f"A and B: {COMPARABLE[setting].split(' ')[0].lower()}",
                    help=f"What A and B differ in ({titles[0]}, {titles[1]}): change it"):
        choices(st.session_state["run"])
        views.toggle("Log scale (loss)", "cmp_log")


def main():
    run = page.frame(
        "Compare losses",
        "The lecture ends on: how to choose the loss L(θ)? Two copies of the sidebar's network "
        "train side by side in lockstep (the same θ₀, data and batches), differing only in the "
        "setting picked above the charts.",
        own_run="They are this page's own runs, A and B; the sidebar's run is not touched.")
    if run is None:
        return
    page.lesson_box()
    setting, a, b, scale = current_choice(run)
    if run.data.task == "classification" and run.cfg["output"] == "linear":
        st.caption("The sidebar has a linear output; both runs here use softmax, so that "
                   "cross-entropy is defined and p is a probability.")
    pair = sync_pair(run, (setting, a, b, scale))
    if pair is None:
        return
    titles = (f"A: {describe(setting, a)}", f"B: {describe(setting, b)}")
    PLAYER.buttons(lambda: row(setting, a, b, titles))
    if a == b:
        st.caption("A and B are the same: the two runs stay identical, step for step.")
    PLAYER.live(lambda pair: guarded(view, run, pair, titles), browser_draws=True)


guarded(main)
