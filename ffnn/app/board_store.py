"""The class board's store: boards and the runs a class sends to them, in any SQL database that
SQLAlchemy reaches (an SQLite file by default, PostgreSQL for replicas behind a load balancer).

No Streamlit here: the app hands `Store` an engine (ffnn.app.board gets it from st.connection),
and the tests hand it engines of their own. Every limit is checked here, in the transaction that
would change the board, so two replicas cannot both slip past it:

- a name is at most MAX_NAME characters, without control or invisible characters;
- a board shows at most MAX_RUNS runs (hidden ones do not count) and stores at most
  MAX_STORED; a closed board takes none;
- a sender (a token the browser keeps in a cookie, so reloads and new tabs are the same
  sender) sends at most one run every MIN_INTERVAL seconds;
- a board admits new senders and takes runs at a bounded rate (two token buckets in the
  board's row: ADMIT_BURST senders at once, then ADMIT_RATE a second; RUN_BURST runs at once,
  then RUN_RATE a second), so that one person with a script needs minutes to fill it;
- run numbers count per board and are never reused;
- a run sent again after a send whose answer never came back (`send(..., again=True)`) is not
  stored twice: if its sender has the same run on the board, `send` says so;
- a board with no activity (a run sent, a lecturer action) for EXPIRY seconds expires, and its
  rows are deleted when a lecturer opens a board, at most once every PURGE_EVERY seconds per
  process (no cron job; a student's join, right or wrong, only reads);
- hide, clear and close need the lecturer key, checked against its SHA-256 every time.

A refusal raises BoardError, whose text is the message for the person; nothing is changed.
"""

import json
import logging
import math
import threading
import time
import unicodedata
import weakref
from dataclasses import dataclass

import numpy as np
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    event,
    exc,
    func,
    insert,
    select,
    text,
    update,
)

from .board_codes import CODE_LENGTH, key_hash, key_matches, new_code, new_key

MAX_NAME = 24
MAX_RUNS = 500               # shown runs on a board (hidden ones do not count)
MAX_STORED = 2000            # rows of a board, hidden ones included
MIN_INTERVAL = 15.0          # seconds between two runs sent by one sender
ADMIT_BURST, ADMIT_RATE = 60, 1.0      # new senders: at once, then per second
RUN_BURST, RUN_RATE = 90, 2.0          # runs: at once, then per second
EXPIRY = 24 * 3600.0         # seconds without activity before a board and its runs are deleted
PURGE_EVERY = 60.0           # s: expired rows are deleted at most this often per process
CURVE_POINTS = 200           # a stored loss curve has at most this many points
log = logging.getLogger("ffnn.app")

NO_BOARD = ("There is no class board with the code {code}. Check the code on the slide; a board "
            "closes for good after 24 hours without activity.")
EXPIRED = ("The class board {code} has expired: nobody used it for 24 hours, so its runs were "
           "deleted. The lecturer can open a new board.")
CLOSED = "The class board {code} is closed to new runs: the lecturer closed it. Nothing was sent."
FULL = f"The class board {{code}} is full ({MAX_RUNS} runs). Nothing was sent."
TOO_SOON = ("One run every {interval:g} seconds per student: wait {wait:.0f} s more, then send "
            "again. Nothing was sent.")
STORED_FULL = (f"The class board {{code}} holds {MAX_STORED} runs, hidden ones included: the "
               "lecturer can remove runs. Nothing was sent.")
BUSY = ("The class board {code} is taking runs as fast as it allows ({what}): wait {wait:.0f} s, "
        "then send again. Nothing was sent.")
NOT_LECTURER = "Only the lecturer can do that: this session has no valid lecturer key for {code}."
NO_ENTRY = "There is no run #{entry} on the board {code}."
LONG_NAME = ("A name is at most {limit} characters; this one has {n:,}. Nothing was sent: "
             "shorten it and send again.")
BAD_NAME = ("A name cannot contain control or invisible characters (such as right-to-left "
            "marks); this one has {chars}. Nothing was sent.")

# Invisible or control characters refused in a name (bidi overrides and marks among them), but
# for the zero-width (non-)joiner, which Persian, Indic scripts and emoji sequences need.
_REFUSED = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
_JOINERS = {"\u200c", "\u200d"}
# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern): a name of
# only these, spaces and joiners looks blank, so it is stored as anonymous ("").
_BLANK = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"} | _JOINERS


class BoardError(ValueError):
    """A request the board refuses; str(err) is the message for the person."""


# ---- the schema -------------------------------------------------------------------------------

metadata = MetaData()
boards = Table(
    "ffnn_boards_v2", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(CODE_LENGTH), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False),        # SHA-256 of the lecturer key, hex
    Column("created", Float, nullable=False),               # Unix time, s
    Column("touched", Float, nullable=False, index=True),   # last activity
    Column("closed", Boolean, nullable=False),
    Column("version", Integer, nullable=False),             # +1 on every change: cheap to poll
    Column("next_number", Integer, nullable=False),         # the next run's number on the board
    # two token buckets (see the module's docstring): tokens left, at Unix time *_at
    Column("admit_tokens", Float, nullable=False), Column("admit_at", Float, nullable=False),
    Column("run_tokens", Float, nullable=False), Column("run_at", Float, nullable=False),
)
runs = Table(
    "ffnn_board_runs_v2", metadata,
    Column("id", Integer, primary_key=True),
    Column("board_id", Integer, ForeignKey("ffnn_boards_v2.id", ondelete="CASCADE"),
           nullable=False),
    Column("number", Integer, nullable=False),              # #1, #2 ... on its board
    Column("sender", String(64), nullable=False),           # a hash of the browser's token
    Column("name", String(MAX_NAME), nullable=False),
    Column("settings", Text, nullable=False),               # JSON {name: text}, the URL's form
    Column("lr", Float, nullable=False),
    Column("t", Integer, nullable=False),
    Column("train_loss", Float), Column("test_loss", Float),     # NULL: not finite, or none
    Column("train_acc", Float), Column("test_acc", Float),
    Column("diverged", Boolean, nullable=False),
    Column("curve", Text, nullable=False),                  # JSON [[t ...], [loss ...]]
    Column("created", Float, nullable=False),
    Column("hidden", Boolean, nullable=False),
    Index("ix_ffnn_board_runs_v2_board", "board_id", "number", unique=True),
    Index("ix_ffnn_board_runs_v2_sender", "sender", "created"),
)


# ---- what one run stores ----------------------------------------------------------------------

@dataclass(frozen=True)
class Submission:
    """What the server computed from a session's own trainer (see `summarize`)."""

    settings: dict               # {name: text}: the settings that differ from the defaults
    lr: float
    t: int
    train_loss: float | None
    test_loss: float | None
    train_acc: float | None
    test_acc: float | None
    diverged: bool
    steps: list
    losses: list


@dataclass(frozen=True)
class Entry(Submission):
    """A run on a board, as read back."""

    id: int = 0                  # its number on the board (#1, #2 ...)
    name: str = ""
    created: float = 0.0
    hidden: bool = False
    sender: str = ""             # who sent it (a hash): for "remove this sender" only


@dataclass(frozen=True)
class Board:
    code: str
    closed: bool
    version: int
    n_runs: int                  # shown (not hidden)
    created: float
    touched: float


def _finite(value):
    return float(value) if value is not None and math.isfinite(value) else None


def downsample(steps, losses, points=CURVE_POINTS):
    """At most `points` evenly spread points of a curve, the first and last kept; -> (steps
    [int], losses [float or None])."""
    steps, losses = np.asarray(steps), np.asarray(losses, dtype=np.float64)
    if len(steps) > points:
        idx = np.unique(np.linspace(0, len(steps) - 1, points).round().astype(np.int64))
        steps, losses = steps[idx], losses[idx]
    return [int(s) for s in steps], [_finite(v) for v in losses.tolist()]


def summarize(settings, trainer):
    """A Submission from a trainer: its t, its final losses and accuracies at theta_t
    (trainer.evaluate()), whether it diverged, and its loss curve L(theta_t) against t,
    downsampled. (A history row of update s holds the loss at theta_{s-1}; the curve ends on
    the final loss at theta_t.)"""
    final = trainer.evaluate()
    history = trainer.history
    t = np.asarray(history["step"], dtype=np.int64) - 1
    loss = np.asarray(history["train_loss"], dtype=np.float64)
    if trainer.t > (t[-1] if len(t) else -1):
        t, loss = np.append(t, trainer.t), np.append(loss, final["train_loss"])
    steps, losses = downsample(t, loss)
    return Submission(
        settings=dict(settings), lr=float(trainer.lr), t=int(trainer.t),
        train_loss=_finite(final.get("train_loss")), test_loss=_finite(final.get("test_loss")),
        train_acc=_finite(final.get("train_acc")), test_acc=_finite(final.get("test_acc")),
        diverged=trainer.diverged is not None, steps=steps, losses=losses)


def clean_name(text):
    """A display name as typed -> the name stored ("" for anonymous); BoardError if too long or
    if it holds control or invisible characters. Never rendered as Markdown or HTML."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise BoardError("A name must be text. Nothing was sent.")
    if len(text) > 4 * MAX_NAME:               # 10 kB of text: refused before any work on it
        raise BoardError(LONG_NAME.format(limit=MAX_NAME, n=len(text)))
    name = unicodedata.normalize("NFC", text).strip()
    if len(name) > MAX_NAME:
        raise BoardError(LONG_NAME.format(limit=MAX_NAME, n=len(name)))
    bad = sorted({c for c in name if unicodedata.category(c) in _REFUSED and c not in _JOINERS})
    if bad:
        raise BoardError(BAD_NAME.format(chars=", ".join(f"U+{ord(c):04X}" for c in bad)))
    if all(c in _BLANK or unicodedata.category(c).startswith("Z") for c in name):
        return ""                               # looks blank: anonymous
    return name


# ---- the engine -------------------------------------------------------------------------------

_prepared = weakref.WeakSet()
_prepare_lock = threading.Lock()
WRITE = {"ffnn_write": True}     # execution option: this transaction will write


def _sqlite_connect(dbapi_connection, _record):
    # Take BEGIN away from the sqlite3 module (it would only begin at the first write, so a
    # read-then-write could act on a stale read); wait for a lock rather than fail at once.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA journal_mode = WAL")       # readers do not wait for the writer
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_begin(conn):
    # A transaction that writes takes the write lock at BEGIN: writers queue, none fails.
    dbapi = conn.connection.dbapi_connection
    if dbapi.in_transaction:
        # Never seen with this code, but once under heavy load before it was final: a pooled
        # connection still in a transaction ("cannot start a transaction within a
        # transaction"). End it rather than fail the page; the log says it happened.
        log.warning("class board: an SQLite connection came back in a transaction; rolled back")
        dbapi.rollback()
    write = conn.get_execution_options().get("ffnn_write")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def prepared(engine):
    return engine in _prepared


def prepare(engine):
    """Once per engine: SQLite's transaction handling (see above), then the schema. Safe to call
    from many threads and processes at once (PostgreSQL: under an advisory lock)."""
    with _prepare_lock:
        if engine in _prepared:
            return
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
        for attempt in range(3):
            try:
                with engine.execution_options(**WRITE).begin() as conn:
                    if engine.dialect.name == "postgresql":
                        conn.execute(text("SELECT pg_advisory_xact_lock(1404202614)"))
                    metadata.create_all(conn, checkfirst=True)
                break
            except (exc.ProgrammingError, exc.IntegrityError):   # another process created it
                if attempt == 2:
                    raise
        _prepared.add(engine)


# ---- the store --------------------------------------------------------------------------------

class Store:
    """Boards and their runs in `engine`'s database. `clock()` gives Unix time (tests pass
    their own to make a board expire)."""

    def __init__(self, engine, clock=time.time):
        prepare(engine)
        self.engine, self.clock = engine, clock

    def purge_now_and_then(self):
        """`purge`, unless this process purged this database less than PURGE_EVERY s ago."""
        now = self.clock()
        with _purge_lock:
            last = _purged.get(self.engine)
            if last is not None and 0 <= now - last < PURGE_EVERY:
                return 0
            _purged[self.engine] = now
        return self.purge()

    def _read(self):
        return self.engine.connect()

    def _write(self):
        return self.engine.execution_options(**WRITE).begin()

    # ---- boards
    def open_board(self):
        """A new board -> (code, key). The key is returned once and stored only as a hash."""
        self.purge_now_and_then()
        now = self.clock()
        for _ in range(20):                     # 29^6 codes: a collision is rare
            code, key = new_code(), new_key()
            try:
                with self._write() as conn:
                    conn.execute(insert(boards).values(
                        code=code, key_hash=key_hash(key), created=now, touched=now,
                        closed=False, version=0, next_number=1, admit_tokens=ADMIT_BURST,
                        admit_at=now, run_tokens=RUN_BURST, run_at=now))
                return code, key
            except exc.IntegrityError:
                continue
        raise RuntimeError("no free class code found")

    def _board_row(self, conn, code, lock=False):
        query = select(boards).where(boards.c.code == code)
        row = conn.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise BoardError(NO_BOARD.format(code=code))
        if row.touched < self.clock() - EXPIRY:
            raise BoardError(EXPIRED.format(code=code))
        return row

    def board(self, code):
        """The board `code` (BoardError if there is none, or it expired: its rows are then
        deleted)."""
        try:
            with self._read() as conn:
                row = self._board_row(conn, code)
                n = conn.execute(select(func.count()).select_from(runs).where(
                    runs.c.board_id == row.id, runs.c.hidden.is_(False))).scalar_one()
        except BoardError as err:
            if str(err) == EXPIRED.format(code=code):
                self.purge_now_and_then()
            raise
        return Board(row.code, row.closed, row.version, n, row.created, row.touched)

    def join(self, code):
        """Look a board up for a student who types or opens its code: a read only (a guess
        costs the database no write; see ffnn.app.board for the throttle on guesses)."""
        return self.board(code)

    def version(self, code):
        """The board's change counter (one indexed row: cheap to poll every second); None if
        the board is gone or expired."""
        with self._read() as conn:
            row = conn.execute(select(boards.c.version, boards.c.touched).where(
                boards.c.code == code)).first()
        if row is None or row.touched < self.clock() - EXPIRY:
            return None
        return row.version

    def purge(self):
        """Delete every board without activity for EXPIRY seconds, and its runs; -> how many
        boards."""
        cutoff = self.clock() - EXPIRY
        with self._write() as conn:
            old = select(boards.c.id).where(boards.c.touched < cutoff).scalar_subquery()
            conn.execute(delete(runs).where(runs.c.board_id.in_(old)))
            return conn.execute(delete(boards).where(boards.c.touched < cutoff)).rowcount

    # ---- runs
    def submit(self, code, sender, submission, name=""):
        """Store one run sent by `sender` -> its number. BoardError, and nothing stored, if
        the name, the board, its size or the sender's last run forbids it."""
        return self.send(code, sender, submission, name)[0]

    def send(self, code, sender, submission, name="", again=False):
        """As `submit` -> (number, stored now). `again`: this run's last send got no answer (a
        database that froze); if the sender has the same run (settings, t and final losses) on
        the board already, it is not stored twice: -> (its number, False)."""
        name = clean_name(name)
        now = self.clock()
        with self._write() as conn:
            board = self._board_row(conn, code, lock=True)      # runs queue here, per board
            s = submission
            settings = json.dumps(s.settings, sort_keys=True)
            same = [] if not again else conn.execute(select(
                runs.c.train_loss, runs.c.test_loss, runs.c.diverged, runs.c.number).where(
                runs.c.board_id == board.id, runs.c.sender == sender,
                runs.c.settings == settings, runs.c.t == s.t).order_by(
                runs.c.number.desc())).all()
            mine = (_finite(s.train_loss), _finite(s.test_loss), bool(s.diverged))
            for row in same:                    # the same settings and seeds: the same numbers
                if (row.train_loss, row.test_loss, bool(row.diverged)) == mine:
                    return row.number, False
            if board.closed:
                raise BoardError(CLOSED.format(code=code))
            shown, stored = conn.execute(select(
                func.count().filter(runs.c.hidden.is_(False)), func.count()).where(
                runs.c.board_id == board.id)).one()
            if shown >= MAX_RUNS:
                raise BoardError(FULL.format(code=code))
            if stored >= MAX_STORED:
                raise BoardError(STORED_FULL.format(code=code))
            last, here = conn.execute(select(
                func.max(runs.c.created),
                func.count().filter(runs.c.board_id == board.id)).where(
                runs.c.sender == sender)).one()
            if last is not None and now - last < MIN_INTERVAL:
                raise BoardError(TOO_SOON.format(interval=MIN_INTERVAL,
                                                 wait=math.ceil(MIN_INTERVAL - (now - last))))
            buckets = {"run": _take(board.run_tokens, board.run_at, now, RUN_BURST, RUN_RATE)}
            if not here:                                # a sender new to this board
                buckets["admit"] = _take(board.admit_tokens, board.admit_at, now, ADMIT_BURST,
                                         ADMIT_RATE)
            for kind, (tokens, wait) in buckets.items():
                if tokens is None:
                    what = (f"{ADMIT_RATE:g} new student a second" if kind == "admit" else
                            f"{RUN_RATE:g} runs a second")
                    raise BoardError(BUSY.format(code=code, what=what, wait=max(1, wait)))
            conn.execute(update(boards).where(boards.c.id == board.id).values(
                next_number=boards.c.next_number + 1,
                **{f"{k}_tokens": tokens for k, (tokens, _) in buckets.items()},
                **{f"{k}_at": now for k in buckets}))
            entry = board.next_number
            conn.execute(insert(runs).values(
                board_id=board.id, number=entry, sender=sender, name=name,
                settings=settings, lr=s.lr, t=s.t,
                train_loss=_finite(s.train_loss), test_loss=_finite(s.test_loss),
                train_acc=_finite(s.train_acc), test_acc=_finite(s.test_acc),
                diverged=s.diverged, curve=json.dumps(downsample(s.steps, s.losses)),
                created=now, hidden=False))
            self._touch(conn, board.id, now)
        return entry, True

    def entries(self, code, include_hidden=False):
        """The board's runs, oldest first."""
        with self._read() as conn:
            board = self._board_row(conn, code)
            query = select(runs).where(runs.c.board_id == board.id).order_by(runs.c.number)
            if not include_hidden:
                query = query.where(runs.c.hidden.is_(False))
            rows = conn.execute(query).all()
        return [_entry(row) for row in rows]

    def entries_since(self, code, known=()):
        """The board's shown runs, oldest first, reading in full only those whose number is not
        in `known` -> (numbers shown, {number: Entry} of the runs not known). A projector that
        keeps what it read asks for one small column, then the new runs only."""
        known = set(known)
        with self._read() as conn:
            board = self._board_row(conn, code)
            shown = runs.c.board_id == board.id, runs.c.hidden.is_(False)
            numbers = conn.execute(select(runs.c.number).where(*shown).order_by(
                runs.c.number)).scalars().all()
            missing = [n for n in numbers if n not in known]
            rows = [] if not missing else conn.execute(select(runs).where(
                *shown, runs.c.number >= missing[0])).all()
        wanted = set(missing)
        return numbers, {e.id: e for e in map(_entry, rows) if e.id in wanted}

    # ---- the lecturer's actions: the key is checked in the transaction that acts
    def is_lecturer(self, code, key):
        with self._read() as conn:
            row = conn.execute(select(boards.c.key_hash).where(boards.c.code == code)).first()
        return row is not None and key_matches(key, row.key_hash)

    def _as_lecturer(self, conn, code, key):
        board = self._board_row(conn, code, lock=True)
        if not key_matches(key, board.key_hash):
            raise BoardError(NOT_LECTURER.format(code=code))
        return board

    def hide(self, code, key, entry, hidden=True):
        with self._write() as conn:
            board = self._as_lecturer(conn, code, key)
            done = conn.execute(update(runs).where(
                runs.c.board_id == board.id, runs.c.number == entry).values(
                hidden=hidden)).rowcount
            if not done:
                raise BoardError(NO_ENTRY.format(entry=entry, code=code))
            self._touch(conn, board.id)

    def remove_senders(self, code, key, senders):
        """Delete every run the senders `senders` sent to the board (one sender, or a burst's)
        -> how many."""
        senders = sorted(set(senders))
        with self._write() as conn:
            board = self._as_lecturer(conn, code, key)
            n = 0
            for i in range(0, len(senders), 500):
                n += conn.execute(delete(runs).where(
                    runs.c.board_id == board.id,
                    runs.c.sender.in_(senders[i:i + 500]))).rowcount
            self._touch(conn, board.id)
        return n

    def clear(self, code, key):
        """Delete every run of the board -> how many."""
        with self._write() as conn:
            board = self._as_lecturer(conn, code, key)
            n = conn.execute(delete(runs).where(runs.c.board_id == board.id)).rowcount
            self._touch(conn, board.id)
        return n

    def set_closed(self, code, key, closed=True):
        with self._write() as conn:
            board = self._as_lecturer(conn, code, key)
            conn.execute(update(boards).where(boards.c.id == board.id).values(closed=closed))
            self._touch(conn, board.id)

    def _touch(self, conn, board_id, now=None):
        conn.execute(update(boards).where(boards.c.id == board_id).values(
            version=boards.c.version + 1, touched=self.clock() if now is None else now))


_purged = weakref.WeakKeyDictionary()       # engine -> when this process last purged it
_purge_lock = threading.Lock()


def _take(tokens, at, now, burst, rate):
    """A token bucket: `tokens` left at time `at`, refilled at `rate` a second up to `burst`
    -> (tokens left after taking one, 0) or (None, seconds until one is there)."""
    tokens = min(burst, tokens + max(0.0, now - at) * rate)
    if tokens >= 1:
        return tokens - 1, 0
    return None, math.ceil((1 - tokens) / rate)


def _entry(row):
    m = row._mapping                    # not row.t: Row's own attributes shadow a column "t"
    steps, losses = json.loads(m["curve"])
    return Entry(
        settings=json.loads(m["settings"]), lr=m["lr"], t=m["t"], train_loss=m["train_loss"],
        test_loss=m["test_loss"], train_acc=m["train_acc"], test_acc=m["test_acc"],
        diverged=bool(m["diverged"]), steps=steps, losses=losses, id=m["number"], name=m["name"],
        created=m["created"], hidden=bool(m["hidden"]), sender=m["sender"])
