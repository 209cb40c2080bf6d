"""How often a playing session's live area redraws: every FRAME seconds while few sessions play,
less often when many do, so that one server keeps every student's picture moving.

Why: the page asks the server for a frame every `run_every` seconds whatever the server is
doing (Streamlit's page runs a plain timer), and each request costs the server CPU even when it
is folded into a run already waiting. Measured with bench/capacity.py, 20 sessions without
browsers on a 2-core machine: asking 20 times a second each, the server was saturated and gave
0.0-0.9 frames/s per session; asking 4 times a second each, it gave 1.8-3.6. So the whole
server is given a budget of REQUESTS_PER_SECOND frame requests, shared by the sessions playing.

Process-wide on purpose (it is about this server's load, like a load average): the only thing
kept is, per session, an opaque random token and the time of its last frame. No one's settings,
data or parameters are in it (those stay in st.session_state).
"""

import threading
import time

FRAME = 0.05                 # s between frames while the server has room: 20 per second
REQUESTS_PER_SECOND = 60     # frame requests per second the server takes, all sessions together
# The intervals used (a coarse ladder: a session changes its interval rarely, as changing it
# costs a full run of the page).
LEVELS = (0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
RECENT = 3.0                 # s: a session that drew a frame this recently is playing

_lock = threading.Lock()
_last_frame = {}             # session token -> time.monotonic() of its last frame


def note_frame(token, now=None):
    """Session `token` just drew a frame."""
    with _lock:
        _last_frame[token] = time.monotonic() if now is None else now


def forget(token):
    """Session `token` stopped playing."""
    with _lock:
        _last_frame.pop(token, None)


def playing(now=None, also=None):
    """How many sessions drew a frame in the last RECENT seconds (plus `also`, a token that is
    about to start, counted once); forgets the others."""
    now = time.monotonic() if now is None else now
    with _lock:
        for token in [k for k, t in _last_frame.items() if now - t > RECENT]:
            del _last_frame[token]
        return len(_last_frame) + (also is not None and also not in _last_frame)


def interval(n_playing):
    """Seconds between one session's frames when `n_playing` sessions play: the first level of
    LEVELS at or above n_playing / REQUESTS_PER_SECOND (never below FRAME)."""
    wanted = max(FRAME, n_playing / REQUESTS_PER_SECOND)
    return next((level for level in LEVELS if level >= wanted - 1e-12), LEVELS[-1])
