"""The player: Step, Step ×10, Play/Pause, Back, Reset and the live area, for anything that plays.

A *playable* has `step(n) -> int`, `done`, `t`, `max_iterations`, `checkpoint()` and
`restore(cp)`: the main run's Trainer, the Compare page's Lockstep pair, the Error surface
page's path (a Reveal, below). Every page that plays uses one Player, under its own key prefix
("" for the main run, "cmp_", "es_"), so every live area has the same buttons and speed.

Play is the browser's (ffnn/app/stage.js): the page plays batches of frames at the chosen speed,
in iterations per second, and asks for the next batch while a fraction of a second is left.
Each ask re-runs only the live area (a fragment), which runs the next updates and sends their
frames: the server works about twice a second per student, however fast the page draws. Pause
stops at the t the page shows (the server goes back to it from the batch's checkpoint). A page
whose charts the server draws gets a batch every CHART_PERIOD seconds, and draws it.
"""

import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from ffnn import frames as F
from ffnn.compare import Lockstep
from ffnn.trainer import Trainer

from . import settings as S
from . import stage
from .messages import say
from .playback import RESUMABLE, playback
from .sidebar import bound

LEAD = 0.75          # s of play in one batch of frames (with stage.js ASK_AHEAD: the server is
#                     at most 0.95 s of play ahead of the page while it answers at once)
MAX_LEAD = 4.0       # s: the longest batch a page on a busy server may ask for
FPS = 60             # frames per second at most in a batch (the display's rate)
CHART_PERIOD = 0.25  # s between batches where the server draws the charts
MAX_CATCH_UP = 4.0   # a late ask runs the updates of at most this many periods (no jumps)
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

    def checkpoint(self):
        return self.t

    def restore(self, t):
        self.t = t


# The keys of the player (Streamlit draws each on its button; P and Space are the stage's Play
# button's own). The arrows work everywhere. The clicker's keys (PageDown and PageUp like → and
# ←, or the run-through's next and back; Space play; Home reset: Streamlit keeps C and R) only
# in presentation mode and the run-through: elsewhere they scroll the page, as a browser's do.
KEYS = {"step": "Right", "step10": "Shift+Right", "play": "P", "back": "Left"}
CLICKER_KEYS = {"play": "Space", "reset": "Home", "next": "PageDown", "previous": "PageUp"}
HELP_KEYS = ("Keys: → one step, Shift+→ ten steps, P play or pause, ← one step back. They do "
             "nothing while you type in a field.")
HELP_CLICKER_KEYS = ("Keys: → or PageDown one step, Shift+→ ten steps, Space or P play or pause, "
                     "← or PageUp one step back, Home reset. They do nothing while you type in a "
                     "field.")


def clicker():
    """Whether a clicker's keys drive the page: presentation mode, or the lecture's run-through."""
    ss = st.session_state
    return bool(ss.get("present") or ss.get("stage"))


def help_keys():
    return HELP_CLICKER_KEYS if clicker() else HELP_KEYS


SESSION = "session_token"   # session key (see session_token)


def session_token():
    """A random name of this session: a page that sees it change while it plays was moved to
    another server (its own died), whose new session rebuilt the run from the address bar."""
    return st.session_state.setdefault(SESSION, secrets.token_hex(8))


def resume(trainer, t):
    """Once per session, before its first play: step a run just rebuilt from the address bar's
    t on to the `t` its page showed while it played on the server that died. The address bar
    is at most replay.URL_EVERY s behind while playing, and a batch runs MAX_LEAD s at most
    ahead, so a t further on than that is not this run's (nothing is done)."""
    if not st.session_state.pop(RESUMABLE, False) or not isinstance(t, (int, float)):
        return
    from .replay import URL_EVERY
    reach = (URL_EVERY + 2 * MAX_LEAD) * st.session_state["speed"] + 1
    t = min(int(t), trainer.max_iterations)
    if trainer.t < t <= trainer.t + reach:
        trainer.step(t - trainer.t)


def t_of(target):
    """A playable's t; for a pair (Compare's lockstep, one t per side) the side behind."""
    return min(target.t) if isinstance(target.t, tuple) else target.t


def clock_t(target):
    """The t a playable's frames have reached: for a pair, the side ahead (one side may have
    stopped, diverged, while the other goes on)."""
    return max(target.t) if isinstance(target.t, tuple) else target.t


def due(speed, elapsed, period, carry=0.0):
    """Updates to run now -> (n, carry): `speed` iterations per second over the `elapsed`
    seconds since the last batch (at most MAX_CATCH_UP periods: after a stall the run does not
    jump), plus the fraction left over from earlier batches."""
    exact = speed * min(elapsed, MAX_CATCH_UP * period) + carry
    n = math.floor(exact)
    return n, exact - n


def record(target, n, every, last=False):
    """n updates of `target`, keeping a frame every `every` -> its frames, one Frames per side
    (a Trainer has one, a Lockstep pair two; a Reveal's frames are its t's alone); `last`: end
    on the final state (see ffnn.frames.record)."""
    trainers = _trainers(target)
    if trainers:
        return [F.record(tr, n, every, last) for tr in trainers]
    start = target.t
    target.step(n)
    steps = list(range(start, target.t, every)) + [target.t]
    return [F.Frames(np.asarray(steps), np.empty((len(steps), 0)), np.empty((len(steps), 0)))]


def current(target):
    """The playable's state now, as frames (see record)."""
    trainers = _trainers(target)
    if trainers:
        return [F.current(tr) for tr in trainers]
    return [F.Frames(np.asarray([target.t]), np.empty((1, 0)), np.empty((1, 0)))]


def _trainers(target):
    if isinstance(target, Trainer):
        return [target]
    if isinstance(target, Lockstep):
        return list(target.trainers)
    return []


def _events(target):
    return tuple(len(tr.setting_changes) for tr in _trainers(target))


@dataclass(frozen=True)
class Player:
    """The controls and live area of one playable, found by `target()` in session state.

    key: prefix of this player's session keys ("" for the main run); reset: callback of the
    Reset button; on_frame(target): called after each batch's updates (the main run keeps the
    address bar's t current with it).
    """

    key: str
    target: Callable
    reset: Callable
    on_frame: Callable | None = None
    step_help: str = "One update θ ← θ − η∇θ"
    clicker: Callable | None = None   # -> (next, previous) callbacks for PageDown and PageUp

    @property
    def name(self):
        """The stage's name in the page (its mounts share it)."""
        return self.key or "main"

    def playing(self):
        return playback().playing(self.key)

    # ---- callbacks (run before the page draws) ---------------------------------------------
    def _step(self, n):
        self.target().step(n)

    def _play(self, ask=None):
        """Play; a page whose server died asks to go on from the t it showed (ask["resume"]):
        this session, fresh from its address bar's t, catches up to it first (see resume)."""
        if (ask or {}).get("resume") and self.key == "":
            resume(self.target(), ask.get("t"))
        if not self.target().done:
            playback().play(self.key)

    def _pause(self, ask=None):
        """Pause at the t the page shows: back from the batch's checkpoint to it, exactly (a
        setting changed since, or a t out of reach: where the server is)."""
        pb, target = playback(), self.target()
        t = (ask or {}).get("t")
        now = clock_t(target)
        if isinstance(t, (int, float)) and t < now:
            for start, cp, events in reversed(pb.kept):
                if start <= t and events == _events(target):
                    target.restore(cp)
                    if t > start:
                        target.step(int(t) - start)
                    break
        if pb.playing(self.key):
            pb.pause()

    def _reset(self):
        if self.playing():
            playback().pause()
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
            say("warning", f"No step back: {err}.", topic="problem")

    def _page(self, which):
        """PageDown / PageUp: the run-through's next and back while it runs, else → and ←."""
        moves = self.clicker() if self.clicker is not None else None
        if moves is not None:
            moves[which]()
        elif which == 0:
            self._step(1)
        else:
            self._back()

    def _trigger(self, event):
        value = getattr(st.session_state.get(f"{self.key}feed"), event, None)
        return value if isinstance(value, dict) else {}

    def _on_play(self):
        ask = getattr(st.session_state.get(f"{self.key}play"), "play", None)
        if ask is not None:
            self._play(ask if isinstance(ask, dict) else None)

    def _on_pause(self):
        ask = getattr(st.session_state.get(f"{self.key}play"), "pause", None)
        if ask is not None:
            self._pause(ask if isinstance(ask, dict) else None)

    def _on_need(self, browser_draws=True):
        """The page asks for the next batch (it has less than stage.js's ASK_AHEAD left)."""
        pb, ask = playback(), self._trigger("need")
        st.session_state[f"{self.key}_holds"] = ask.get("rev")
        if isinstance(ask.get("t"), (int, float)):
            pb.shown = int(ask["t"])
        if pb.playing(self.key) and ask.get("seq") == pb.seq and not pb.ended:
            lead = ask.get("lead")
            self._next_batch(browser_draws, min(max(lead, LEAD), MAX_LEAD)
                             if isinstance(lead, (int, float)) else LEAD)

    def _on_ended(self):
        """The page has shown the last frame of a play that ends: pause, and redraw the page."""
        pb, ask = playback(), self._trigger("ended")
        if pb.playing(self.key) and ask.get("seq") == pb.seq:
            pb.pause()
            st.session_state[RERUN_APP] = True

    # ---- the batches ------------------------------------------------------------------------
    def _next_batch(self, browser_draws, lead=LEAD):
        """Run the updates of the next batch (`lead` s of play) and keep its frames
        (pb.batch)."""
        pb, target, ss = playback(), self.target(), st.session_state
        speed, now = ss["speed"], time.monotonic()
        if browser_draws:
            exact = speed * lead + pb.carry
            n = max(1, math.floor(exact))
            pb.carry = max(exact - n, 0.0)
        else:
            last = pb.asked_at
            n, pb.carry = due(speed, CHART_PERIOD if last is None else now - last, CHART_PERIOD,
                              pb.carry)
        pb.asked_at = now
        if pb.until is not None:
            n = min(n, max(pb.until - clock_t(target), 0))
        pb.kept.append((clock_t(target), target.checkpoint(), _events(target)))
        if browser_draws:
            ending = pb.until is not None and clock_t(target) + n >= pb.until
            pb.batch = record(target, n, max(1, math.ceil(speed / FPS)), ending)
        else:                   # the server draws the charts: no frames to send
            if n:
                target.step(n)
            pb.batch = []
        pb.seq += 1
        pb.ended = target.done or (pb.until is not None and clock_t(target) >= pb.until)
        if self.on_frame is not None:
            self.on_frame(target)

    def head(self, msg, curves=None, browser_draws=True):
        """The header of the mount that carries this player's frames: the batch while playing
        (the same one again on a run that did not ask for a new one), else the state now."""
        pb, target = playback(), self.target()
        playing = pb.playing(self.key)
        if playing and pb.batch is None:
            self._next_batch(browser_draws)
        if playing:
            sides = pb.batch
        else:
            pb.seq += 1
            sides = current(target) if browser_draws else []
        head = {"batch": {"seq": pb.seq, "playing": playing, "ended": pb.ended,
                          "speed": st.session_state["speed"], "t": clock_t(target)}}
        if not self.key:
            head["session"] = session_token()
        if sides:
            head["frames"] = [stage.frames_ref(msg, f) for f in sides]
        if curves is not None:
            head["curves"] = [stage.curve_ref(msg, tr.history) for tr in curves]
        return head

    # ---- drawing ---------------------------------------------------------------------------
    def buttons(self, extra=None):
        """The control row: Step, Step ×10, Play/Pause, Back, Reset, then `extra()` (the main
        run's η) and the speed, in a row that wraps on a narrow screen."""
        done, playing = self.target().done, self.playing()
        k = self.key
        with st.container(horizontal=True, vertical_alignment="bottom", gap="small",
                          key=f"{k}controls"):
            # Step is disabled while playing: a click could be delivered twice then
            st.button("Step", on_click=self._step, args=(1,), disabled=done or playing,
                      help=self.step_help, key=f"{k}step", shortcut=KEYS["step"])
            st.button("Step ×10", on_click=self._step, args=(10,), disabled=done or playing,
                      key=f"{k}step10", shortcut=KEYS["step10"])
            keys = ["p", " "] if clicker() else ["p"]
            cfg = {"playing": playing, "disabled": done, "keys": keys}
            if not k:                   # the main run: a page that reconnects goes on playing
                cfg["session"] = session_token()
            stage.mount(self.name, "play", f"{k}play", head={"cfg": cfg},
                        width="content",
                        on_play_change=self._on_play, on_pause_change=self._on_pause)
            st.button("Back", on_click=self._back, disabled=playing, key=f"{k}back",
                      help="One step back, to θₜ₋₁ (where it is kept exactly)",
                      shortcut=KEYS["back"])
            st.button("Reset", on_click=self._reset, help="Back to θ₀, t = 0", key=f"{k}reset",
                      shortcut=CLICKER_KEYS["reset"] if clicker() else None)
            if clicker():   # the clicker's keys, on buttons hidden by CSS (their shortcuts work)
                st.button("Next", on_click=self._page, args=(0,), disabled=playing,
                          key=f"{k}clicker_next", shortcut=CLICKER_KEYS["next"])
                st.button("Previous", on_click=self._page, args=(1,), disabled=playing,
                          key=f"{k}clicker_previous", shortcut=CLICKER_KEYS["previous"])
            if extra is not None:
                extra()
            bound(st.selectbox, "Speed", "speed", options=S.SPEED_CHOICES,
                  format_func=lambda v: f"{v:,} it/s", width=150, label_visibility="collapsed",
                  help="Iterations per second while playing. At the default, the lecture's "
                       "1000 iterations take 20 s. " + help_keys())

    def live(self, view, browser_draws=False):
        """The fragment: `view(target)`, drawn again for each batch while playing.
        browser_draws: the view mounts the stage's "plane" (feed) itself, with feed(); else a
        clock mount asks for a batch every CHART_PERIOD s and the view's charts show it."""
        ss = st.session_state

        @st.fragment
        def frame():
            if ss.pop(RERUN_APP, False):       # a click in here changed what the page shows
                st.rerun()
            ss["_live"] = (self, browser_draws)
            try:
                view(self.target())
            finally:
                ss.pop("_live", None)
            if not browser_draws:
                msg = stage.Message()
                stage.feed(self.name, "clock", f"{self.key}feed", msg, {
                    **self.head(msg, browser_draws=False), "cfg": {"period": CHART_PERIOD}},
                    on_need_change=lambda: self._on_need(False), on_ended_change=self._on_ended)

        frame()

    def feed(self, view, static, rev, info, cfg, curves=None):
        """Mount view `view` ("plane", "pair", "surface") with `cfg` (its sizes), and the feed
        that carries this player's batches to it, with `info` (the run's small facts).
        static(msg) builds the view's fixed part, named `rev`: it is sent unless this run
        answers the page's own ask for a batch and the page said it holds that one; so are
        `curves` (each side's trainer: its history, for the loss)."""
        msg, ss = stage.Message(), st.session_state
        head = {"info": info}
        if ss.pop(f"{self.key}_holds", None) != rev:
            head["static"] = static(msg)
        else:
            curves = None
        head.update(self.head(msg, curves))
        stage.feed(self.name, view, f"{self.key}feed", msg, head,
                   on_need_change=self._on_need, on_ended_change=self._on_ended)
        return stage.mount(self.name, view, f"{self.key}stage_{view}", head={"cfg": cfg})


def live_player():
    """The Player whose live area is being drawn, or None."""
    live = st.session_state.get("_live")
    return None if live is None else live[0]
