"""Training controls (Step, Step ×10, ×100, Play/Pause, Reset, speed) and the live area.

Buttons act in callbacks, before the page draws, so what is drawn is already the new state. The
live area is a fragment: while playing it re-runs every pace.interval(...) seconds (0.05 while
few sessions play), runs `speed` updates and redraws only itself (the counter, the numbers and
the page's view), not the whole page.
"""

import secrets
import threading

import streamlit as st

from ffnn.diagnose import explain

from . import pace, state
from . import settings as S
from .guard import guarded
from .sidebar import bound

# Frames take turns, across every session of this server process. Python runs one thread at a
# time anyway (the GIL); twenty sessions' frames all competing for it starved the thread that
# sends the frames to the browsers (measured: with 20 sessions playing, none received a frame
# for 15 s). Taking turns keeps frames flowing, each session getting its share. The lock holds
# no state of anyone's.
_FRAME_TURN = threading.Lock()


def _step(n):
    run = st.session_state["run"]
    run.trainer.step(n)


def _set_playing(value):
    # Set the value the button showed, never toggle: while the fragment is re-running,
    # Streamlit 1.67 can deliver one click to its callback twice (measured), and a toggle
    # would then undo itself.
    ss = st.session_state
    ss["playing"] = value and not ss["run"].trainer.done


def buttons(run):
    """The row of controls above the view."""
    ss, tr = st.session_state, run.trainer
    cols = st.columns([1, 1, 1, 1.2, 1, 2.6], vertical_alignment="bottom")
    done = tr.done
    playing = ss["playing"] and not done
    # Step is disabled while playing: a click could be delivered twice then (see _set_playing)
    cols[0].button("Step", on_click=_step, args=(1,), disabled=done or playing,
                   width="stretch", help="One update θ ← θ − η∇θ")
    cols[1].button("Step ×10", on_click=_step, args=(10,), disabled=done or playing,
                   width="stretch")
    cols[2].button("Step ×100", on_click=_step, args=(100,), disabled=done or playing,
                   width="stretch")
    cols[3].button("Pause" if playing else "Play", on_click=_set_playing, args=(not playing,),
                   disabled=done, type="primary", width="stretch", key="play")
    cols[4].button("Reset", on_click=state.reset, width="stretch", help="Back to θ₀, t = 0")
    with cols[5]:
        bound(st.select_slider, "Speed (iterations per frame)", "speed",
              options=S.SPEED_CHOICES)


def status(run):
    """The counter t / max_iterations and the current losses and accuracies."""
    tr = run.trainer
    now = tr.evaluate()
    cols = st.columns(5)
    cols[0].metric("Iteration t", f"{tr.t} / {tr.max_iterations}")
    cols[1].metric("Train loss", f"{now['train_loss']:.4f}")
    if "test_loss" in now:
        cols[2].metric("Test loss", f"{now['test_loss']:.4f}")
    if "train_acc" in now:
        cols[3].metric("Train accuracy", f"{now['train_acc']:.1%}")
        cols[4].metric("Test accuracy", f"{now.get('test_acc', float('nan')):.1%}")
    if tr.diverged is not None:
        divergence(run)
    elif tr.t >= tr.max_iterations:
        st.info(f"Reached max_iterations = {tr.max_iterations}. Raise it in the sidebar to go on.")


def _use_lr(value):
    st.session_state["lr"] = value


def divergence(run):
    """Training paused itself: say where the gradient blew up and which η to try."""
    tr, ss = run.trainer, st.session_state
    key = (id(tr), tr.diverged.step)
    if ss.get("why_key") != key:          # sharpness costs ~40 gradients: once per divergence
        ss["why_key"], ss["why"] = key, explain(tr)
    why = ss["why"]
    st.error(f"**Training diverged** and paused. {why.text(tr.lr)}", icon="⚠️")
    st.button(f"Use η = {why.suggested_lr:g} and go on", on_click=_use_lr,
              args=(why.suggested_lr,), key="use_suggested_lr")


def _pace_token():
    """This session's opaque token in the process-wide pace count (see pace)."""
    ss = st.session_state
    if "_pace_token" not in ss:
        ss["_pace_token"] = secrets.token_hex(8)
    return ss["_pace_token"]


def _new_pace(current):
    """The interval this session should now use, or None to keep `current`: slower at once
    when more sessions play, faster only once clearly fewer do (no back and forth)."""
    n = pace.playing()
    wanted = pace.interval(n)
    if wanted > current:
        return wanted
    relaxed = pace.interval(n * 1.25)
    return relaxed if relaxed < current else None


def live(view):
    """The fragment: status and `view(run)`, re-run every pace.interval(...) seconds while
    playing (a full run sets the interval; a frame asks for one when the class's size moved)."""
    ss = st.session_state
    playing = ss["playing"] and not ss["run"].trainer.done
    token = _pace_token()
    every = None
    if playing:
        every = ss["_frame_every"] = pace.interval(pace.playing(also=token))
    else:
        pace.forget(token)

    @st.fragment(run_every=every)
    def frame():
        with _FRAME_TURN:
            run = ss["run"]
            if ss["playing"]:
                run.trainer.step(ss["speed"])
                pace.note_frame(token)
                if run.trainer.done:          # stop by itself: max_iterations or divergence
                    ss["playing"] = False
                    st.rerun()
                if _new_pace(ss.get("_frame_every", pace.FRAME)) is not None:
                    st.rerun()                # a full run registers the new interval
            guarded(status, run)
            # while playing, the view's charts may be pictures (views.chart); only here, in the
            # live area: a page without one (Compare, Rewind, ...) keeps its Plotly charts
            ss["_live_frame"] = bool(ss["playing"])
            try:
                view(run)        # the page's view, already guarded by page.show
            finally:
                ss["_live_frame"] = False

    frame()
