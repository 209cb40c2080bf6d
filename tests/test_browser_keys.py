"""A lecturer's clicker in Chromium, at 1280x720 in presentation mode (sidebar closed): every key
of the player on the home page and on Compare losses, nothing while typing in the learning-rate
field, the whole run-through with PageDown alone (each stage's claim checked on the page's own
figures, tests/lesson_claims; a screenshot of each in /tmp/ffnn-shots/stage_*.png), PageUp
back, and a URL that opens a stage.

The keys are pressed as a presentation clicker sends them: Playwright's keyboard gives the page
the same KeyboardEvent (key and code "PageDown", "PageUp") a clicker's USB keyboard does."""

import os
import time

import pytest

from ffnn.app.lessons import LECTURE, LESSONS

import browser as B
import lesson_claims as C

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON),
]

PROJECTOR, SHOTS = B.PROJECTOR, B.SHOTS

# The page's figures (Plotly's own data, typed arrays made plain) and LaTeX sources.
SHOWN_JS = """() => {
  const plain = (v) => ArrayBuffer.isView(v) ? Array.from(v)
    : Array.isArray(v) ? v.map(plain)
    : (v && typeof v === 'object') ? Object.fromEntries(
        Object.entries(v).filter(([k]) => !k.startsWith('_')).map(([k, x]) => [k, plain(x)]))
    : v;
  const figures = [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
    .map(el => ({data: plain(el.data || []),
                 layout: {annotations: plain((el.layout || {}).annotations || [])}}));
  const latex = [...document.querySelectorAll('.katex annotation')].map(a => a.textContent);
  // the loss curves the live stage draws up to the t it shows, by their legend names
  const curves = {};
  for (const st of Object.values(globalThis.__ffnnStages || {})) {
    if (!st.views.size || !st.info) continue;
    (st.curves || []).forEach((c, k) => {
      const shown = c.filter(p => p[0] <= st.shownT);
      const name = st.info.titles ? `${st.info.titles[k]} · ` : '';
      curves[name ? name + 'train' : 'train loss'] = shown.map(p => p[1]);
      curves[name ? name + 'test' : 'test loss'] = shown.map(p => p[2]);
    });
  }
  return {figures, latex, curves};
}"""


@pytest.fixture
def tab(server, chromium):
    context = chromium.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(B.TIMEOUT_MS)
    page.errors = B.watch_console(page)
    try:
        yield page
    finally:
        context.close()


def key(page, name, then=None, timeout=B.TIMEOUT_MS):
    """Press `name` on the page (not in a field), and wait for the counter to read `then`."""
    page.keyboard.press(name)
    if then is not None:
        B.wait_counter(page, then, timeout=timeout)


def open_at(page, url, query, path=""):
    B.open_app(page, url, f"{path}?{query}")
    B.wait_ready(page)
    page.mouse.click(5, 400)          # focus on the page, as a clicker's first key finds it


@pytest.mark.parametrize("path", ["", "Compare_losses"])
def test_each_key_does_what_it_says(server, tab, path):
    page = tab
    open_at(page, server.url, "present=1", path)
    assert not page.locator('[data-testid="stSidebar"][aria-expanded="true"]').count()
    B.wait_counter(page, "0 / 1000")
    key(page, "ArrowRight", "1 / 1000")
    key(page, "PageDown", "2 / 1000")
    key(page, "Shift+ArrowRight", "12 / 1000")
    key(page, "ArrowLeft", "11 / 1000")               # θ₁₁ again, from its snapshot
    key(page, "PageUp", "10 / 1000")
    key(page, "Space")                                # Play ...
    B.wait_counter_above(page, 20)
    key(page, "Space")                                # ... and Pause
    t = B.wait_counter_stable(page)
    time.sleep(0.8)
    assert B.counter(page) == t
    key(page, "Home", "0 / 1000")                     # Reset (Streamlit keeps R for itself)
    if not path:                                      # nothing lost: the reset can be undone
        B.click(page, f"Undo: back to t = {t}")
        B.wait_counter(page, f"{t} / 1000")
    assert not page.errors, page.errors


def test_keys_do_nothing_while_typing_in_the_learning_rate_field(server, tab):
    page = tab
    open_at(page, server.url, "present=1")
    key(page, "ArrowRight", "1 / 1000")
    field = page.locator('[data-testid="stMain"] input[role="combobox"]').first
    field.click()
    for name in ("ArrowRight", "PageDown", "Space", "Home", "ArrowLeft"):
        page.keyboard.press(name)
    page.keyboard.type("0.05")
    time.sleep(1.0)
    assert B.counter(page) == 1                       # not a step, not Play, not Reset
    assert "0.05" in field.input_value()
    page.keyboard.press("Enter")                      # the typed η is taken
    B.wait_ready(page)
    page.mouse.click(5, 400)
    key(page, "ArrowRight", "2 / 1000")               # and out of the field the keys work
    assert "lr=0.05" in page.url


def shown(page):
    got = page.evaluate(SHOWN_JS)
    return C.Shown(got["figures"], got["latex"], B.counter(page), got["curves"])


def wait_stage(page, n, timeout=60_000):
    page.wait_for_function(
        "(n) => new URLSearchParams(location.search).get('stage') === String(n)", arg=n,
        timeout=timeout)
    page.wait_for_function(f"() => ({B.COUNTER_JS})() !== null", timeout=timeout)
    B.wait_ready(page, timeout=timeout)


# How many of a stage's charts (in the page's order) carry its claim: the home page's boundary,
# network and loss; Compare's two boundaries and their losses; the gradient bars; the network.
CLAIM_CHARTS = {"update": 1, "eta_small": 3, "eta_right": 3, "eta_large": 3, "loss_choice": 3,
                "vanishing": 1, "zeros": 1}
MIN_CHART = 150           # px: no chart shorter, at a stage's point (issue 20)


def whole_at_its_point(page, n, name):
    """Issue 20: presented, with the stage's message shown, the charts that carry its claim
    whole on screen, no chart under MIN_CHART px tall, no two labels of a chart over each
    other."""
    charts = B.charts(page)
    claim = charts[:CLAIM_CHARTS.get(name, 0)]
    seen = [[round(c[k]) for k in ("x", "y", "width", "height")] for c in charts]
    print(f"stage {n} {name}: charts {seen}")
    assert len(claim) == CLAIM_CHARTS.get(name, 0), (name, seen)
    assert all(B.inside(c, PROJECTOR) for c in claim), (name, seen)
    assert all(c["height"] >= MIN_CHART - 1 for c in charts), (name, seen)
    assert B.overlapping_texts(page) == [], name


def test_the_whole_run_through_with_pagedown_alone_and_pageup_back(server, tab):
    page = tab
    open_at(page, server.url, "present=1&stage=1")
    B.type_option(page, "Speed", "2,000 it/s")        # the same stages, in less of CI's time
    B.wait_ready(page)
    for n, name in enumerate(LECTURE, start=1):
        wait_stage(page, n)
        lesson = LESSONS[name]
        assert page.locator(f"text={n} / {len(LECTURE)} · {lesson.title}").count()
        page.mouse.click(5, 400)
        page.keyboard.press("PageDown")               # play to the stage's point
        B.wait_counter(page, f"{lesson.until} / 1000", timeout=90_000)
        B.wait_ready(page)
        C.CLAIMS[name](shown(page))                   # the page shows the stage's claim
        B.scroll_to_top(page)
        SHOTS.mkdir(parents=True, exist_ok=True)      # for a person to look at
        page.screenshot(path=str(SHOTS / f"stage_{n}_{name}.png"))
        whole_at_its_point(page, n, name)
        if n == len(LECTURE):
            break
        page.keyboard.press("PageDown")               # the next stage
    page.keyboard.press("PageUp")                     # and back
    wait_stage(page, len(LECTURE) - 1)
    assert page.locator(f"text={len(LECTURE) - 1} / {len(LECTURE)}").count()
    assert not page.errors, page.errors


def test_a_url_with_a_stage_opens_that_stage_on_its_page(server, tab):
    page = tab
    n = LECTURE.index("loss_choice") + 1
    open_at(page, server.url, f"present=1&stage={n}")
    wait_stage(page, n)
    assert page.evaluate("location.pathname").rstrip("/").endswith("Compare_losses")
    assert page.locator(f"text={n} / {len(LECTURE)}").count()
