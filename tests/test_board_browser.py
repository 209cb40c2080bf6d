"""The class board in the system Chromium: a lecturer opens a board and projects it (1280x720,
presentation mode); three students, each in their own tab, train with their own η and send; the
projected board shows all three runs at the right η by itself, and fits the screen. Screenshots
land in /tmp/ffnn-shots/board_*.png."""

import csv
import os
import re
import time

import pytest

from ffnn.app import board as G

import browser as B

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON),
]

SHOTS, PROJECTOR, LAPTOP = B.SHOTS, B.PROJECTOR, B.LAPTOP
# The third blows up (its loss ends 1e166 times L(θ₀)) and trains with squared error.
STUDENTS = ((0.03, "Ann", ""), (0.3, "<b>Bo</b> **x**", ""),
            (300.0, "Cy \u05e9\u05dc\u05d5\u05dd",
             "&activation=relu&output=linear&loss=squared_error"))

METRIC_JS = """(label) => {
  for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
    const l = m.querySelector('[data-testid="stMetricLabel"]');
    if (l && l.innerText.trim() === label)
      return m.querySelector('[data-testid="stMetricValue"]').innerText.trim();
  }
  return null;
}"""
# Every marker of the first chart (final loss against η): [[x, text], ...]
POINTS_JS = """() => {
  const g = document.querySelector('.js-plotly-plot');
  if (!g || !g.data) return null;
  return g.data.filter(t => t.name !== 'selected' && t.mode === 'markers')
    .flatMap(t => Array.from(t.x).map((x, i) => [x, t.text[i]]));
}"""
FITS_JS = """() => {
  const out = [];
  for (const e of document.querySelectorAll('.js-plotly-plot, [data-testid="stMetric"], h4')) {
    const r = e.getBoundingClientRect();
    if (r.bottom > innerHeight + 1 || r.right > innerWidth + 1)
      out.push(e.innerText || e.className);
  }
  if (document.documentElement.scrollWidth > innerWidth) out.push('horizontal scroll');
  return out;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('board')}/board.sqlite3"
    old = os.environ.get(G.ENV)
    os.environ[G.ENV] = url                 # the server process inherits it
    try:
        with B.Server() as srv:
            yield srv
    finally:
        if old is None:
            os.environ.pop(G.ENV, None)
        else:
            os.environ[G.ENV] = old


def tab(chromium, viewport, url):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(B.TIMEOUT_MS)
    page.goto(url, wait_until="domcontentloaded")
    return context, page


def metric(page, label):
    return page.evaluate(METRIC_JS, label)


def wait_metric(page, label, value, timeout=B.TIMEOUT_MS):
    page.wait_for_function(f"(v) => ({METRIC_JS})({label!r}) === v", arg=value,
                           timeout=timeout)


def test_three_students_on_a_projected_board(server, chromium):
    SHOTS.mkdir(parents=True, exist_ok=True)
    contexts = []
    try:
        # the lecturer opens a board on their laptop
        ctx, lecturer = tab(chromium, LAPTOP, f"{server.url}/Class_board")
        contexts.append(ctx)
        B.click(lecturer, "Open a new class board")
        lecturer.wait_for_function(f"() => ({METRIC_JS})('Class code') !== null")
        code = metric(lecturer, "Class code")
        link = lecturer.wait_for_function("""() => [...document.querySelectorAll(
            '[data-testid="stCode"]')].map(e => e.innerText.trim()).find(
            t => t.includes('present=1'))""").json_value()
        assert link == f"{server.url}/Class_board?class={code}&present=1"      # no key in it
        B.settle(lecturer)
        lecturer.screenshot(path=str(SHOTS / "board_lecturer_opened.png"))
        # ... and projects it: the projector link, in another window of the same browser
        projector = ctx.new_page()
        projector.set_viewport_size(PROJECTOR)
        projector.set_default_timeout(B.TIMEOUT_MS)
        projector.goto(link, wait_until="domcontentloaded")
        wait_metric(projector, "Runs", "0")
        projector.get_by_text("Lecturer tools").wait_for()    # folded: the cookie brought them
        # three students, each in a tab of their own, with their own η
        pages = []
        for lr, name, more in STUDENTS:
            ctx, page = tab(chromium, LAPTOP, f"{server.url}/Class_board?class={code}&lr={lr:g}"
                                              f"&t=30{more}")
            contexts.append(ctx)
            B.button(page, "Send my run to the class").wait_for()
            box = page.locator('input[aria-label="Your name on the board (optional)"]')
            box.fill(name)
            box.press("Enter")
            B.settle(page)
            pages.append(page)
        sent = []
        for page in pages:
            B.click(page, "Send my run to the class")
            sent.append(time.monotonic())
            page.get_by_text("Sent: your run is").wait_for()
        wait_metric(projector, "Runs", "3", timeout=10_000)
        seen = time.monotonic() - sent[-1]
        B.wait_charts(projector)
        B.settle(projector)
        projector.screenshot(path=str(SHOTS / "board_projector.png"))
        pages[1].screenshot(path=str(SHOTS / "board_student.png"), full_page=True)
        points = projector.evaluate(POINTS_JS)
        assert sorted(round(x, 6) for x, _ in points) == [0.03, 0.3, 300.0]
        texts = {round(x, 6): text for x, text in points}
        assert "&lt;b&gt;Bo&lt;/b&gt;" in texts[0.3]            # hover text: escaped, as typed
        assert seen < 3, seen                                    # by itself, within ~1 s
        assert projector.evaluate(FITS_JS) == []
        assert projector.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
        assert B.problems(projector) == [] and all(B.problems(p) == [] for p in pages)
        # a name is never rendered as HTML or Markdown anywhere on the page
        assert projector.locator("[data-testid='stMain'] b", has_text="Bo").count() == 0
        assert projector.locator("[data-testid='stMain'] strong", has_text="x").count() == 0
        # the lecturer's own tab: pick Bo's run (names in the list are plain text too)
        wait_metric(lecturer, "Runs", "3")
        B.settle(lecturer)
        option = lecturer.get_by_role("option", name="#2 · <b>Bo</b> **x** · η 0.3")
        for _ in range(3):                   # a rerun arriving meanwhile closes the list
            B.settle(lecturer)
            lecturer.locator('input[role="combobox"][aria-label="Selected run"]').click()
            try:
                option.wait_for(timeout=5000)
                break
            except Exception:  # noqa: BLE001 (tried again)
                lecturer.keyboard.press("Escape")
        lecturer.screenshot(path=str(SHOTS / "board_lecturer_choosing.png"))
        option.click()
        B.button(lecturer, "Hide run #2").wait_for()
        B.wait_charts(lecturer)
        B.settle(lecturer)
        lecturer.screenshot(path=str(SHOTS / "board_lecturer.png"))
        B.button(lecturer, "CSV").scroll_into_view_if_needed()
        lecturer.screenshot(path=str(SHOTS / "board_lecturer_tools.png"))
        B.click(lecturer, "CSV")
        B.click(lecturer, "Make the CSV")
        made = lecturer.get_by_role("button", name=re.compile(r"Download CSV \(3 runs"))
        with lecturer.expect_download() as download:
            made.click()
        with open(download.value.path(), encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [(r["name"], float(r["lr"])) for r in rows] == [(n, lr) for lr, n, _ in STUDENTS]
        widths = lecturer.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .map(g => g.data.filter(t => t.name === 'selected' || (t.line || {}).width === 3)
            .length)""")
        assert widths == [1, 1]                    # ringed on the left, drawn thick on the right
    finally:
        for ctx in contexts:
            ctx.close()


def new_board():
    """A board opened straight in the server's store -> (code, key)."""
    import sqlalchemy as sa

    from ffnn.app.board_store import Store
    engine = sa.create_engine(os.environ[G.ENV])
    try:
        return Store(engine).open_board()
    finally:
        engine.dispose()


@pytest.mark.parametrize("how", ["eta", "optimizer"])
def test_a_setting_chosen_at_t0_is_the_runs_own(server, chromium, how):
    """Issue 18 (1): join by the link, go to Gradient descent, choose η in the control row (or
    the optimizer in the sidebar) at t = 0, Step ×10, come back and send: it is accepted."""
    code, _ = new_board()
    ctx, page = tab(chromium, LAPTOP, f"{server.url}/Class_board?class={code}")
    try:
        B.button(page, "Send my run to the class").wait_for()
        B.goto_page(page, "Gradient descent")
        if how == "eta":
            B.type_option(page, "Learning rate η", "0.3")
            page.wait_for_function("() => new URL(location.href).searchParams.get('lr') === "
                                   "'0.3'")
        else:
            B.select_option(page, "Optimizer", "Adam")
        B.settle(page)
        B.press(page, "step10")
        B.wait_counter_above(page, 9)
        B.settle(page)
        B.goto_page(page, "Class board")
        B.click(page, "Send my run to the class")
        page.get_by_text("Sent: your run is").wait_for()
        assert page.get_by_text("settings changed while it trained").count() == 0
    finally:
        ctx.close()


def test_a_reload_is_the_same_sender(server, chromium):
    """Issue 18 (2): send, press F5, send again: the browser's cookie keeps the sender, so the
    second run waits its 15 s; another browser is another sender."""
    code, _ = new_board()
    ctx, page = tab(chromium, LAPTOP, f"{server.url}/Class_board?class={code}&lr=0.3&t=5")
    other = chromium.new_context(viewport=LAPTOP)
    try:
        B.click(page, "Send my run to the class")
        page.get_by_text("Sent: your run is #1").wait_for()
        page.reload(wait_until="domcontentloaded")
        B.button(page, "Send my run to the class").wait_for()
        B.settle(page)
        B.click(page, "Send my run to the class")
        page.get_by_text("One run every 15 seconds per student").wait_for()
        assert [c["name"] for c in ctx.cookies()].count(G.SENDER_COOKIE) == 1
        second = other.new_page()
        second.goto(f"{server.url}/Class_board?class={code}&lr=0.3&t=5")
        B.click(second, "Send my run to the class")
        second.get_by_text("Sent: your run is #2").wait_for()
    finally:
        ctx.close()
        other.close()


def test_the_lecturer_keeps_the_tools_over_a_reload_and_no_key_is_in_the_address(server,
                                                                                  chromium):
    """Issue 18 (3, 9): the lecturer presses F5: the tools are still there (the browser's
    cookie); the key was never in the address bar."""
    ctx, page = tab(chromium, LAPTOP, f"{server.url}/Class_board")
    seen = []
    page.on("framenavigated", lambda frame: seen.append(frame.url))
    try:
        B.click(page, "Open a new class board")
        page.get_by_text("Lecturer tools", exact=True).wait_for()
        B.settle(page)
        key = page.evaluate("() => document.cookie")
        assert "ffnn_key_" in key
        key = key.split("ffnn_key_", 1)[1].split(";")[0].split("=", 1)[1]
        page.reload(wait_until="domcontentloaded")
        page.get_by_text("Lecturer tools", exact=True).wait_for()
        B.button(page, "Close to new runs").wait_for()
        assert not [u for u in seen + [page.url] if key in u]
    finally:
        ctx.close()
