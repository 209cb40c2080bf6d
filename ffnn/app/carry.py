"""What the address bar cannot hold, kept in the shared store so that another replica (after a
failover) or a reload rebuilds the run: uploaded points and long lists of mid-run changes (the
rules: carry_store). The store is the class board's database (ffnn.app.board's connection):
replicas that share a board share this too. When it cannot be used, the page says so at once,
and again on the page that could not rebuild the run; never silently.
"""

import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from ffnn import io as fio

from . import board
from .carry_store import CarryError, CarryStore
from .messages import say

log = logging.getLogger("ffnn.app")
LISTS = "_carried_lists"          # session key: {changes text: id} stored from this session

CANNOT_MOVE = ("This run cannot move to another server: {why}. A reload, or a reconnection "
               "to another server, would lose these points and start on the default data.")
LOST_POINTS = ("This address names uploaded points (id {id}) that this server cannot read "
               "({why}): the points and the run's {t:,} updates could not be rebuilt. Training "
               "starts on the default data from θ₀. Upload the file again on Share and export.")
LOST_CHANGES = ("This address names a list of mid-run changes (id {id}) that this server cannot "
                "read ({why}): the run's {t:,} updates could not be rebuilt exactly. Training "
                "starts from θ₀ with the address's settings.")
TOO_MANY = ("This run's {n:,} mid-run changes are more than an address holds, and the server's "
            "store cannot keep them ({why}): a reload, or another server, would start it again "
            "from θ₀.")


class Unreadable(Exception):
    """The store has no such item, or cannot be reached; str(err) says which, in a few words."""


def _store():
    try:
        return CarryStore(board.engine())
    except (SQLAlchemyError, OSError) as err:
        log.warning("carried runs' store: %s", err, exc_info=err)
        raise Unreadable("its database cannot be reached") from err


def keep(kind, body):
    """Store `body` -> its id; Unreadable (with why) if it cannot be kept."""
    db = _store()
    try:
        return db.put(kind, body)
    except CarryError as err:
        raise Unreadable(str(err)) from err
    except SQLAlchemyError as err:
        log.warning("carried runs' store: %s", err, exc_info=err)
        raise Unreadable("its database cannot be reached") from err


def fetch(kind, key):
    """The bytes under `key`; Unreadable if they are not there or cannot be read."""
    db = _store()
    try:
        body = db.get(kind, key)
    except SQLAlchemyError as err:
        log.warning("carried runs' store: %s", err, exc_info=err)
        raise Unreadable("its database cannot be reached") from err
    if body is None:
        raise Unreadable("they are not in this server's store: another database, or expired")
    return body


def keep_points(raw):
    """Keep an uploaded CSV's bytes for other replicas -> a message for the person if they
    cannot be kept (the run then cannot move), else None."""
    try:
        keep("points", raw)
    except Unreadable as err:
        return CANNOT_MOVE.format(why=err)
    return None


def points_of(key):
    """The points of the uploaded CSV stored under `key` (ffnn.io.Points); Unreadable."""
    try:
        return fio.read_points_csv(fetch("points", key))
    except ValueError as err:       # bytes that were read once: a changed parser's limits
        raise Unreadable(f"they no longer read as points: {err}") from err


def changes_id(text):
    """The id of the change list `text` in the store (kept once per session and list); None
    if it cannot be kept (a message says so, once per list)."""
    ss = st.session_state
    kept = ss.setdefault(LISTS, {})
    if text not in kept:
        try:
            kept[text] = keep("changes", text.encode())
        except Unreadable as err:
            kept[text] = None
            say("warning", TOO_MANY.format(n=text.count("~") + 1, why=err), topic="problem")
        while len(kept) > 4:            # only the latest lists are asked for again
            kept.pop(next(iter(kept)))
    return kept[text]
