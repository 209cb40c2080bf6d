"""The player: Step, Step ×10, Play/Pause, Reset and the live area, for anything that plays.

A *playable* has `step(n) -> int`, `done`, `t` and `max_iterations`: the main run's Trainer, the
Compare page's Lockstep pair, the Error surface page's path (a Reveal, below). Every page that
plays uses one Player, under its own key prefix ("" for the main run, "cmp_", "es_"), so every
live area has the same buttons, the same speed and the same pace (ffnn.app.pace).

Buttons act in callbacks, before the page draws, so what is drawn is already the new state. The
live area is a fragment: while playing it re-runs every pace.interval(...) seconds (0.05 while
few sessions play), runs the updates due at the chosen speed (iterations per second, whatever
the frame rate) and redraws only itself, not the whole page.
"""

import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from . import pace
from . import settings as S
from .sidebar import bound

# Frames take turns, across every session of this server process. Python runs one thread at a
# time anyway (the GIL); twenty sessions' frames all competing for it starved the thread that
# sends the frames to the browsers (measured: with 20 sessions playing, none received a frame
# for 15 s). Taking turns keeps frames flowing, each session getting its share. The lock holds
# no state of anyone's.
_FRAME_TURN = threading.Lock()
MAX_CATCH_UP = 2.0   # a late frame runs the updates of at most this many intervals (no jumps)
RERUN_APP = "_rerun_app"   # set by a callback in the live area whose effect the whole page shows


@dataclass
class Reveal:
    """A playable over a path computed in advance (the Error surface page's θ₀ … θ_T): `step`
    only moves t, the iteration shown, up to `max_iterations` (the path's last t)."""

    t: int = 0
    max_iterations: int = 0

    @property
    def done(self):
        return self.t >= self.max_iterations

    def step(self, n=1):
        before, self.t = self.t, min(self.t + n, self.max_iterations)
        return self.t - before

    def back_to(self, step):
        self.t = step


# The keys of the player (Streamlit draws each on its button). A presentation clicker sends
# PageDown and PageUp; they act like → and ← (in the lecture's run-through: next and back).
# Streamlit reserves C and R for itself (R reruns the page), so Reset is Home: back to θ₀.
KEYS = {"step": "Right", "step10": "Shift+Right", "play": "Space", "back": "Left",
        "reset": "Home", "next": "PageDown", "previous": "PageUp"}
HELP_KEYS = ("Keys: → or PageDown one step, Shift+→ ten steps, Space play or pause, ← or PageUp "
             "one step back, Home reset. They do nothing while you type in a field.")


def t_of(target):
    """A playable's t; for a pair (Compare's lockstep, one t per side) the side behind."""
    return min(target.t) if isinstance(target.t, tuple) else target.t


def due(speed, elapsed, interval, carry=0.0):
    """Updates to run in this frame -> (n, carry): `speed` iterations per second over the
    `elapsed` seconds since the last frame (at most MAX_CATCH_UP intervals: after a stall the
    run does not jump), plus the fraction left over from earlier frames."""
    exact = speed * min(elapsed, MAX_CATCH_UP * interval) + carry
    n = math.floor(exact)
    return n, exact - n


@dataclass(frozen=True)
class Player:
    """The controls and live area of one playable, found by `target()` in session state.

    key: prefix of this player's session keys ("" for the main run: its flag is "playing");
    reset: callback of the Reset button; on_frame(target): called after each playing frame's
    updates (the main run keeps the address bar's t current with it).
    """

    key: str
    target: Callable
    reset: Callable
    on_frame: Callable | None = None
    step_help: str = "One update θ ← θ − η∇θ"
    clicker: Callable | None = None   # -> (next, previous) callbacks for PageDown and PageUp

    @property
    def flag(self):
        return f"{self.key}playing"

    def playing(self):
        ss = st.session_state
        return bool(ss.get(self.flag)) and not self.target().done

    # ---- callbacks (run before the page draws) ---------------------------------------------
    def _step(self, n):
        self.target().step(n)

    def _set_playing(self, value):
        # Set the value the button showed, never toggle: while the fragment is re-running,
        # Streamlit 1.67 can deliver one click to its callback twice (measured), and a toggle
        # would then undo itself.
        ss = st.session_state
        ss[self.flag] = value and not self.target().done
        ss.pop(f"{self.key}_last_frame", None)
        ss.pop(f"{self.key}play_until", None)     # a click plays on; only the run-through stops

    def _reset(self):
        st.session_state[self.flag] = False
        self.reset()

    def _back(self):
        """One step back, to θ_{t−1} from the kept snapshots; where that is not exact, say why
        and change nothing."""
        target = self.target()
        t = t_of(target)
        if not t:
            return
        try:
            target.back_to(t - 1)
        except ValueError as err:
            st.session_state["problem"] = f"No step back: {err}."

    def _page(self, which):
        """PageDown / PageUp: the run-through's next and back while it runs, else → and ←."""
        moves = self.clicker() if self.clicker is not None else None
        if moves is not None:
            moves[which]()
        elif which == 0:
            self._step(1)
        else:
            self._back()

    # ---- drawing ---------------------------------------------------------------------------
    def buttons(self, extra=None):
        """The control row: Step, Step ×10, Play/Pause, Reset, then `extra()` (the main run's
        η) and the speed, in a row that wraps on a narrow screen."""
        done, playing = self.target().done, self.playing()
        k = self.key
        with st.container(horizontal=True, vertical_alignment="bottom", gap="small",
                          key=f"{k}controls"):
            # Step is disabled while playing: a click could be delivered twice then
            st.button("Step", on_click=self._step, args=(1,), disabled=done or playing,
                      help=self.step_help, key=f"{k}step", shortcut=KEYS["step"])
            st.button("Step ×10", on_click=self._step, args=(10,), disabled=done or playing,
                      key=f"{k}step10", shortcut=KEYS["step10"])
            st.button("Pause" if playing else "Play", on_click=self._set_playing,
                      args=(not playing,), disabled=done, type="primary", key=f"{k}play",
                      shortcut=KEYS["play"])
            st.button("Back", on_click=self._back, disabled=playing, key=f"{k}back",
                      help="One step back, to θₜ₋₁ (where it is kept exactly)",
                      shortcut=KEYS["back"])
            st.button("Reset", on_click=self._reset, help="Back to θ₀, t = 0", key=f"{k}reset",
                      shortcut=KEYS["reset"])
            # the clicker's keys, on buttons hidden by COMPACT_CSS (their shortcuts still work)
            st.button("Next", on_click=self._page, args=(0,), disabled=playing,
                      key=f"{k}clicker_next", shortcut=KEYS["next"])
            st.button("Previous", on_click=self._page, args=(1,), disabled=playing,
                      key=f"{k}clicker_previous", shortcut=KEYS["previous"])
            if extra is not None:
                extra()
            bound(st.selectbox, "Speed", "speed", options=S.SPEED_CHOICES,
                  format_func=lambda v: f"{v:,} it/s", width=150, label_visibility="collapsed",
                  help="Iterations per second while playing. At the default, the lecture's "
                       "1000 iterations take 20 s. " + HELP_KEYS)

    def live(self, view):
        """The fragment: `view(target)`, re-run every pace.interval(...) seconds while playing
        (a full run sets the interval; a frame asks for one when the class's size moved)."""
        ss = st.session_state
        playing = self.playing()
        token = _pace_token()
        every = None
        if playing:
            every = ss["_frame_every"] = pace.interval(pace.playing(also=token))
        else:
            pace.forget(token)

        @st.fragment(run_every=every)
        def frame():
            if ss.pop(RERUN_APP, False):       # a click in here changed what the page shows
                st.rerun()
            with _FRAME_TURN:
                if ss.get(self.flag):
                    self._advance(token)
                # while playing, the view's charts may be pictures (views.chart); only here,
                # in the live area
                ss["_live_frame"] = bool(ss.get(self.flag))
                try:
                    view(self.target())
                finally:
                    ss["_live_frame"] = False

        frame()

    def _advance(self, token):
        """One playing frame: the updates due since the last frame, then stop by itself at
        max_iterations or divergence, or re-run the page when the class's size moved."""
        ss, target = st.session_state, self.target()
        now, interval = time.monotonic(), ss.get("_frame_every", pace.FRAME)
        last = ss.get(f"{self.key}_last_frame")
        n, ss[f"{self.key}_carry"] = due(ss["speed"], interval if last is None else now - last,
                                         interval, ss.get(f"{self.key}_carry", 0.0))
        ss[f"{self.key}_last_frame"] = now
        until = ss.get(f"{self.key}play_until")      # the run-through plays to a stage's t
        if until is not None:
            n = min(n, max(until - t_of(target), 0))
        if n:
            target.step(n)
        pace.note_frame(token)
        if self.on_frame is not None:
            self.on_frame(target)
        if target.done or (until is not None and t_of(target) >= until):
            ss[self.flag] = False    # stop by itself: max_iterations, divergence, the stage's t
            ss.pop(f"{self.key}play_until", None)
            st.rerun()
        if _new_pace(interval) is not None:
            st.rerun()           # a full run registers the new interval


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
