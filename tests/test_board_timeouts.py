"""Issue 18 (5): every class-board database call has a bound, on a real PostgreSQL server: the
statement timeout, the connect timeout, the pool's checkout timeout, and the page's own wait
(ffnn.app.board.bounded) when the server is frozen (SIGSTOP on its whole process group, what a
network drop looks like). A send that got no answer is not lost, nor stored twice, once the
server wakes. Waits are generous; the seconds measured are printed, not asserted."""

import contextlib
import socket
import threading
import time

import pytest
import sqlalchemy as sa
from test_board_store import sub

from ffnn.app import board as G
from ffnn.app import board_store as B

import pgserver

pytestmark = pytest.mark.skipif(pgserver.bindir() is None, reason=pgserver.SKIP_REASON)
GENEROUS = 30.0


def app_engine(url, **more):
    """An engine made as the app makes it (ffnn.app.board.engine_options)."""
    return sa.create_engine(url, **{**G.engine_options(url), **more})


def finishes(fn, timeout=GENEROUS):
    """fn() in a thread -> (its result or exception, seconds); fails if it hangs."""
    out = {}

    def go():
        start = time.monotonic()
        try:
            out["value"] = fn()
        except Exception as err:  # noqa: BLE001 (returned to the test)
            out["value"] = err
        out["seconds"] = time.monotonic() - start

    th = threading.Thread(target=go, daemon=True)
    th.start()
    th.join(timeout)
    assert not th.is_alive(), f"still waiting after {timeout:g} s"
    return out["value"], out["seconds"]


@contextlib.contextmanager
def frozen(server):
    """The whole server (postmaster and every backend) stopped, then woken."""
    server.freeze()
    try:
        yield
    finally:
        server.thaw()


@pytest.fixture(scope="module")
def server():
    with pgserver.PostgresServer(max_connections=50) as srv:
        yield srv


def test_a_long_statement_is_cancelled(server):
    engine = app_engine(server.url)
    try:
        with engine.connect() as conn:
            err, seconds = finishes(lambda: conn.execute(sa.text("SELECT pg_sleep(20)")))
    finally:
        engine.dispose()
    print(f"\npg_sleep(20) cancelled after {seconds:.2f} s")
    assert isinstance(err, sa.exc.OperationalError) and "statement timeout" in str(err)


def test_a_server_that_never_answers_the_connection(server):
    with socket.socket() as silent:              # accepts TCP (the backlog), then says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/postgres"
        engine = app_engine(url)
        try:
            err, seconds = finishes(lambda: engine.connect().close())
        finally:
            engine.dispose()
    print(f"\nconnect gave up after {seconds:.2f} s")
    assert isinstance(err, sa.exc.OperationalError) and "timeout" in str(err).lower()


def test_the_pools_checkout_gives_up(server):
    engine = app_engine(server.url, pool_size=1, max_overflow=0)
    try:
        with engine.connect():                   # the pool's only connection, held
            err, seconds = finishes(lambda: engine.connect().close(), timeout=20)
    finally:
        engine.dispose()
    print(f"\npool checkout gave up after {seconds:.2f} s")
    assert isinstance(err, sa.exc.TimeoutError)


def test_a_frozen_server_gives_a_clear_answer_and_the_send_is_kept_once(server):
    engine = app_engine(server.create_database("frozen_store"))
    try:
        db = G.Bounded(B.Store(engine))
        code, _ = db.open_board()
        db.submit(code, "early", sub(0.1))
        with frozen(server):
            err, seconds = finishes(lambda: db.send(code, "me", sub(0.3)))
            print(f"\nfrozen: a send answered after {seconds:.2f} s: {err}")
            assert isinstance(err, G.NoAnswer) and err.started
            read, seconds = finishes(lambda: db.entries(code))
            print(f"frozen: a read answered after {seconds:.2f} s: {read!r}")
            # no answer in time, or a new connection's own timeout: both said on the page
            assert isinstance(read, G.NoAnswer | sa.exc.OperationalError)
        # awake: the send that got no answer either stored the run, or sending again does;
        # either way the run is there once
        deadline = time.monotonic() + GENEROUS
        while True:
            try:
                number, new = db.send(code, "me", sub(0.3), again=True)
                break
            except (G.NoAnswer, sa.exc.OperationalError):
                assert time.monotonic() < deadline
                time.sleep(0.5)
        print(f"after SIGCONT: #{number}, {'stored now' if new else 'stored by the first send'}")
        mine = [e for e in db.entries(code) if e.sender == "me"]
        assert [e.id for e in mine] == [number] and mine[0].lr == 0.3
    finally:
        engine.dispose()


def test_the_live_boards_look_waits_less_than_a_page_call():
    """The projector's look at the version gives up after WATCH_TIMEOUT s, a page's call after
    CALL_TIMEOUT s: a call that answers between the two is a NoAnswer to the first (raised
    while it still waits), an answer to the second. (What the projector then shows, and after
    how long: tests/test_board_frozen.py prints it.)"""
    answer = threading.Event()

    class Slow:
        def version(self, code):
            answer.wait(GENEROUS)
            return 7

    waits = (G.WATCH_TIMEOUT + G.CALL_TIMEOUT) / 2
    assert G.WATCH_EVERY + G.WATCH_TIMEOUT < 5       # the projector promises 5 s
    timer = threading.Timer(waits, answer.set)
    timer.start()
    try:
        err, _ = finishes(lambda: G.Bounded(Slow()).within(G.WATCH_TIMEOUT).version("X"))
        assert isinstance(err, G.NoAnswer) and not answer.is_set()
        assert finishes(lambda: G.Bounded(Slow()).version("X"))[0] == 7 and answer.is_set()
    finally:
        timer.cancel()
