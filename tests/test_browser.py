"""The real app in the system Chromium: the page links (every page at once, named for what it
shows, each reachable and drawing without an error), the first click counts, Play trains and
redraws, Pause stops, the learning rate and the trained state survive page switches, and at
1280 px nothing is cut off on any page. Whole-page screenshots of every page and view land in
/tmp/ffnn-shots/ (tour_*.png); tests/test_browser_layout.py measures the three viewports."""

import os
import re
from pathlib import Path

import pytest

import browser as B

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON),
]

SHOTS = B.SHOTS
VIEWPORT = B.LAPTOP
TALL = {"width": 1280, "height": 2400}   # the page tour: whole pages in the screenshots
SURFACE = "Error surface of one neuron"
HOME = "Gradient descent"                # the home page's link
MAX_LINKS = 10


def _open(chromium, url, viewport, query=""):
    """A fresh tab (a fresh Streamlit session) showing the home page at t = 0."""
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(B.TIMEOUT_MS)
    B.open_app(page, url, query)
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
    """One session, 6 hidden layers (seven ‖∇W_l‖ in the gradients' legend): type the learning
    rate 0.05, train 10 steps, then visit every page through its sidebar link (home last,
    reached by its link too), and each view of a page of several. -> {"links": [(name, href)],
    "more": "View more" buttons, "typed_lr": shown value, "pages": {name: what the page showed,
    or "error": why it could not be read}}."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("tour_*.png"):
        old.unlink()
    context, page = _open(chromium, server.url, TALL, "?n_hidden=6")
    try:
        out = {"links": B.nav_links(page), "pages": {},
               "more": page.locator('[data-testid="stSidebarNavViewButton"]').count()}
        typed = page.get_by_placeholder("any positive number, e.g. 0.05")
        typed.fill("0.05")
        typed.press("Enter")
        B.wait_slider(page, "Learning rate", "0.05")
        out["typed_lr"] = B.slider_value(page, "Learning rate")
        B.press(page, "step10")
        B.wait_counter(page, "10 / 1000")
        names = [name for name, _ in out["links"] if name != HOME] + [HOME]
        for name in names:
            try:
                B.goto_page(page, name)
                views = [v.inner_text().strip() for v in page.locator(B.VIEW_PILLS).all()]
                seen = {"path": page.evaluate("location.pathname"),
                        # Error surface leaves the main run's settings out of its sidebar
                        "lr": None if name == SURFACE else B.slider_value(page, "Learning rate"),
                        "shared_run": B.has_training_controls(page),
                        "counter": B.counter_text(page), "problems": [], "charts": [],
                        "cut_off": []}
                for view in views or [None]:
                    if view is not None:
                        B.pick_view(page, view)
                    label = name + (f" / {view}" if view else "")
                    shot = "tour_" + re.sub(r"\W+", "_", label.lower()).strip("_") + ".png"
                    page.screenshot(path=str(SHOTS / shot))
                    seen["problems"] += B.problems(page)
                    seen["charts"] += B.wait_charts(page)
                    seen["cut_off"] += [f"{label}: {x}" for x in B.clipped(page)
                                        + B.legends_outside(page) + B.katex_overflow(page)]
                out["pages"][name] = seen
            except Exception as err:  # noqa: BLE001 (recorded, and the tour goes on)
                out["pages"][name] = {"error": f"{type(err).__name__}: {err}"[:600]}
        yield out
    finally:
        context.close()


def test_every_page_is_one_link_named_for_what_it_shows(tour):
    """No "View more", at most 10 links, no entry named after a file (the home page was
    "dashboard"), and every page of the app has its link."""
    from ffnn.app import nav

    names = [name for name, _ in tour["links"]]
    assert tour["more"] == 0, "a 'View more' button folds pages away"
    assert 0 < len(names) <= MAX_LINKS, names
    assert len(set(names)) == len(names), names
    assert names[0] == HOME, names
    # Streamlit's own names: the entry file's stem, file names with their underscores
    entry = Path(nav.HOME).stem.lower()
    named_after_files = [n for n in names if n.lower() == entry or "_" in n or ".py" in n]
    assert named_after_files == [], named_after_files
    assert [label for _, label in nav.pages()] == names
    on_disk = {f"pages/{p.name}" for p in (B.ROOT / "pages").glob("*.py")}
    assert on_disk == {f for f, _ in nav.pages()} - {nav.HOME}, "a page without a link"


def test_first_click_after_loading_counts(page):
    B.press(page, "step")
    B.wait_counter(page, "1 / 1000", timeout=5_000)
    B.settle(page)
    assert B.counter_text(page) == "1 / 1000"


def test_play_trains_and_redraws_and_pause_stops(page):
    # at the default 50 iterations per second, 1000 (where Play stops by itself) is 20 s away
    before = B.wait_heatmap(page)
    B.press(page, "play")
    B.wait_play_label(page, "Pause")
    B.wait_counter_above(page, 0, timeout=5_000)
    t1 = B.counter(page)
    page.wait_for_timeout(2_000)              # let it play for a while
    t2 = B.counter(page)
    assert t2 > t1 + 1, f"the counter stood still while playing: {t1} -> {t2}"
    page.wait_for_function("(z) => window.__ffnn.zprint() !== z", arg=before, timeout=5_000)

    B.press(page, "play")
    B.wait_play_label(page, "Play", timeout=5_000)
    stopped = B.wait_counter_stable(page, quiet_ms=500)
    page.wait_for_timeout(1_000)
    assert B.counter(page) == stopped, "the counter went on after Pause"
    assert 0 < stopped < 1000


def test_every_page_is_reached_by_its_link_and_keeps_the_settings(tour):
    """Each link leads to its own page; the sidebar's learning rate on every page; the counter
    on every page that shows the tab's training run (pages that train a run of their own, such
    as a comparison, are not held to it)."""
    pages = tour["pages"]
    assert tour["typed_lr"] == "0.05"
    not_read = {name: p["error"] for name, p in pages.items() if "error" in p}
    assert not not_read, not_read
    assert set(pages) == {name for name, _ in tour["links"]}
    assert len({p["path"] for p in pages.values()}) == len(pages), "two links, one page"
    assert {name: p["lr"] for name, p in pages.items()
            if p["lr"] != "0.05" and name != SURFACE} == {}
    assert pages[HOME]["lr"] == "0.05"          # kept after Error surface, which leaves it out
    assert all(pages[name]["shared_run"] for name in (HOME, "Training curves", "θ and ∇θ"))
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


def test_nothing_cut_off_on_any_page_at_1280(tour):
    """Every page and view at 1280 px with the sidebar open: no metric value or button label
    cut off, every Plotly legend inside its chart, every LaTeX row within its width."""
    pages = tour["pages"]
    assert {name: p["cut_off"] for name, p in pages.items() if p.get("cut_off")} == {}
