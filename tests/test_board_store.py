"""The class board's store on SQLite and on a real PostgreSQL server (started by the tests, see
pgserver.py): the schema is created, a run is stored and read back, every limit holds and
changes nothing when it refuses, boards expire, and concurrent senders lose nothing."""

import hashlib
import itertools
import re
import threading
import uuid

import numpy as np
import pytest
import sqlalchemy as sa

from ffnn import Network, Trainer
from ffnn.app import board_codes as C
from ffnn.app import board_store as B

import pgserver

_names = itertools.count()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now=1.9e9):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/board.sqlite3"
    if pgserver.bindir() is None:
        pytest.skip(pgserver.SKIP_REASON)
    return pgserver.shared().create_database(f"store_{next(_names)}_{uuid.uuid4().hex[:6]}")


@pytest.fixture
def engine(url):
    eng = sa.create_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(engine, clock):
    return B.Store(engine, clock=clock)


def trainer(lr=0.3, steps=700):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = Network([2, 4, 2], activation="tanh", output="softmax", loss="cross_entropy", seed=1)
    tr = Trainer(net, X[:40], y[:40], lr=lr, X_test=X[40:], y_test=y[40:], max_iterations=5000)
    tr.step(steps)
    return tr


def sub(lr=0.3, t=10):
    return B.Submission({"lr": f"{lr:g}"}, lr, t, 0.5, 0.6, 0.9, 0.8, False, [0, t], [1.0, 0.5])


def snapshot(engine):
    """Every row of both tables: what a refusal must leave unchanged."""
    with engine.connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()))
                for t in (B.boards, B.runs)}


# ---- codes and keys ---------------------------------------------------------------------------

def test_codes_and_keys():
    codes = {C.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 6 and set(c) <= set(C.CODE_ALPHABET) for c in codes)
    assert not set(C.CODE_ALPHABET) & set("01OILUV")            # nothing that reads as another
    key = C.new_key()
    assert len(key) == C.KEY_LENGTH and C.KEY_BYTES * 8 >= 128 and C.is_key(key)
    assert C.key_hash(key) == hashlib.sha256(key.encode()).hexdigest()
    assert C.key_matches(key, C.key_hash(key))
    assert not C.key_matches(key[:-1] + ("A" if key[-1] != "A" else "B"), C.key_hash(key))
    assert not C.key_matches("x" * 5, C.key_hash(key)) and not C.key_matches(None, "0" * 64)
    assert C.parse_code(" kx7-p2q ".replace("x", "X")) == "KX7P2Q"
    for forged in ("ABC", "ABCDEFG", "ABCDE0", "<b>ab", "ABC DE'", "'; DROP", "ÄBCDEF"):
        with pytest.raises(ValueError):
            C.parse_code(forged)


def test_names_are_plain_text_within_limits():
    assert B.clean_name(None) == "" and B.clean_name("  Ann  ") == "Ann"
    assert B.clean_name("<b>x</b> **y**") == "<b>x</b> **y**"       # kept as typed: shown as text
    assert B.clean_name("مريم") == "مريم"                            # right-to-left: fine
    assert B.clean_name("👩\u200d💻 Ana") == "👩\u200d💻 Ana"        # a joiner inside an emoji too
    assert B.clean_name("x" * 24) == "x" * 24
    for blank in ("\u3164", "\u2800\u2800", " \u3164 \u00a0", "\u200d", "\u3000"):    # issue 18
        assert B.clean_name(blank) == "", repr(blank)
    assert B.clean_name("\u2800Ann") == "\u2800Ann"                 # a name that shows stays
    for bad, says in (("x" * 25, "at most 24"), ("é" * 10_000, "10,000"),
                      ("\u202eevil", "U+202E"), ("a\u200fb", "U+200F"), ("a\nb", "U+000A"),
                      ("\u2066x", "U+2066"), ("a\u200bb", "U+200B")):
        with pytest.raises(B.BoardError, match=re.escape(says)):
            B.clean_name(bad)


def test_summarize_a_real_trainer():
    tr = trainer(steps=700)
    s = B.summarize({"lr": "0.3"}, tr)
    final = tr.evaluate()
    assert s.t == 700 and s.lr == 0.3 and not s.diverged
    assert s.train_loss == final["train_loss"] and s.test_acc == final["test_acc"]
    assert len(s.steps) == len(s.losses) <= B.CURVE_POINTS
    hist = tr.history                   # row of update s: the loss at theta_{s-1}
    assert s.steps[0] == 0 and s.losses[0] == hist["train_loss"].iloc[0]
    assert s.steps[-1] == 700 and s.losses[-1] == final["train_loss"]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    net = Network([2, 4, 1], activation="relu", output="linear", loss="squared_error", seed=1)
    blown = Trainer(net, X, 3 * X[:, 0], lr=100.0)
    blown.step(50)
    s = B.summarize({"lr": "100"}, blown)
    assert s.diverged and s.t == blown.t < 50


# ---- on both databases ------------------------------------------------------------------------

def test_the_schema_is_created(engine, store):
    names = set(sa.inspect(engine).get_table_names())
    assert {"ffnn_boards_v2", "ffnn_board_runs_v2"} <= names
    again = sa.create_engine(engine.url)          # a second replica's engine: nothing breaks
    try:
        B.Store(again)
    finally:
        again.dispose()


def test_a_run_is_stored_and_read_back(engine, store):
    code, key = store.open_board()
    tr = trainer()
    s = B.summarize({"lr": "0.3", "n_hidden": "1"}, tr)
    entry_id = store.submit(code, "session-1", s, name="  <i>Ann</i>  ")
    (entry,) = store.entries(code)
    assert entry.id == entry_id and entry.name == "<i>Ann</i>" and not entry.hidden
    for field in ("settings", "lr", "t", "train_loss", "test_loss", "train_acc", "test_acc",
                  "diverged", "steps", "losses"):
        assert getattr(entry, field) == getattr(s, field), field
    board = store.board(code)
    assert board.n_runs == 1 and board.version == 1 and not board.closed
    # the key is nowhere in the database; its hash is, and the code says nothing of it
    dump = repr(snapshot(engine))
    assert key not in dump and C.key_hash(key) in dump
    assert store.is_lecturer(code, key) and not store.is_lecturer(code, C.new_key())


def test_non_finite_numbers_are_stored_as_missing(store):
    code, _ = store.open_board()
    store.submit(code, "s", B.Submission({}, 100.0, 3, float("inf"), float("nan"), None, None,
                                         True, [0, 1, 2], [1.0, float("inf"), float("nan")]))
    (entry,) = store.entries(code)
    assert entry.diverged and entry.train_loss is None and entry.test_loss is None
    assert entry.losses == [1.0, None, None]


def test_refusals_change_nothing(engine, store, clock):
    code, key = store.open_board()
    store.submit(code, "a", sub())
    before = snapshot(engine)
    refusals = [
        (lambda: store.submit(code, "b", sub(), name="x" * 25), "at most 24"),
        (lambda: store.submit(code, "b", sub(), name="y" * 10_240), "at most 24"),
        (lambda: store.submit(code, "b", sub(), name="\u202eevil"), "U+202E"),
        (lambda: store.submit("ZZZZZZ", "b", sub()), "no class board"),
        (lambda: store.submit(code, "a", sub()), "wait 15 s"),         # the same sender, at once
        (lambda: store.hide(code, C.new_key(), 1), "Only the lecturer"),
        (lambda: store.hide(code, "not a key", 1), "Only the lecturer"),
        (lambda: store.clear(code, C.new_key()), "Only the lecturer"),
        (lambda: store.set_closed(code, C.new_key()), "Only the lecturer"),
        (lambda: store.hide(code, key, 10_000), "no run #10000"),
    ]
    for act, says in refusals:
        with pytest.raises(B.BoardError, match=re.escape(says)):
            act()
        assert snapshot(engine) == before, says
    clock.now += B.MIN_INTERVAL - 0.5
    with pytest.raises(B.BoardError, match="wait 1 s"):
        store.submit(code, "a", sub())
    clock.now += 0.5
    store.submit(code, "a", sub())                     # 15 s later: fine


def test_the_lecturer_hides_closes_and_clears(store, clock):
    code, key = store.open_board()
    first = store.submit(code, "a", sub(0.1))
    store.submit(code, "b", sub(1.0))
    store.hide(code, key, first)
    assert [e.lr for e in store.entries(code)] == [1.0]
    assert [e.hidden for e in store.entries(code, include_hidden=True)] == [True, False]
    assert store.board(code).n_runs == 1
    store.set_closed(code, key)
    with pytest.raises(B.BoardError, match="closed"):
        store.submit(code, "c", sub())
    store.set_closed(code, key, False)
    store.submit(code, "c", sub())
    assert store.clear(code, key) == 3
    assert store.entries(code, include_hidden=True) == [] and store.board(code).n_runs == 0
    _, other_key = store.open_board()
    with pytest.raises(B.BoardError, match="Only the lecturer"):
        store.clear(code, other_key)                   # one board's key opens no other


def fill(engine, code, n, created, sender="s", hidden=False):
    """n runs inserted straight into the board's table (numbers after the board's)."""
    with engine.begin() as conn:
        board = conn.execute(sa.select(B.boards).where(B.boards.c.code == code)).one()
        rows = [{"board_id": board.id, "number": board.next_number + i, "name": "",
                 "settings": "{}", "lr": 0.1, "t": 1, "diverged": False,
                 "curve": "[[0], [1.0]]", "created": created, "hidden": hidden,
                 "sender": f"{sender}{i}"} for i in range(n)]
        conn.execute(sa.insert(B.runs), rows)
        conn.execute(sa.update(B.boards).where(B.boards.c.id == board.id).values(
            next_number=board.next_number + n))


def test_a_board_holds_at_most_500_runs_and_hidden_ones_do_not_count(engine, store, clock):
    code, key = store.open_board()
    fill(engine, code, 499, clock.now - 60)
    store.submit(code, "the-500th", sub())
    before = snapshot(engine)
    with pytest.raises(B.BoardError, match="full"):
        store.submit(code, "the-501st", sub())
    assert snapshot(engine) == before and store.board(code).n_runs == 500
    store.hide(code, key, 500)                       # a hidden run frees its place
    store.submit(code, "the-501st", sub())
    assert store.board(code).n_runs == 500
    fill(engine, code, B.MAX_STORED - 501, clock.now - 60, sender="h", hidden=True)
    clock.now += B.MIN_INTERVAL
    store.hide(code, key, 501)
    before = snapshot(engine)                        # hidden or not, MAX_STORED rows at most
    with pytest.raises(B.BoardError, match=f"holds {B.MAX_STORED} runs"):
        store.submit(code, "one-more", sub())
    assert snapshot(engine) == before


def test_run_numbers_count_per_board_and_are_never_reused(store, clock):
    one, key = store.open_board()
    two, _ = store.open_board()
    assert [store.submit(one, f"a{i}", sub()) for i in range(3)] == [1, 2, 3]
    assert store.submit(two, "b", sub()) == 1          # a new board starts at #1
    store.remove_senders(one, key, ["a2"])
    assert store.submit(one, "c", sub()) == 4          # #3 deleted: not given again
    assert [e.id for e in store.entries(one)] == [1, 2, 4]


def test_new_senders_and_runs_come_in_at_a_bounded_rate(engine, store, clock):
    """The board's two buckets: ADMIT_BURST new senders at once, then ADMIT_RATE a second;
    RUN_BURST runs at once, then RUN_RATE a second. A refusal says how long to wait and
    stores nothing; a sender already on the board is not held back by the admission."""
    code, _ = store.open_board()
    for i in range(B.ADMIT_BURST):
        store.submit(code, f"new{i}", sub())
    before = snapshot(engine)
    with pytest.raises(B.BoardError, match=r"1 new student a second\): wait 1 s"):
        store.submit(code, "one-too-many", sub())
    assert snapshot(engine) == before
    clock.now += B.MIN_INTERVAL                      # 15 s: 15 new senders, and the old ones
    for i in range(15):
        store.submit(code, f"later{i}", sub())
    with pytest.raises(B.BoardError, match="new student"):
        store.submit(code, "later15", sub())
    # the run bucket: 90 - 60 = 30, + 15 s x 2 = 60, - 15 = 45 left
    for i in range(45):
        store.submit(code, f"new{i}", sub())
    with pytest.raises(B.BoardError, match=r"2 runs a second\): wait 1 s"):
        store.submit(code, "new45", sub())
    clock.now += 0.5                                 # half a second: one more run
    store.submit(code, "new45", sub())
    assert store.board(code).n_runs == 60 + 15 + 45 + 1


def test_the_lecturer_removes_one_senders_runs(store, clock):
    code, key = store.open_board()
    for _ in range(3):
        store.submit(code, "flood", sub())
        store.submit(code, "ann", sub())
        clock.now += B.MIN_INTERVAL
    with pytest.raises(B.BoardError, match="Only the lecturer"):
        store.remove_senders(code, C.new_key(), ["flood"])
    assert store.remove_senders(code, key, ["flood"]) == 3
    assert {e.sender for e in store.entries(code)} == {"ann"}


def test_boards_expire_after_a_day_without_activity(engine, store, clock):
    quiet, _ = store.open_board()
    busy, _ = store.open_board()
    store.submit(quiet, "a", sub())
    clock.now += B.EXPIRY - 3600
    store.submit(busy, "b", sub())                     # activity: busy lives on
    clock.now += 3601                                  # quiet: 24 h and 1 s without activity
    assert store.version(quiet) is None
    with pytest.raises(B.BoardError, match="expired"):
        store.board(quiet)
    assert store.board(busy).n_runs == 1
    with engine.connect() as conn:                     # quiet's rows are gone
        codes = conn.execute(sa.select(B.boards.c.code)).scalars().all()
        n_runs = conn.execute(sa.select(sa.func.count()).select_from(B.runs)).scalar()
    assert codes == [busy] and n_runs == 1
    with pytest.raises(B.BoardError, match="no class board"):
        store.submit(quiet, "c", sub())
    clock.now += B.EXPIRY + 1                          # opening any board purges the rest
    store.open_board()
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(B.runs)).scalar() == 0
        assert len(conn.execute(sa.select(B.boards.c.code)).all()) == 1


def test_sixty_concurrent_senders_lose_nothing(url, store):
    code, _ = store.open_board()
    errors, ids = [], []
    go = threading.Barrier(60)
    second = sa.create_engine(url)                  # a second replica's pool, the same database
    other = B.Store(second, store.clock)

    def send(i):
        own = other if i % 2 else store
        try:
            go.wait()
            ids.append(own.submit(code, f"session-{i}", sub(10 ** (i / 20 - 2)), name=f"s{i}"))
        except Exception as err:  # noqa: BLE001 (collected and reported)
            errors.append(repr(err))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(60)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)                # a lost lock would hang: generous, then fail
    assert not any(th.is_alive() for th in threads)
    second.dispose()
    assert errors == []
    entries = store.entries(code)
    assert sorted(e.id for e in entries) == sorted(ids) and len(set(ids)) == 60
    assert sorted(e.name for e in entries) == sorted(f"s{i}" for i in range(60))
    assert store.board(code).version == 60
