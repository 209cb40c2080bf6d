"""The real app in the system Chromium: the first click counts, Play trains and redraws, Pause
stops, the learning rate and the trained state survive page switches, and no page shows an
exception or an error. Screenshots of every page land in /tmp/ffnn-shots/."""

import os
import re
from pathlib import Path

import pytest

import browser as B

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON),
]

SHOTS = Path("/tmp/ffnn-shots")
VIEWPORT = {"width": 1280, "height": 800}
TALL = {"width": 1280, "height": 2400}   # the page tour: whole pages in the screenshots
HOME = "dashboard"                       # the home page's name in the sidebar navigation


@pytest.fixture(scope="module")
def server():
    with B.Server() as srv:
        yield srv


@pytest.fixture(scope="module")
def chromium():
    pytest.importorskip("playwright.sync_api")
    with B.chromium() as browser:
        yield browser


def _open(chromium, url, viewport):
    """A fresh tab (a fresh Streamlit session) showing the home page at t = 0."""
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(B.TIMEOUT_MS)
    B.open_app(page, url)
    B.wait_counter(page, "0 / 1000")
    return context, page


@pytest.fixture
def page(server, chromium):
    context, page = _open(chromium, server.url, VIEWPORT)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def tour(server, chromium):
    """One session: type the learning rate 0.05, train 10 steps, then visit every page through
    the sidebar links (home last, reached by its link too). -> {"typed_lr": shown value,
    "pages": {name: what the page showed, or "error": why it could not be read}}."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    context, page = _open(chromium, server.url, TALL)
    try:
        typed = page.get_by_placeholder("any positive number, e.g. 0.05")
        typed.fill("0.05")
        typed.press("Enter")
        B.wait_slider(page, "Learning rate", "0.05")
        out = {"typed_lr": B.slider_value(page, "Learning rate"), "pages": {}}
        B.click(page, "Step ×10")
        B.wait_counter(page, "10 / 1000")
        names = [name for name, _ in B.nav_links(page) if name != HOME] + [HOME]
        for name in names:
            try:
                B.goto_page(page, name)
                page.screenshot(path=str(SHOTS / (re.sub(r"\W+", "_", name.lower()) + ".png")))
                out["pages"][name] = {
                    "lr": B.slider_value(page, "Learning rate"),
                    "shared_run": B.has_training_controls(page),
                    "counter": B.counter_text(page),
                    "problems": B.problems(page),
                    "charts": B.wait_charts(page),
                }
            except Exception as err:  # noqa: BLE001 (recorded, and the tour goes on)
                out["pages"][name] = {"error": f"{type(err).__name__}: {err}"[:600]}
        yield out
    finally:
        context.close()


def test_first_click_after_loading_counts(page):
    B.click(page, "Step")
    B.wait_counter(page, "1 / 1000", timeout=5_000)
    B.settle(page)
    assert B.counter_text(page) == "1 / 1000"


def test_play_trains_and_redraws_and_pause_stops(page):
    # One update per frame, so that 1000 (where Play stops by itself) stays far away.
    B.set_slider(page, "Speed (iterations per frame)", "1", where="main")
    B.settle(page)
    before = B.wait_heatmap(page)
    B.click(page, "Play")
    B.button(page, "Pause").wait_for()
    B.wait_counter_above(page, 0, timeout=5_000)
    t1 = B.counter(page)
    page.wait_for_timeout(2_000)              # let it play for a while
    t2 = B.counter(page)
    assert t2 > t1 + 1, f"the counter stood still while playing: {t1} -> {t2}"
    page.wait_for_function("(z) => window.__ffnn.zprint() !== z", arg=before, timeout=5_000)

    B.click(page, "Pause")
    B.button(page, "Play").wait_for(timeout=5_000)
    stopped = B.wait_counter_stable(page, quiet_ms=500)
    page.wait_for_timeout(1_000)
    assert B.counter(page) == stopped, "the counter went on after Pause"
    assert 0 < stopped < 1000


def test_learning_rate_and_trained_state_survive_page_switches(tour):
    """The sidebar's learning rate on every page; the counter on every page that shows the
    tab's training run (pages that train a run of their own, such as a comparison, are not
    held to it)."""
    pages = tour["pages"]
    assert tour["typed_lr"] == "0.05"
    assert {HOME, "Loss curves", "Gradients", "Parameters"} <= set(pages), list(pages)
    not_read = {name: p["error"] for name, p in pages.items() if "error" in p}
    assert not not_read, not_read
    assert {name: p["lr"] for name, p in pages.items() if p["lr"] != "0.05"} == {}
    assert all(pages[name]["shared_run"] for name in (HOME, "Loss curves", "Gradients",
                                                        "Parameters"))
    assert {name: p["counter"] for name, p in pages.items()
            if p["shared_run"] and p["counter"] != "10 / 1000"} == {}


def test_every_page_draws_without_errors(tour):
    """No exception, no error box; after 10 updates every chart of a page showing the tab's
    run has data (an empty one is a chart that failed to get any)."""
    pages = tour["pages"]
    assert {name: p["error"] for name, p in pages.items() if "error" in p} == {}
    assert {name: p["problems"] for name, p in pages.items() if p["problems"]} == {}
    assert {name: p["charts"] for name, p in pages.items()
            if p["shared_run"] and not all(p["charts"])} == {}


PROJECTOR = {"width": 1280, "height": 720}
CUT_OFF = """() => [...document.querySelectorAll('button, [data-testid="stMetricValue"], h4')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.innerText.trim()).filter(t => t)"""


def test_presentation_mode_fits_a_1280x720_projector(server, chromium):
    # ?present=1: 20 px type, and on every page with the shared run the main chart fits the
    # screen without scrolling and no button, number or title is cut off.
    context = chromium.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(B.TIMEOUT_MS)
    try:
        B.open_app(page, server.url, "?present=1")
        B.click(page, "Step ×100")
        B.wait_counter(page, "100 / 1000")
        SHOTS.mkdir(parents=True, exist_ok=True)
        for path in ("", "Loss_curves", "Gradients", "Parameters"):
            if path:
                B.open_app(page, server.url, f"{path}?present=1")
            B.wait_charts(page)
            B.settle(page)
            page.screenshot(path=str(SHOTS / f"present_{path or 'home'}.png"))
            assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
            first = page.locator(".js-plotly-plot").first.bounding_box()
            assert first["y"] + first["height"] <= PROJECTOR["height"], path
            assert page.evaluate(CUT_OFF) == [], path
            assert B.problems(page) == [], path
    finally:
        context.close()
