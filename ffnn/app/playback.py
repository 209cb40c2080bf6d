"""Who plays in this tab: one object under the session key "playback", the one owner of the
player's state. The player (controls.Player), the run-through, the watchdog's "Use η", the class
board and the pages read and change it through its methods only.

At most one player plays at a time: the main run (key ""), the Compare page's pair ("cmp_") or
the Error surface's path ("es_"). While it plays, the server runs at most one batch ahead of
what the page shows; `kept` holds a checkpoint from the start of each recent batch, so that
Pause can bring the run back to the t on screen, exactly.
"""

from collections import deque
from dataclasses import dataclass, field

import streamlit as st

KEY = "playback"
RESUMABLE = "resumable"   # a session's first run sets it; its first Play may resume (controls)


@dataclass
class Playback:
    key: str | None = None          # the player that plays, or None
    until: int | None = None        # play up to this t, then stop (the run-through)
    seq: int = 0                    # number of the last batch (or paused picture) sent
    batch: object = None            # the frames last sent while playing
    ended: bool = False             # the last batch ends the play (max_iterations, until)
    carry: float = 0.0              # the fraction of an update owed to the next batch
    asked_at: float | None = None   # time.monotonic() of the last batch asked for
    shown: int = 0                  # the t the page showed when it asked for this batch
    kept: deque = field(default_factory=lambda: deque(maxlen=4))  # (t, checkpoint, n_events)

    def playing(self, key):
        return self.key == key

    def play(self, key, until=None):
        """Player `key` plays (up to t = `until`, if given); any other stops."""
        self.key, self.until = key, until
        self._fresh()

    def pause(self):
        self.key = self.until = None
        self._fresh()

    def _fresh(self):
        self.batch, self.ended, self.carry, self.asked_at = None, False, 0.0, None
        self.kept.clear()


def playback():
    """This tab's Playback."""
    return st.session_state.setdefault(KEY, Playback())
