"""What an address bar cannot hold, kept where every replica reads it: the bytes of an uploaded
CSV and a long list of mid-run changes, each under the SHA-256 of its kind and content (so the
same bytes are stored once, and an address names them by a 32-hex-digit id). The same database
as the class board (board_store's engine); no Streamlit here.

An item expires EXPIRY seconds after it was last stored or read, as a board does; expired items
go the next time anything is stored. The table holds at most MAX_TOTAL bytes: past it, `put`
refuses (CarryError), and the page says the run cannot move to another server.
"""

import hashlib
import threading
import time
import weakref

from sqlalchemy import (
    Column,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    exc,
    func,
    insert,
    select,
    update,
)

from .board_store import EXPIRY, WRITE, prepare

ID_CHARS = 32                 # hex digits of an id: 128 bits, not guessed
KINDS = ("points", "changes")
MAX_ITEM = 6_000_000          # bytes of one item (an upload is at most 5 MB: ffnn.io.MAX_BYTES)
MAX_TOTAL = 500_000_000       # bytes the table holds at most

metadata = MetaData()
items = Table(
    "ffnn_carried", metadata,
    Column("id", String(ID_CHARS), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("touched", Float, nullable=False, index=True),      # Unix time of the last use
)


class CarryError(ValueError):
    """The item cannot be kept; str(err) says why, for the person."""


def item_id(kind, body):
    """The id of `body` (bytes) of `kind`: hex SHA-256 of both, shortened to ID_CHARS."""
    return hashlib.sha256(kind.encode() + b"\0" + body).hexdigest()[:ID_CHARS]


def is_id(text):
    return (isinstance(text, str) and len(text) == ID_CHARS
            and all(c in "0123456789abcdef" for c in text))


_ready = weakref.WeakSet()
_ready_lock = threading.Lock()


class CarryStore:
    """Items in `engine`'s database; `clock()` gives Unix time (tests pass their own)."""

    def __init__(self, engine, clock=time.time):
        prepare(engine)              # the board's schema, and SQLite's transaction handling
        with _ready_lock:
            if engine not in _ready:
                with engine.execution_options(**WRITE).begin() as conn:
                    metadata.create_all(conn, checkfirst=True)
                _ready.add(engine)
        self.engine, self.clock = engine, clock

    def put(self, kind, body):
        """Keep `body` (bytes) of `kind` -> its id (the same id for the same bytes)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if len(body) > MAX_ITEM:
            raise CarryError(f"it is larger than {MAX_ITEM / 1e6:.0f} MB")
        key, now = item_id(kind, body), self.clock()
        with self.engine.execution_options(**WRITE).begin() as conn:
            conn.execute(delete(items).where(items.c.touched < now - EXPIRY))
            if conn.execute(update(items).where(items.c.id == key).values(touched=now)).rowcount:
                return key
            total = conn.execute(select(func.coalesce(func.sum(items.c.size), 0))).scalar_one()
            if total + len(body) > MAX_TOTAL:
                raise CarryError("the server's store for such runs is full")
            try:
                conn.execute(insert(items).values(id=key, kind=kind, body=body, size=len(body),
                                                  touched=now))
            except exc.IntegrityError:       # another replica stored the same bytes just now
                pass
        return key

    def get(self, kind, key):
        """The bytes stored under `key` for `kind`, or None (never stored, or expired)."""
        if not is_id(key):
            return None
        now = self.clock()
        with self.engine.execution_options(**WRITE).begin() as conn:
            row = conn.execute(select(items.c.kind, items.c.body, items.c.touched).where(
                items.c.id == key)).first()
            if row is None or row.touched < now - EXPIRY:
                return None
            conn.execute(update(items).where(items.c.id == key).values(touched=now))
        body = bytes(row.body)    # the id names kind and bytes: another kind's, or altered, no
        return body if item_id(kind, body) == key else None
