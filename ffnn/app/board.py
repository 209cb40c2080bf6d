"""The class board's Streamlit glue: the store behind `st.connection`, this session's place on a
board (student, or lecturer with the key), and the callbacks of every action. The rules and the
SQL are in board_store; the page (pages/14_Class_board.py) only draws.

Where the board lives: the environment variable FFNN_BOARD_URL, else `url` under
[connections.board] in .streamlit/secrets.toml, else an SQLite file in the user's cache folder
(so `streamlit run dashboard.py` needs nothing else). Replicas behind a load balancer share a
board through one PostgreSQL URL (`postgresql+psycopg://user:password@host:5432/db`).

Every action reads the store again and, for the lecturer's, checks the key there: nothing a
browser sends but the settings (validated as a URL's) and the name decides what is stored.
"""

import csv
import hashlib
import hmac
import io
import logging
import math
import os
import secrets
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as NoAnswerYet
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from . import messages, state, urlstate
from . import settings as S
from .board_codes import is_key, parse_code
from .board_store import (  # noqa: F401 (MAX_NAME: the page's)
    MAX_NAME,
    BoardError,
    Store,
    prepared,
    summarize,
)
from .playback import playback

ENV = "FFNN_BOARD_URL"
MIN_LR = S.LR_CHOICES[0]             # the smallest η the board takes (1e-5)
CONNECTION = "board"                 # [connections.board] in secrets.toml
PAGE_PATH = "Class_board"            # the page's URL path
CODE, KEY, SENDER = "board_code", "board_key", "board_sender"   # session-state keys
WATCH_EVERY = 1.0        # s between two looks at the board's version (one indexed row)
SENDER_COOKIE = "ffnn_sender"        # the browser's sender token (see sender())
KEY_COOKIE = "ffnn_key_{code}"       # a lecturer's key of board {code} (see lecturer())
KEY_MAX_AGE = 30 * 24 * 3600
KEY_INPUT = "board_key_input"        # widget key: the lecturer types their key
KEY_IN_URL = ("Lecturer keys are not taken from links: a link ends up in server logs and "
              "browser histories. Enter your key under “Lecturer: bring back your tools”.")
SENDER_MAX_AGE = 365 * 24 * 3600
COOKIES = st.components.v2.component(
    "ffnn_cookies", js=(Path(__file__).parent / "cookies.js").read_text())
# A burst: at least BURST_SENDERS senders new to the board within BURST_WINDOW s (a class of 60
# that sends over a minute or two stays below it; a script of fresh sessions does not).
BURST_SENDERS, BURST_WINDOW = 25, 30.0
NAME, JOIN = "board_name", "board_join"                          # widget keys
log = logging.getLogger("ffnn.app")

UNAVAILABLE = ("The class board's database cannot be reached ({what}), so the board is off for "
               "now. Everything else in the app works as usual.")
# Every database call has a bound: PostgreSQL ends a statement after STATEMENT_TIMEOUT_MS, a new
# connection gives up after CONNECT_TIMEOUT s, a pool checkout after POOL_TIMEOUT s, unanswered
# TCP data after TCP_USER_TIMEOUT_MS. A server that stops answering (frozen, or the network gone)
# answers none of these, so the page also waits at most CALL_TIMEOUT s for each call (run in a
# worker thread, see `bounded`), then says so; after that, the same script run's next calls
# fail at once for DOWN_FOR s, so that one page says it once and finishes.
STATEMENT_TIMEOUT_MS, CONNECT_TIMEOUT, POOL_TIMEOUT, TCP_USER_TIMEOUT_MS = 3000, 3, 3.0, 10_000
CALL_TIMEOUT = 4.0
# The live board's look at its version (one indexed row, answered in milliseconds when the
# database is well) waits less, so that a frozen database is said within WATCH_EVERY +
# WATCH_TIMEOUT s (+ the page's own drawing): the projector promises 5 s.
WATCH_TIMEOUT = 2.0
DOWN_FOR = 2 * CALL_TIMEOUT
WORKERS = 12
NO_ANSWER = f"no answer within {CALL_TIMEOUT:g} s"
SENT_UNKNOWN = (f"The class board's database did not answer within {CALL_TIMEOUT:g} s, so it is "
                "not known yet whether your run was stored. Press “Send my run to the class” "
                "again in a moment: it says which, and never stores your run twice.")
NOT_SENT = (f"The class board's database did not answer within {CALL_TIMEOUT:g} s. Your run was "
            "not sent: send it again in a moment.")
UNCONFIRMED = "board_unconfirmed"    # session state: the run whose last send got no answer
COLOR_BY = {"loss": "Loss", "optimizer": "Optimizer", "activation": "Activation",
            "architecture": "Architecture"}


class Unavailable(Exception):
    """The database cannot be used; str(err) is the message for the person."""


class NoAnswer(Unavailable):
    """A call got no answer within CALL_TIMEOUT s; `started`: whether it reached the database
    (it may still finish there), or was dropped before it began."""

    def __init__(self, text, started):
        super().__init__(text)
        self.started = started


_workers = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="ffnn-board-db")
_down = threading.local()            # this script thread: calls fail at once until .until


def bounded(fn, *args, **kwargs):
    """fn(*args, **kwargs) in a worker thread, waiting at most CALL_TIMEOUT s -> its result, or
    its exception; NoAnswer if it did not finish in time (the call goes on in its thread, and
    ends with the database's own timeouts or answer)."""
    return within(CALL_TIMEOUT, fn, *args, **kwargs)


def within(seconds, fn, *args, **kwargs):
    """`bounded`, waiting at most `seconds`."""
    if time.monotonic() < getattr(_down, "until", 0.0):
        raise NoAnswer(UNAVAILABLE.format(what=NO_ANSWER), started=False)
    future = _workers.submit(fn, *args, **kwargs)
    try:
        return future.result(timeout=seconds)
    except NoAnswerYet:
        started = not future.cancel()
        _down.until = time.monotonic() + DOWN_FOR
        log.warning("class board database: %s gave no answer within %g s",
                    getattr(fn, "__name__", fn), seconds)
        raise NoAnswer(UNAVAILABLE.format(what=NO_ANSWER), started=started) from None


class Bounded:
    """A Store whose every method is a `bounded` call (waiting at most `seconds`)."""

    def __init__(self, db, seconds=CALL_TIMEOUT):
        self.store, self.seconds = db, seconds

    def within(self, seconds):
        """The same store, its calls waiting at most `seconds`."""
        return Bounded(self.store, seconds)

    def __getattr__(self, name):
        fn = getattr(self.store, name)
        if not callable(fn):
            return fn
        return lambda *args, **kwargs: within(self.seconds, fn, *args, **kwargs)


# ---- the store --------------------------------------------------------------------------------

def default_url():
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ffnn"
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        cache = Path(os.environ.get("TMPDIR", "/tmp"))
    return f"sqlite:///{cache / 'board.sqlite3'}"


def _connection():
    url = os.environ.get(ENV)
    if not url and st.secrets.load_if_toml_exists():
        section = st.secrets.get("connections", {}).get(CONNECTION)
        if section is not None and "url" not in section:
            return st.connection(CONNECTION, type="sql")       # dialect, host... in the secrets
        url = section and section["url"]
    url = url or default_url()
    return st.connection(CONNECTION, type="sql", url=url, **engine_options(url))


def engine_options(url):
    """create_engine's options for the board's database: the timeouts (see CALL_TIMEOUT)."""
    if not url.startswith("postgresql"):
        return {"pool_timeout": POOL_TIMEOUT}
    return {"pool_pre_ping": True, "pool_timeout": POOL_TIMEOUT, "connect_args": {
        "connect_timeout": CONNECT_TIMEOUT, "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
        "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"}}


def engine():
    """The SQLAlchemy engine of the app's database (shared by every session; see _connection)."""
    return _connection().engine


def store():
    """The Store over the app's connection (shared by every session: an engine and its pool,
    nothing of a user's), each call bounded (see `bounded`); Unavailable if the database cannot
    be reached."""
    try:
        eng = engine()
        # A Store over a prepared engine touches no database; the first one creates the schema
        return Bounded(Store(eng) if prepared(eng) else bounded(Store, eng))
    except Unavailable:
        raise
    except Exception as err:
        raise unavailable(err) from err


def unavailable(err):
    log.warning("class board database: %s", err, exc_info=err)
    return Unavailable(UNAVAILABLE.format(what=type(getattr(err, "orig", None) or err).__name__))


def say(kind, text):
    messages.say(kind, text, place="board")


def _act(action, *args):
    """Run a callback's action; a refusal or an unreachable database becomes a message."""
    try:
        return action(*args)
    except BoardError as err:
        say("error", str(err))
    except Unavailable as err:
        say("error", str(err))
    except SQLAlchemyError as err:
        say("error", str(unavailable(err)))
    return None


# ---- this session on a board ------------------------------------------------------------------

def code():
    return st.session_state.get(CODE)


def _token_ok(token):
    return isinstance(token, str) and 0 < len(token) <= 64 and token.isascii() and \
        token.replace("-", "").replace("_", "").isalnum()


def sender():
    """Who sends (the store's one-run-every-MIN_INTERVAL-s limit counts per sender): a hash of
    the token this browser keeps in a cookie, so a reload, a new tab or a new session of the
    same browser is the same sender. A browser without the cookie gets a new token (the page
    writes it: keep_cookies); the board admits new senders at a bounded rate."""
    ss = st.session_state
    token = ss.get(SENDER)
    if not _token_ok(token):
        token = st.context.cookies.get(SENDER_COOKIE)
        ss[SENDER] = token if _token_ok(token) else secrets.token_urlsafe(18)
    return hashlib.sha256(ss[SENDER].encode()).hexdigest()[:32]


def keep_cookies():
    """Write this session's cookies in the browser (a mount of zero height; nothing is written
    when the browser has them already)."""
    sender()
    cookies = [[SENDER_COOKIE, st.session_state[SENDER], SENDER_MAX_AGE]]
    ss = st.session_state
    if code() is not None and is_key(ss.get(KEY)):
        cookies.append([KEY_COOKIE.format(code=code()), ss[KEY], KEY_MAX_AGE])
    COOKIES(data={"set": cookies}, key="board_cookies", height=0)


def _held_key():
    """(the key this session holds for its board, typed?): typed earlier (or opened here), else
    this browser's cookie; (None, False) if neither."""
    key = st.session_state.get(KEY)
    if key is not None:
        return key, True
    key = st.context.cookies.get(KEY_COOKIE.format(code=code()))
    return (key, False) if is_key(key) else (None, False)


def _key_hash(key):
    return hashlib.sha256(key.encode()).hexdigest()


def lecturer(db):
    """Whether this session holds the key of its board (checked in the store every call). A
    key that does not match is dropped, with a message. A key that matched is remembered (its
    hash, for this board, in this session), for was_lecturer."""
    ss = st.session_state
    if ss.pop("board_key_in_url", False):
        say("warning", KEY_IN_URL)
    if code() is None:
        return False
    key, typed = _held_key()
    if key is None:                 # neither typed nor in this browser's cookie
        return False
    if db.is_lecturer(code(), key):
        ss[KEY] = key
        ss[CHECKED] = (code(), _key_hash(key))
        return True
    ss.pop(CHECKED, None)
    ss.pop(KEY, None)
    if typed:
        say("warning", f"That lecturer key does not open the board {code()}: you see it as a "
                       "student does.")
    return False


CHECKED = "board_key_checked"        # session state: (code, key hash) the store last accepted


def was_lecturer():
    """While the database cannot be read: whether the key this session holds (typed, or the
    cookie's) is the one the store accepted for this board in this session's last check, so
    that the lecturer keeps the tools through an outage (each action is checked again in the
    store, and says the database cannot be reached until it can)."""
    if code() is None:
        return False
    key, _ = _held_key()
    checked = st.session_state.get(CHECKED)
    return key is not None and checked is not None and checked[0] == code() and \
        hmac.compare_digest(checked[1], _key_hash(key))


def links(board_code):
    """(student link, projector link) to this page, from the address the browser used. Neither
    holds the key: the projector shows the board live to anyone; this browser's cookie brings
    the tools to it."""
    here = urllib.parse.urlsplit(st.context.url or "")
    path = here.path.rstrip("/").removesuffix("/" + PAGE_PATH)
    base = f"{here.scheme}://{here.netloc}{path}" if here.netloc else path
    student = f"{base}/{PAGE_PATH}?class={board_code}"
    return student, f"{student}&present=1"


def enter_key():
    """The lecturer typed their key (over the page's connection: in no address, link or log)."""
    def act():
        ss = st.session_state
        key = (ss.get(KEY_INPUT) or "").strip()
        ss[KEY_INPUT] = ""
        if code() is None:
            raise BoardError("Join the board first.")
        if not is_key(key) or not store().is_lecturer(code(), key):
            raise BoardError(f"That is not the lecturer key of the board {code()}. Nothing "
                             "changed.")
        ss[KEY] = key
        say("success", "The lecturer tools are back. This browser keeps them (a cookie) until "
                       "the board expires.")
    _act(act)


# ---- callbacks --------------------------------------------------------------------------------

def open_board():
    def act():
        board_code, key = store().open_board()
        ss = st.session_state
        ss[CODE], ss[KEY] = board_code, key
        ss.pop(CSV, None)
        say("success", f"Board {board_code} is open. Write the class code on the slide; keep "
                       "your lecturer link (under Lecturer tools) to yourself.")
    _act(act)


# Guessing class codes: each session, and this server as a whole, may get GUESS_BURST and
# SERVER_GUESS_BURST codes wrong at once, then one more every 1/GUESS_RATE and 1/SERVER_GUESS_RATE
# s (token buckets in memory: a guess costs the database one read, never a write).
GUESS_BURST, GUESS_RATE = 5, 0.1
SERVER_GUESS_BURST, SERVER_GUESS_RATE = 60, 2.0
GUESSES = "board_guesses"            # session state: [tokens, at]
CONFIRMED = "board_confirmed"        # session state: the code this session found on the server
TOO_MANY_GUESSES = ("Too many class codes that match no board {where}: wait {wait:.0f} s, then "
                    "check the code on the slide and try again. Nothing changed.")
_server_guesses = [float(SERVER_GUESS_BURST), time.monotonic()]
_guess_lock = threading.Lock()


def _refill(bucket, burst, rate, now):
    bucket[0] = min(burst, bucket[0] + max(0.0, now - bucket[1]) * rate)
    bucket[1] = now


def may_guess():
    """BoardError if this session, or this server, got too many codes wrong lately."""
    now = time.monotonic()
    mine = st.session_state.setdefault(GUESSES, [float(GUESS_BURST), now])
    with _guess_lock:
        _refill(mine, GUESS_BURST, GUESS_RATE, now)
        _refill(_server_guesses, SERVER_GUESS_BURST, SERVER_GUESS_RATE, now)
        for bucket, rate, where in ((mine, GUESS_RATE, "from this browser tab"),
                                    (_server_guesses, SERVER_GUESS_RATE, "on this server")):
            if bucket[0] < 1:
                raise BoardError(TOO_MANY_GUESSES.format(
                    where=where, wait=max(1, math.ceil((1 - bucket[0]) / rate))))


def guessed_wrong():
    """A code matched no board: one token less for this session and this server."""
    with _guess_lock:
        for bucket in (st.session_state[GUESSES], _server_guesses):
            bucket[0] -= 1


def look_up(db, board_code):
    """The board `board_code` for this session (db.board), throttled while it is not one this
    session found already (may_guess); BoardError if there is none."""
    if st.session_state.get(CONFIRMED) == board_code:
        return db.board(board_code)
    may_guess()
    try:
        info = db.board(board_code)
    except BoardError:
        guessed_wrong()
        raise
    st.session_state[CONFIRMED] = board_code
    return info


def join():
    def act():
        text = st.session_state.get(JOIN, "")
        try:
            board_code = parse_code(text[:40])
        except ValueError:
            raise BoardError("A class code is 6 letters and digits, as on the slide (no 0, 1, I, "
                             "L, O, U or V). Nothing changed.") from None
        look_up(store(), board_code)
        st.session_state[CODE] = board_code
        st.session_state.pop(KEY, None)
        st.session_state[JOIN] = ""
        say("success", f"You joined the class board {board_code}.")
    _act(act)


def leave():
    for key in (CODE, KEY, CSV, CHECKED):
        st.session_state.pop(key, None)
    if "class" in st.query_params:           # the address bar drops it now, not at the next run
        del st.query_params["class"]


def settings_of(run):
    """This run's settings as a URL carries them (validated as one) -> {name: text}; BoardError
    if the run cannot go on the board."""
    tr = run.trainer
    if run.cfg["dataset"] == S.UPLOADED:
        raise BoardError("A run on uploaded points cannot go on the class board: the board "
                         "replays runs from their settings. Nothing was sent.")
    if tr.t == 0:
        raise BoardError("Train first: this run is at t = 0. Nothing was sent.")
    # A setting chosen at t = 0 (on any page, before the first step) is the setting the run
    # started with, as the address bar has it: only a change at t > 0 is one mid-run.
    if any(e.t > 0 for e in tr.setting_changes):
        raise BoardError("This run's settings changed while it trained; the board compares runs "
                         "trained with one setting each from θ₀. Press Reset, train again, and "
                         "send. Nothing was sent.")
    # The board's η axis shows the class's runs: η outside the sidebar's range (its smallest
    # choice, S.LR_CHOICES[0], to S.MAX_LR) would stretch it over hundreds of decades.
    if not MIN_LR <= tr.lr <= S.MAX_LR:
        raise BoardError(f"The class board takes η from {MIN_LR:g} to {S.MAX_LR:g}, the range "
                         f"the app offers; this run has η = {tr.lr:g}. Nothing was sent.")
    if tr.t > urlstate.MAX_T:
        raise BoardError(f"A run on the board replays at most {urlstate.MAX_T:,} updates; this "
                         f"one has {tr.t:,}. Nothing was sent.")
    params = urlstate.encode(run.cfg)
    _, warnings = urlstate.decode(params)
    if warnings:
        raise BoardError(f"{warnings[0]} Nothing was sent.")
    return params


def send():
    """Send this session's own run: everything stored is computed here from its trainer. A send
    that got no answer is said (stored or not, or not known yet), and the next send of the same
    run asks the store not to store it twice."""
    def act():
        ss = st.session_state
        run = ss.get("run")
        if code() is None:
            raise BoardError("Join a class board first (its code is on the slide).")
        if run is None:
            raise BoardError("There is no run in this session to send.")
        params = settings_of(run)
        which = [code(), sorted(params.items()), run.trainer.t]
        try:
            entry, new = store().send(code(), sender(), summarize(params, run.trainer),
                                      name=ss.get(NAME, ""), again=ss.get(UNCONFIRMED) == which)
        except NoAnswer as err:
            if err.started or ss.get(UNCONFIRMED) == which:
                ss[UNCONFIRMED] = which
                raise BoardError(SENT_UNKNOWN) from None
            raise BoardError(NOT_SENT) from None
        except SQLAlchemyError as err:         # its transaction was rolled back
            if ss.get(UNCONFIRMED) == which:
                raise BoardError(SENT_UNKNOWN) from None
            raise BoardError(f"{unavailable(err)} Your run was not stored: send it again in a "
                             "moment.") from None
        ss.pop(UNCONFIRMED, None)
        done = f"η = {run.trainer.lr:g}, t = {run.trainer.t}"
        say("success", f"Sent: your run is #{entry} on the board {code()} ({done})." if new else
                       f"Your run is on the board {code()} once, as #{entry} ({done}): the send "
                       "that got no answer had stored it. Nothing more was sent.")
    _act(act)


def _as_lecturer(action, *args):
    def act():
        key = st.session_state.get(KEY)
        if code() is None or not is_key(key):
            raise BoardError("Only the lecturer can do that: this session has no lecturer key.")
        return action(store(), code(), key, *args)
    return _act(act)


def hide(entry):
    def act(db, board_code, key):
        db.hide(board_code, key, entry)
        say("info", f"Run #{entry} is hidden from the board.")
    _as_lecturer(act)


def remove(senders, what):
    """Delete every run of `senders` (one sender's, or a burst's) from the board."""
    def act(db, board_code, key):
        n = db.remove_senders(board_code, key, senders)
        say("info", f"Removed {what}: {plural(n, 'run')} deleted.")
    _as_lecturer(act)


CSV = "board_csv_made"              # session state: the CSV the lecturer made, for this board


def make_csv():
    """The board as CSV, made now (lecturer only): kept in this session until made again."""
    def act(db, board_code, key):
        if not db.is_lecturer(board_code, key):
            raise BoardError("Only the lecturer can do that: this session has no valid lecturer "
                             "key.")
        entries = db.entries(board_code, include_hidden=True)
        st.session_state[CSV] = {"code": board_code, "data": csv_bytes(entries),
                                 "runs": len(entries), "when": time.strftime("%H:%M:%S")}
    _as_lecturer(act)


def clear():
    def act(db, board_code, key):
        n = db.clear(board_code, key)
        say("info", f"The board is cleared: {n} runs deleted.")
    _as_lecturer(act)


def set_closed(closed):
    def act(db, board_code, key):
        db.set_closed(board_code, key, closed)
        say("info", "The board is closed to new runs." if closed else
                    "The board takes new runs again.")
    _as_lecturer(act)


def open_entry(entry):
    """Rebuild run #entry in this session (lecturer only): its settings, a fresh θ₀ from its
    seeds, then its t updates: the same θ, bit for bit."""
    def act(db, board_code, key):
        if not db.is_lecturer(board_code, key):
            raise BoardError("Only the lecturer can do that: this session has no valid lecturer "
                             "key.")
        found = [e for e in db.entries(board_code, include_hidden=True) if e.id == entry]
        if not found:
            raise BoardError(f"There is no run #{entry} on the board {board_code}.")
        e = found[0]
        values, warnings = urlstate.decode(e.settings)
        if warnings or set(values) & set(urlstate.APP_KEYS):
            raise BoardError(f"Run #{entry}'s settings cannot be used here. Nothing changed.")
        cfg, _ = S.reconcile({**deepcopy(S.DEFAULTS), **values})
        try:
            run = state.build_run(cfg)
        except ValueError as err:
            raise BoardError(f"Run #{entry} cannot be rebuilt: {err}. Nothing changed.") from None
        run.trainer.step(e.t)
        ss = st.session_state
        for key_, value in cfg.items():
            ss[key_] = deepcopy(value)
        ss["run"] = run
        playback().pause()
        say("success", f"Run #{entry} is now this session's run: its settings, and t = "
                       f"{run.trainer.t} updates replayed from θ₀ (the same settings and seeds "
                       "give the same θ, bit for bit). Every page shows it.")
    _as_lecturer(act)


# ---- what the page shows ----------------------------------------------------------------------

def full_cfg(entry):
    values, _ = urlstate.decode(entry.settings)
    return {**S.DEFAULTS, **{k: v for k, v in values.items() if k in S.DEFAULTS}}


def architecture(cfg):
    sizes = S.hidden_sizes(cfg)
    return "no hidden layer" if not sizes else "hidden " + "-".join(map(str, sizes))


def group_of(cfg, by):
    if by == "architecture":
        return architecture(cfg)
    return S.NAMES[by][cfg[by]]


def groups(cfgs, by):
    """The groups present, in a stable order (the registry's, or by size for architectures)."""
    present = {group_of(c, by) for c in cfgs}
    if by == "architecture":
        key = {architecture(c): (c["n_hidden"], S.hidden_sizes(c)) for c in cfgs}
        return sorted(present, key=key.__getitem__)
    return [label for label in S.NAMES[by].values() if label in present]


def plot_runs(entries, by):
    """The entries as the figures take them (ffnn.figures.board) -> (runs, groups)."""
    cfgs = [full_cfg(e) for e in entries]
    runs = [{"id": e.id, "name": e.name, "lr": e.lr, "loss": e.train_loss,
             "diverged": e.diverged, "group": group_of(c, by), "t": e.t, "steps": e.steps,
             "losses": e.losses} for e, c in zip(entries, cfgs)]
    return runs, groups(cfgs, by)


def _differs(entry):
    return ", ".join(f"{k}={v}" for k, v in sorted(entry.settings.items()) if k != "lr")


def table(entries):
    """One row per run, for st.dataframe (plain text: names are never rendered)."""
    return pd.DataFrame({
        "#": [e.id for e in entries],
        "name": [e.name or "anonymous" for e in entries],
        "η": [e.lr for e in entries],
        "other settings": [_differs(e) for e in entries],
        "t": [e.t for e in entries],
        # as text: Streamlit's number formats print 4e+166 with all its digits
        "train loss": [_number(e.train_loss) for e in entries],
        "test loss": [_number(e.test_loss) for e in entries],
        "train acc": [e.train_acc for e in entries],
        "test acc": [e.test_acc for e in entries],
        "diverged": [e.diverged for e in entries],
    })


def plural(n, word):
    return f"{n:,} {word}" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class Burst:
    start: float                 # Unix time of its first and last new sender's first run
    end: float
    senders: tuple               # every sender in it
    runs: int                    # every run they sent


def bursts(entries):
    """Groups of senders new to the board that came faster than a class does: every sender
    whose first run falls in a window of BURST_WINDOW s holding at least BURST_SENDERS first
    runs; overlapping windows make one burst. -> [Burst], oldest first."""
    first, count = {}, {}
    for e in sorted(entries, key=lambda e: e.created):
        first.setdefault(e.sender, e.created)
        count[e.sender] = count.get(e.sender, 0) + 1
    times = sorted((t, s) for s, t in first.items())
    marked, j = [False] * len(times), 0
    for i in range(len(times)):
        while times[i][0] - times[j][0] > BURST_WINDOW:
            j += 1
        if i - j + 1 >= BURST_SENDERS:
            marked[j:i + 1] = [True] * (i + 1 - j)
    found, group = [], []
    for i, (t, s) in enumerate(times):
        if marked[i] and group and t - group[-1][0] > BURST_WINDOW:
            found.append(group)
            group = []
        if marked[i]:
            group.append((t, s))
    if group:
        found.append(group)
    return [Burst(g[0][0], g[-1][0], tuple(s for _, s in g), sum(count[s] for _, s in g))
            for g in found]


def _number(value):
    return "–" if value is None else f"{value:.4g}"


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text):
    """A text cell that a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(_FORMULA) else text


def csv_bytes(entries):
    """The board as CSV (hidden runs included, marked): what each run stores but its curve."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "name", "time_utc", "lr", "settings", "t", "train_loss", "test_loss",
                "train_acc", "test_acc", "diverged", "hidden"])
    for e in entries:
        when = pd.Timestamp(e.created, unit="s", tz="UTC").isoformat(timespec="seconds")
        w.writerow([e.id, _cell(e.name), when, repr(e.lr),
                    _cell(urllib.parse.urlencode(sorted(e.settings.items()))), e.t,
                    *("" if v is None else repr(v)
                      for v in (e.train_loss, e.test_loss, e.train_acc, e.test_acc)),
                    int(e.diverged), int(e.hidden)])
    return out.getvalue().encode("utf-8")


DOWN_SINCE, BACK_AT = "board_down_since", "board_back_at"     # session state (watch)
BACK_SHOWN = 20.0          # s the board says it can be read again
CANNOT_READ = ("The board cannot be read right now (its database does not answer); the runs "
               "shown are from {when}. It comes back by itself.")
CANNOT_READ_YET = ("The board cannot be read right now (its database does not answer). It "
                   "comes back by itself.")
BACK = "The board can be read again since {when}: it shows the runs as they are now."


def clock_time(t):
    return time.strftime("%H:%M:%S", time.localtime(t))


@st.fragment(run_every=WATCH_EVERY)
def watch(db, code, version, read_at=None):
    """Redraw the page when the board changed since it was drawn (another session's run): the
    store's version of board `code` against the `version` the page was drawn at (None: the page
    could not read it). Says when the board cannot be read (the runs shown are those read at
    `read_at`, Unix time), and when it can again."""
    ss = st.session_state
    try:
        now = (db.within(WATCH_TIMEOUT) if isinstance(db, Bounded) else db).version(code)
    except (Unavailable, SQLAlchemyError):
        ss.setdefault(DOWN_SINCE, time.time())
        st.warning(CANNOT_READ.format(when=clock_time(read_at)) if read_at else CANNOT_READ_YET,
                   icon=":material/cloud_off:")
        return
    if ss.pop(DOWN_SINCE, None) is not None or version is None:
        ss[BACK_AT] = time.time()
        st.rerun()
    if now != version:
        st.rerun()
    back = ss.get(BACK_AT)
    if back is not None and time.time() - back < BACK_SHOWN:
        st.success(BACK.format(when=clock_time(back)), icon=":material/cloud_done:")
