"""The lecture as a run-through: the lessons of lessons.LECTURE one after another, driven by a
presentation clicker (PageDown, PageUp) or the mouse.

A stage is a lesson: it loads the lesson's settings and seed, opens the page the lesson names,
and tells its two sentences. PageDown first plays the stage's run to the lesson's `until` t (its
point shown), and the next PageDown moves to the next stage; PageUp goes back a stage. The stage
is in the address bar (`stage=3`), so a link resumes the lecture where it stopped.

Nothing built by hand is lost: entering the run-through keeps the run of the moment, and
leaving it brings that run back, θ and t as they were.
"""

import urllib.parse

import streamlit as st

from . import state
from .controls import t_of
from .lessons import LECTURE, LESSONS
from .messages import say
from .playback import playback

N = len(LECTURE)


def stage():
    """The current stage, 1 … N, or None outside the run-through."""
    return st.session_state.get("stage")


def lesson(n=None):
    return LESSONS[LECTURE[(n or stage()) - 1]]


def start(n):
    """Stage n: its lesson's settings and a fresh run from θ₀; the page follows (frame()
    switches to it). Entering the run-through keeps the run built by hand."""
    ss = st.session_state
    n = min(max(int(n), 1), N)
    if stage() is None and "run" in ss:
        ss["kept_run"] = (state.current_cfg(), ss["run"])
    state.load_lesson(LECTURE[n - 1])
    ss["stage"] = n
    ss["go_to"] = lesson(n).page


def _playable(key):
    """The run a stage plays: the tab's own (key "") or the Compare page's pair ("cmp_")."""
    ss = st.session_state
    return ss["run"].trainer if key == "" else ss.get("cmp_pair")


def advance():
    """PageDown: play this stage's run to its point; once shown (or the run cannot go on),
    the next stage."""
    n = stage()
    now = lesson(n)
    target = _playable(now.player)
    t = None if target is None else t_of(target)
    if t is not None and t < now.until and not target.done:
        playback().play(now.player, until=now.until)
    elif n < N:
        start(n + 1)


def back():
    """PageUp: the stage before (the first stage starts again)."""
    start(max(stage() - 1, 1))


def leave():
    """Out of the run-through; the run built by hand before it comes back, if there was one."""
    ss = st.session_state
    ss.pop("stage", None)
    ss.pop("lesson", None)
    playback().pause()
    kept = ss.pop("kept_run", None)
    if kept is not None:
        cfg, run = kept
        state.restore(cfg)
        ss["run"] = run
        say("info", f"Back to your own run, at t = {run.trainer.t}.", topic="notice")


def clicker():
    """The player's PageDown and PageUp while the run-through is on: (next, previous)."""
    return (advance, back) if stage() is not None else None


def url_path(page):
    """The address of a page file: "pages/4_Theta_and_gradient.py" -> "Theta_and_gradient"."""
    return "" if "/" not in page else page.split("/")[-1].removesuffix(".py").split("_", 1)[1]


def arrive():
    """On a session's first run, a URL's stage opens that stage (after the URL's settings), on
    its own page (a link copied from the stage carries it already)."""
    n = st.session_state.pop("stage_from_url", None)
    if n is not None:
        start(n)
        here = urllib.parse.urlsplit(st.context.url or "").path.strip("/")
        if here.rsplit("/", 1)[-1] == url_path(lesson(n).page):
            st.session_state.pop("go_to", None)    # already there
