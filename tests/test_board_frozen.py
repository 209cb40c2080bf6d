"""Issue 18 (5, 6): the class board in the system Chromium while its PostgreSQL server is frozen
(SIGSTOP on the postmaster and every backend, what a network drop looks like), then woken. The
student's send says within seconds that it got no answer and to send again; the projector keeps
the runs it shows and says the board cannot be read (since the time of its last read), then
that it is back; the projector, in the lecturer's browser (the key from its cookie), keeps the
lecturer's tools throughout; sending again after the wake-up stores the run once. The seconds
measured are printed (a generous wait is the only limit). Screenshots:
/tmp/ffnn-shots/board_frozen_*.png."""

import os
import time

import pytest
import sqlalchemy as sa
from test_board_browser import METRIC_JS, POINTS_JS, tab, wait_metric
from test_board_store import sub

from ffnn.app import board as G
from ffnn.app import board_store as S

import browser as B
import pgserver

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON),
    pytest.mark.skipif(pgserver.bindir() is None, reason=pgserver.SKIP_REASON),
]
GENEROUS = 30_000               # ms
SEND = "Send my run to the class"
UNKNOWN = "not known yet whether your run was stored"
CANNOT_READ = "The board cannot be read right now"


def between(clock, start, end):
    """Whether the local time of day `clock` (HH:MM:SS) falls within [start, end] (Unix times,
    a second either side; across midnight too)."""
    h, m, sec = map(int, clock.split(":"))
    day = time.localtime(start)
    at = time.mktime((day.tm_year, day.tm_mon, day.tm_mday, h, m, sec, 0, 0, -1))
    return any(start - 1 <= at + d <= end + 1 for d in (0, 86400))


@pytest.fixture(scope="module")
def cluster():
    with pgserver.PostgresServer(max_connections=50) as pg:
        url = pg.create_database("frozen_board")
        old = os.environ.get(G.ENV)
        os.environ[G.ENV] = url
        try:
            with B.Server() as srv:
                yield pg, srv, url
        finally:
            if old is None:
                os.environ.pop(G.ENV, None)
            else:
                os.environ[G.ENV] = old


def test_a_frozen_database_is_said_to_the_student_and_the_projector(cluster, chromium):
    pg, server, url = cluster
    engine = sa.create_engine(url)
    store = S.Store(engine)
    code, key = store.open_board()
    store.submit(code, "early", sub(0.1))
    contexts = []
    try:
        # The projector is the lecturer's browser: its key comes from the cookie
        ctx = chromium.new_context(viewport=B.PROJECTOR)
        ctx.add_cookies([{"name": G.KEY_COOKIE.format(code=code), "value": key,
                          "url": server.url}])
        contexts.append(ctx)
        projector = ctx.new_page()
        projector.set_default_timeout(B.TIMEOUT_MS)
        opened = time.time()
        projector.goto(f"{server.url}/Class_board?class={code}&present=1")
        wait_metric(projector, "Runs", "1")
        tools = projector.get_by_text("Lecturer tools", exact=True)
        tools.wait_for()
        ctx, student = tab(chromium, B.LAPTOP, f"{server.url}/Class_board?class={code}&lr=0.3"
                                               "&t=5")
        contexts.append(ctx)
        B.button(student, SEND).wait_for()
        B.settle(student)
        pg.freeze()
        frozen_at, frozen_wall = time.monotonic(), time.time()
        try:
            B.click(student, SEND)
            clicked = time.monotonic()
            seen = {}                          # what -> seconds after the freeze
            while len(seen) < 2:
                assert time.monotonic() - frozen_at < GENEROUS / 1000, seen
                for what, page, says in (("student", student, UNKNOWN),
                                         ("projector", projector, CANNOT_READ)):
                    if what not in seen and page.get_by_text(says).count():
                        seen[what] = time.monotonic() - (clicked if what == "student"
                                                         else frozen_at)
                time.sleep(0.1)
            print(f"\nfrozen: the student's send answered {seen['student']:.1f} s after the "
                  f"click, the projector said so {seen['projector']:.1f} s after the freeze")
            text = projector.get_by_text("The board cannot be read right now").inner_text()
            # the time of the projector's last read: after it opened, before the freeze
            shown_from = text.split("the runs shown are from ", 1)[1][:8]
            assert between(shown_from, opened, frozen_wall), (text, opened, frozen_wall)
            assert projector.get_by_text("The board can be read again").count() == 0
            assert tools.count() == 1                   # the lecturer keeps the tools
            assert [round(x, 6) for x, _ in projector.evaluate(POINTS_JS)] == [0.1]
            assert projector.evaluate(f"() => ({METRIC_JS})('Runs')") == "1"
            projector.screenshot(path=str(B.SHOTS / "board_frozen_projector.png"))
            student.screenshot(path=str(B.SHOTS / "board_frozen_student.png"))
            assert B.connection_error(student) is None and B.connection_error(projector) is None
        finally:
            pg.thaw()
        woke = time.monotonic()
        projector.get_by_text("The board can be read again").wait_for(timeout=GENEROUS)
        print(f"woken: the projector said so after {time.monotonic() - woke:.1f} s")
        assert projector.get_by_text(CANNOT_READ).count() == 0      # one, then the other
        assert tools.count() == 1
        B.settle(student)
        B.click(student, SEND)
        student.locator("[data-testid='stAlert']", has_text="#2").wait_for(timeout=GENEROUS)
        said = student.locator("[data-testid='stAlert']", has_text="#2").inner_text()
        print(f"sent again: {said!r}")
        assert "on the board" in said and "#2" in said
        wait_metric(projector, "Runs", "2", timeout=GENEROUS)
        assert sorted(round(x, 6) for x, _ in projector.evaluate(POINTS_JS)) == [0.1, 0.3]
        entries = store.entries(code)
        assert [e.lr for e in entries] == [0.1, 0.3]      # stored once, none lost
        projector.screenshot(path=str(B.SHOTS / "board_frozen_back.png"))
    finally:
        for ctx in contexts:
            ctx.close()
        engine.dispose()
