"""The main run's numbers and messages, drawn in the live area: the counter t / max_iterations
with the current L(θ) and accuracies, and what the watchdog sees (divergence, overshoot, stall).
"""

import streamlit as st

from ffnn.diagnose import curvature_text, explain, suggestion
from ffnn.probe import probe
from ffnn.watch import watch

from . import state
from .controls import RERUN_APP
from .playback import playback
from .views import throttled

# Each number of the row at the width of its widest value (see numbers_row): one rule per width
# the row can ask for (t: 2 × the digits of max_iterations + 3, up to 7 digits).
METRIC_WIDTHS = """<style>
.st-key-metric_t5 [data-testid="stMetricValue"] { min-width: 5ch; }
.st-key-metric_t7 [data-testid="stMetricValue"] { min-width: 7ch; }
.st-key-metric_t9 [data-testid="stMetricValue"] { min-width: 9ch; }
.st-key-metric_t11 [data-testid="stMetricValue"] { min-width: 11ch; }
.st-key-metric_t13 [data-testid="stMetricValue"] { min-width: 13ch; }
.st-key-metric_t15 [data-testid="stMetricValue"] { min-width: 15ch; }
.st-key-metric_t17 [data-testid="stMetricValue"] { min-width: 17ch; }
.st-key-metric_loss9 [data-testid="stMetricValue"] { min-width: 9ch; }
.st-key-metric_loss21 [data-testid="stMetricValue"] { min-width: 21ch; }
.st-key-metric_acc7 [data-testid="stMetricValue"] { min-width: 7ch; }
.st-key-metric_acc17 [data-testid="stMetricValue"] { min-width: 17ch; }
</style>"""


def metrics(run):
    """The counter and the numbers at the current θ, each as wide as its text (never cut off),
    in a row that wraps on a narrow screen. Each is as wide as its widest value (tabular
    digits, COMPACT_CSS), so that the row never re-wraps as t goes from 1 to 1000."""
    tr = run.trainer
    now = probe(tr)
    finite = " (at the last θ whose loss is finite)" if tr.diverged else ""
    both_loss, both_acc = "test_loss" in now, "test_acc" in now
    # in ch (a digit's width): "1000 / 1000"; a loss of .4g or .2e is at most 9 characters
    # ("0.0001234", "1.23e+121"); "100.0%"; " / " between two
    digits = len(str(tr.max_iterations))
    widths = {"metric_t": 2 * digits + 3, "metric_loss": 21 if both_loss else 9,
              "metric_acc": 17 if both_acc else 7}
    st.html(METRIC_WIDTHS)
    with st.container(horizontal=True, gap="medium", key="metrics"):
        with st.container(width="content", key=f"metric_t{widths['metric_t']}"):
            st.metric("Iteration t", f"{tr.t} / {tr.max_iterations}", width="content")
        with st.container(width="content", key=f"metric_loss{widths['metric_loss']}"):
            st.metric("L(θ) train / test" if both_loss else "L(θ) train",
                      _loss(now["train_loss"])
                      + (f" / {_loss(now['test_loss'])}" if both_loss else ""),
                      width="content", help="The loss at the current θ" + finite)
        if "train_acc" in now:
            with st.container(width="content", key=f"metric_acc{widths['metric_acc']}"):
                st.metric("Accuracy train / test" if both_acc else "Accuracy",
                          f"{now['train_acc']:.1%}"
                          + (f" / {now['test_acc']:.1%}" if both_acc else ""),
                          width="content")


def _loss(value):
    """4 significant digits; a huge loss in powers of ten, so it stays short."""
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.2e}"


def verdict(run):
    """What the watchdog says: ("diverged", None), ("overshoot" or "stall", a Verdict),
    ("done", None) at max_iterations, or None while descent goes well."""
    tr = run.trainer
    if tr.diverged is not None:
        return "diverged", None
    # the watchdog reads the history (a few ms): while playing, twice a second is enough
    seen = throttled("watch", lambda: watch(tr))
    if seen is not None:
        return seen.kind, seen
    if tr.t >= tr.max_iterations:
        return "done", None
    return None


def alerts(run, said=None):
    """The watchdog's message, compact: a headline with what to do at once, the why behind a
    "Why?" popover (so that a message never pushes a chart far down). `said`: verdict(run)
    when the caller has it already."""
    said = verdict(run) if said is None else said
    if said is None:
        return
    tr = run.trainer
    kind, seen = said
    if kind == "diverged":
        d = tr.diverged
        _suggest(run, f"**Training diverged at step {d.step}**, in layer {d.layer} (its "
                      f"{d.what} overflowed), and paused at t = {tr.t}.", st.error)
    elif kind == "overshoot":
        _suggest(run, f"**L(θ) is not going down: η = {tr.lr:g} overshoots.**", st.warning,
                 seen.text)
    elif kind == "stall":
        with st.container(horizontal=True, vertical_alignment="center", gap="small",
                          key="stall_row"):
            # a warning (role "alert"): read out when it appears, as the overshoot's is
            st.warning(f"**{seen.headline}.** {seen.advice}", icon=":material/hourglass_top:",
                       width="stretch")
            with st.popover("Why?"):
                st.markdown(seen.text)
    else:
        st.info(f"Reached max_iterations = {tr.max_iterations}. Raise it in the sidebar "
                "(Advanced) to go on.")


def _use_lr(value):
    """The suggested η, and go on playing from the last finite θ."""
    ss = st.session_state
    ss["lr"] = value
    state.change(ss["run"], "lr", value)   # clears the divergence: the run can go on
    playback().play("")
    # A click in a fragment re-runs only the fragment: the next frame re-runs the whole app so
    # the sidebar, URL and Play see the new η (docs/design.md, "Measurements behind the code").
    ss[RERUN_APP] = True


def _suggest(run, headline, show, seen_text=""):
    """The headline and a one-click learning rate that goes on from the last finite θ; why (the
    sharpness at θ₀) in a popover."""
    tr, ss = run.trainer, st.session_state
    key = (id(tr), tr.diverged, tr.lr)
    if ss.get("why_key") != key:        # sharpness costs ~40 gradients: once per (run, η)
        ss["why_key"] = key
        if tr.diverged is not None:
            why = explain(tr)
            ss["why"] = (why.text(tr.lr), why.suggested_lr)
        else:
            lam, lr = suggestion(tr)
            ss["why"] = (f"{curvature_text(lam, tr.lr)} Try η = {lr:g}.", lr)
    text, lr = ss["why"]
    # One row, headline beside its button: on a projector with a lesson loaded, two rows
    # pushed the loss chart below the fold.
    with st.container(horizontal=True, vertical_alignment="center", gap="small",
                      key="suggest_row"):
        show(headline, icon=":material/warning:", width="stretch")
        st.button(f"Use η = {lr:g} and go on", on_click=_use_lr, args=(lr,), type="primary",
                  key="use_suggested_lr")
        with st.popover("Why?"):
            st.markdown(" ".join(x for x in (seen_text, text) if x))
