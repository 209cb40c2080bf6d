"""Helpers for driving the real app in the system Chromium through Playwright.

Shared by tests/test_browser.py and bench/play_fps.py: start and stop a Streamlit server on a
free localhost port, launch Chromium, and read or drive the page (counter, buttons, sidebar
widgets, the decision-boundary heatmap).
"""

import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SKIP_REASON = "needs Debian's chromium: apt-get install chromium (.ci/run installs it)"
TIMEOUT_MS = 20_000
# The three screens the app is used on, and where the tests leave screenshots for a person.
LAPTOP = {"width": 1280, "height": 800}        # sidebar open
PROJECTOR = {"width": 1280, "height": 720}     # ?present=1
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/ffnn-shots")


# ---------------------------------------------------------------- the server


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run dashboard.py` on a free port of 127.0.0.1; use as a context manager.

    The server's output goes to a temporary file (shown if it fails to start, or with
    verbose=True straight to this process's terminal)."""

    def __init__(self, root=ROOT, startup_timeout=60.0, verbose=False, options=()):
        """options: more `streamlit run` options, e.g. ["--runner.postScriptGC", "false"]."""
        self.root, self.startup_timeout, self.verbose = Path(root), startup_timeout, verbose
        self.options = list(options)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = None

    def start(self):
        self.log = None if self.verbose else tempfile.TemporaryFile()  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py",
             "--server.headless", "true", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             *self.options],
            cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED="1"), start_new_session=True)
        local = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                raise RuntimeError(f"streamlit exited with {code}:\n{self.output()}")
            with contextlib.suppress(OSError), \
                    local.open(f"{self.url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return self
            time.sleep(0.2)
        out = self.output()
        self.stop()
        raise RuntimeError(f"streamlit did not answer on {self.url} in {self.startup_timeout} s:\n"
                           f"{out}")

    def output(self):
        """What the server printed so far (empty with verbose=True)."""
        if self.log is None:
            return ""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-5000:]

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.log is not None:
            self.log.close()
        self.proc = self.log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def launch(playwright):
    """The system Chromium, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def chromium():
    """Playwright and the system Chromium for a `with` block (a test module's fixture); the
    caller skips first if Playwright is not installed."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser
        finally:
            browser.close()


# ---------------------------------------------------------------- reading the page

# Every element matching a selector, in the page and inside the open shadow roots of the live
# stage's mounts (ffnn/app/stage.js draws there).
DEEP_JS = """(sel, from) => {
  const out = [], walk = (root) => {
    out.push(...root.querySelectorAll(sel));
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(from || document);
  return out;
}"""

# Text of the counter "t / max_iterations" (the "Iteration t" metric, or the live stage's), or
# null while it is not drawn.
COUNTER_JS = """() => {
  for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
    const label = m.querySelector('[data-testid="stMetricLabel"]');
    if (label && label.innerText.trim() === 'Iteration t') {
      const v = m.querySelector('[data-testid="stMetricValue"]');
      return v ? v.innerText.trim() : null;
    }
  }
  const v = (""" + DEEP_JS + """)('[data-n="t"]').find(e => e.textContent.trim());
  return v ? v.textContent.trim() : null;
}"""

# Defines window.__ffnn: find the decision boundary and fingerprint it: the live stage's canvas
# (its pixels, sampled), or else the first chart's picture: the z array of its heatmap trace (a
# typed array, arrays of rows, or a not-yet-decoded {bdata} object) or the source of its layout
# image (the decision regions as a PNG made by the server). boundary() returns something new
# when a new picture is drawn, zprint() its fingerprint.
HEATMAP_JS = """() => {
  if (window.__ffnn) return;
  const deep = (""" + DEEP_JS + """);
  let canvas = null;
  const pixels = (cv) => {            // a row and a column through the middle: cheap per frame
    const w = cv.width, h = cv.height, ctx = cv.getContext('2d');
    if (!w || !h) return null;
    let x = 0;
    const lines = [ctx.getImageData(0, h >> 1, w, 1), ctx.getImageData(w >> 1, 0, 1, h)];
    for (const d of lines.map(l => l.data))
      for (let i = 0; i < d.length; i += 4)
        x = (x * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) % 1000000007;
    return 'c' + w + 'x' + h + ':' + x;
  };
  const boundary = () => {
    if (!canvas || !canvas.isConnected) canvas = deep('canvas.boundary')[0] || null;
    if (canvas) return pixels(canvas);
    for (const el of document.querySelectorAll('.js-plotly-plot')) {
      const t = (el.data || []).find(t => t.type === 'heatmap');
      if (t) return t.z;
      const img = ((el.layout || {}).images || [])[0];
      if (img && img.source) return img.source;
    }
    return null;
  };
  const hash = (s) => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 1000000007;
    return s.length + ':' + h;
  };
  const fingerprint = (z) => {
    if (z == null) return null;
    if (typeof z === 'string') return 'i' + hash(z);
    if (typeof z.bdata === 'string') return 'b' + hash(z.bdata);
    let h = 0, n = 0;
    const add = (v) => { h = (h * 31 + Math.round(Number(v) * 1e6)) % 1000000007; n++; };
    const rows = (z.length !== undefined && typeof z[0] === 'object') ? z : [z];
    for (const row of rows) for (let i = 0; i < row.length; i++) add(row[i]);
    return n + ':' + h;
  };
  window.__ffnn = {boundary, fingerprint, zprint: () => fingerprint(boundary())};
}"""


def counter_text(page):
    return page.evaluate(COUNTER_JS)


def counter(page):
    """t from the counter "t / max_iterations" (None while it is not drawn)."""
    text = counter_text(page)
    return None if text is None else int(text.split("/")[0])


def wait_counter(page, text, timeout=TIMEOUT_MS):
    """Wait until the counter reads exactly `text`, e.g. "1 / 1000"."""
    page.wait_for_function(f"(want) => ({COUNTER_JS})() === want", arg=text, timeout=timeout)


def wait_counter_above(page, t, timeout=TIMEOUT_MS):
    page.wait_for_function(
        f"(t) => {{ const s = ({COUNTER_JS})(); return s !== null && parseInt(s) > t; }}",
        arg=t, timeout=timeout)


def wait_counter_stable(page, quiet_ms=600, timeout=TIMEOUT_MS):
    """Wait until the counter has not changed for `quiet_ms`; -> t."""
    page.wait_for_function(
        f"""(quiet) => {{
          const s = ({COUNTER_JS})(), now = performance.now();
          if (window.__lastCounter !== s) {{ window.__lastCounter = s; window.__since = now; }}
          return s !== null && now - window.__since >= quiet;
        }}""", arg=quiet_ms, timeout=timeout, polling=50)
    return counter(page)


def heatmap_print(page):
    """A fingerprint of the decision boundary's z array (None when no heatmap is drawn)."""
    page.evaluate(HEATMAP_JS)
    return page.evaluate("() => window.__ffnn.zprint()")


def wait_heatmap(page, timeout=TIMEOUT_MS):
    page.evaluate(HEATMAP_JS)
    page.wait_for_function("() => window.__ffnn.zprint() !== null", timeout=timeout)
    return heatmap_print(page)


def open_app(page, url, path=""):
    """Load the app (or one of its pages) and wait until the counter is drawn."""
    page.goto(f"{url}/{path}", wait_until="domcontentloaded")
    page.wait_for_function(f"() => ({COUNTER_JS})() !== null", timeout=60_000)


def problems(page):
    """Texts of exception elements and error alerts on the page."""
    return page.evaluate("""() => [
      ...document.querySelectorAll('[data-testid="stException"]'),
      ...document.querySelectorAll('[data-testid="stAlertContentError"]'),
    ].map(e => e.innerText.trim().slice(0, 500))""")


# ---------------------------------------------------------------- driving the page


def button(page, label):
    """The visible buttons whose label reads exactly `label` (a label's markdown, without what
    else the button shows, such as a keyboard shortcut's hint)."""
    exact = re.compile(f"^{re.escape(label)}$")
    return page.locator("button").filter(visible=True).filter(
        has=page.locator('[data-testid="stMarkdownContainer"]', has_text=exact))


def click(page, label):
    button(page, label).click()


def control(page, key, prefix="", timeout=TIMEOUT_MS):
    """The visible button of a player's control, found by its widget key: "step", "step10",
    "play", "reset", with the player's key prefix ("" for the main run, "cmp_" on Compare
    losses, "es_" on Error surface; see ffnn.app.controls.Player). A label can carry more than
    its name (a keyboard shortcut's hint), so keys, not labels, find the buttons."""
    return one(page.locator(f".st-key-{prefix}{key} button").filter(visible=True), timeout)


def press(page, key, prefix=""):
    control(page, key, prefix).click()


def play_label(page, prefix=""):
    """"Play" or "Pause": the first word of the player's Play/Pause button."""
    text = control(page, "play", prefix).inner_text().split()
    return text[0] if text else ""


def wait_play_label(page, label, prefix="", timeout=TIMEOUT_MS):
    """Wait until the player's Play/Pause button reads `label` ("Play" or "Pause")."""
    page.wait_for_function(
        r"""([sel, label]) => [...document.querySelectorAll(sel)].some(box => (""" + DEEP_JS
        + r""")('button', box).some(
             b => b.getClientRects().length && b.innerText.trim().split(/\s+/)[0] === label))""",
        arg=[f".st-key-{prefix}play", label], timeout=timeout)


def combobox(page, label, where="main"):
    """A selectbox's text input, by its label (also when the label is collapsed)."""
    return one(_scope(page, where).locator(f'input[role="combobox"][aria-label="{label}"]'))


def type_option(page, label, text, where="main"):
    """Type `text` into the selectbox `label` and press Enter: picks the option that matches,
    or adds `text` as a new option where the selectbox accepts new ones (the control row's η)."""
    for attempt in range(5):
        box = combobox(page, label, where)
        try:
            box.click()
            break
        except Exception as err:
            # a rerun that redraws the widget shows old and new one for a moment
            if "strict mode violation" not in str(err) or attempt == 4:
                raise
            page.wait_for_timeout(200)
    box.fill(text)
    page.wait_for_timeout(150)        # the list filters as one types
    box.press("Enter")


def lesson_button(page, title):
    """The "Load this lesson" button of the lesson card whose text holds `title` (on the
    Lessons page)."""
    found = page.evaluate("""(title) => {
      const load = b => b.innerText.trim() === 'Load this lesson' && b.getClientRects().length;
      document.querySelectorAll('[data-ffnn-lesson]').forEach(
          b => b.removeAttribute('data-ffnn-lesson'));
      for (const b of [...document.querySelectorAll('[data-testid="stMain"] button')]
                      .filter(load)) {
        let card = b.parentElement;
        while (card && !card.innerText.includes(title)) card = card.parentElement;
        if (card && [...card.querySelectorAll('button')].filter(load).length === 1) {
          b.setAttribute('data-ffnn-lesson', '1');
          return true;
        }
      }
      return false;
    }""", title)
    if not found:
        raise AssertionError(f"no lesson card {title!r}")
    return page.locator("[data-ffnn-lesson]")


_SCOPES = {"sidebar": '[data-testid="stSidebar"]', "main": '[data-testid="stMain"]'}


def _scope(page, where):
    return page.locator(_SCOPES[where])


def one(locator, timeout=TIMEOUT_MS):
    """`locator` once it matches exactly one element (while a rerun replaces a widget, the old
    and the new one can both be in the page for a moment)."""
    deadline = time.monotonic() + timeout / 1000
    while (n := locator.count()) != 1:
        if time.monotonic() > deadline:
            raise AssertionError(f"{locator} matched {n} elements, not 1; {evidence(locator.page)}")
        time.sleep(0.05)
    return locator


def evidence(page):
    """What the page showed when a wait failed: a screenshot's path, its problems, its text."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"failed-{time.time():.0f}.png"
    try:
        page.screenshot(path=path)
        text = page.evaluate("() => document.querySelector('[data-testid=stMain]')?.innerText")
        return f"screenshot {path}; problems {problems(page)}; main text {(text or '')[:600]!r}"
    except PlaywrightError as error:               # the page itself may be gone
        return f"no evidence ({error})"


def slider(page, label, where="sidebar"):
    """The (select) slider's range input (Streamlit 1.67 draws a react-aria slider, whose
    accessible name is not just its label: match the aria-label attribute)."""
    return one(_scope(page, where).locator(f'input[type="range"][aria-label="{label}"]'))


def slider_value(page, label, where="sidebar"):
    """The value a (select) slider shows, e.g. "0.1"."""
    return slider(page, label, where).get_attribute("aria-valuetext")


def set_slider(page, label, value, where="sidebar", max_presses=60, from_end=False):
    """Move a (select) slider to `value` (its shown text) with the keyboard: Home, then
    ArrowRight until it shows `value` (from_end: End, then ArrowLeft, for a value near the
    end). Each key press reruns the app and may redraw the widget, so the slider is looked up
    again before every press."""
    value = str(value)
    if slider_value(page, label, where) == value:
        return
    slider(page, label, where).press("End" if from_end else "Home")
    for _ in range(max_presses):
        if slider_value(page, label, where) == value:
            break
        slider(page, label, where).press("ArrowLeft" if from_end else "ArrowRight")
    else:
        raise AssertionError(f"slider {label!r} never showed {value!r}")
    slider(page, label, where).blur()


def set_number(page, label, value):
    """Type `value` into the sidebar number input `label` and press Enter."""
    box = one(_scope(page, "sidebar").locator(f'input[type="number"][aria-label="{label}"]'))
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_function(
        "([l, v]) => [...document.querySelectorAll('input[type=number]')]"
        ".some(i => i.getAttribute('aria-label') === l && i.value === v)",
        arg=[label, str(value)], timeout=TIMEOUT_MS)


def select_option(page, label, option):
    """Pick `option` (its shown label) in the sidebar selectbox `label`."""
    box = one(_scope(page, "sidebar").locator(f'input[role="combobox"][aria-label="{label}"]'))
    box.click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([l, v]) => [...document.querySelectorAll('[role=combobox]')]"
        ".some(i => i.getAttribute('aria-label') === l && i.value === v)",
        arg=[label, option], timeout=TIMEOUT_MS)


def settle(page, quiet_ms=500, timeout=TIMEOUT_MS):
    """Wait until no rerun is running (the status widget is gone) for `quiet_ms`."""
    page.wait_for_function(
        """(quiet) => {
          const busy = !!document.querySelector('[data-testid="stStatusWidget"]');
          const now = performance.now();
          if (busy || window.__idleSince === undefined) window.__idleSince = busy ? undefined : now;
          return !busy && now - window.__idleSince >= quiet;
        }""", arg=quiet_ms, timeout=timeout, polling=50)


def settled(page, read, tries=20, gap_ms=300):
    """What `read()` returns once the page's layout has settled: the same in two reads `gap_ms`
    apart. For the first few hundred ms after a load the page's style sheet (st.html) is not
    applied yet: the columns are narrower and what is in them sits elsewhere."""
    seen = read()
    for _ in range(tries):
        page.wait_for_timeout(gap_ms)
        now, seen = seen, read()
        if now == seen:
            return seen
    raise AssertionError(f"the layout never settled: {seen}")


NAV_LINKS_JS = """() => [...document.querySelectorAll(
    '[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"], [data-testid="stSidebarNav"] a')]
    .map(a => [a.textContent.trim(),
               new URL(a.getAttribute('href') || '', location.origin + '/').href])"""


def sidebar_open(page):
    """Whether the sidebar is expanded."""
    return page.evaluate("""() => {
      const s = document.querySelector('[data-testid="stSidebar"]');
      return !!s && s.dataset.collapsed === 'false';
    }""")


def open_sidebar(page, timeout=TIMEOUT_MS):
    """Expand the sidebar if it is collapsed (phone, presentation mode) and wait until it is."""
    if not sidebar_open(page):
        page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.wait_for_function("""() => document.querySelector('[data-testid="stSidebar"]')
        .dataset.collapsed === 'false'""", timeout=timeout)
    page.wait_for_timeout(400)        # the sidebar slides in


def close_sidebar(page, timeout=TIMEOUT_MS):
    if sidebar_open(page):
        page.locator('[data-testid="stSidebarCollapseButton"] button').click()
    page.wait_for_function("""() => document.querySelector('[data-testid="stSidebar"]')
        .dataset.collapsed === 'true'""", timeout=timeout)
    page.wait_for_timeout(400)


def nav_links(page):
    """[(text, URL)] of the page links in the sidebar: the app's own (st.page_link, see
    ffnn/app/nav.py), and Streamlit's list of the pages/ folder if it is shown (it is switched
    off; its "View more" button would fold pages away). A link's href is relative to the app's
    root (the home page's is empty), so the URL is resolved against the root, not the page."""
    return [tuple(x) for x in page.evaluate(NAV_LINKS_JS)]


def goto_page(page, name, timeout=TIMEOUT_MS, ready=True):
    """Follow the sidebar's page link `name` (e.g. "Training curves"), opening the sidebar
    first if it is collapsed, and wait until the page has drawn (see wait_ready; ready=False:
    only until its address shows, for a caller that waits for what it needs, e.g. on a page
    that plays, where the main area never stays still for long)."""
    links = dict(nav_links(page))
    if name not in links:
        raise AssertionError(f"no sidebar link {name!r}: {list(links)}")
    was_open = sidebar_open(page)
    if not was_open:
        open_sidebar(page, timeout)
    page.evaluate("() => { delete window.__ready; }")
    page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]').filter(
        has_text=re.compile(f"^{re.escape(name)}$")).first.click()
    # Streamlit switches pages in the same document: wait for the path, not a load event (the
    # query string may carry settings).
    page.wait_for_function("(href) => location.pathname === new URL(href).pathname",
                           arg=links[name], timeout=timeout)
    if ready:
        wait_ready(page, timeout=timeout)
    if not was_open and sidebar_open(page):     # as it was: a phone's sidebar covers the page
        close_sidebar(page, timeout)


def wait_ready(page, quiet_ms=400, timeout=TIMEOUT_MS):
    """Wait until the page has drawn: the sidebar and some main content are there, and for
    `quiet_ms` in a row no run is going on and the main area's element count has not changed;
    then until every Plotly chart has its SVG. (A page switch empties the main area first.)"""
    page.wait_for_function(
        """(quiet) => {
          const main = document.querySelectorAll(
            '[data-testid="stMain"] [data-testid="stElementContainer"]').length;
          const busy = !!document.querySelector('[data-testid="stStatusWidget"]')
            || !!document.querySelector('[data-stale="true"]')
            || !document.querySelector('[data-testid="stSidebarUserContent"] input') || !main;
          const now = performance.now(), sig = busy ? null : main;
          const r = window.__ready;
          if (!r || r.sig !== sig) { window.__ready = {sig, since: now}; return false; }
          return sig !== null && now - r.since >= quiet;
        }""", arg=quiet_ms, timeout=timeout, polling=50)
    wait_charts(page, timeout=timeout)


def wait_first_run(page, timeout=60_000):
    """Wait until the page's first run has finished (the app's data-test-script-state reads
    notRunning): while a slow first run goes on, Streamlit shows grey placeholders whose count
    can stand still long enough to pass for a drawn page. Then wait_ready."""
    page.wait_for_function("""() => {
      const app = document.querySelector('[data-testid="stApp"]');
      return !!app && app.dataset.testScriptState === 'notRunning';
    }""", timeout=timeout)
    wait_ready(page, timeout=timeout)


def has_training_controls(page):
    """Whether the page draws the shared training controls (the Play button keyed "play"), and
    so the counter of the tab's one training run."""
    return page.locator(".st-key-play").count() > 0


def wait_charts(page, timeout=TIMEOUT_MS):
    """Wait until every Plotly chart on the page has drawn (its SVG is there); -> their trace
    counts."""
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .every(c => c.querySelector('.js-plotly-plot .main-svg'))""", timeout=timeout)
    return page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .map(g => (g.data || []).length)""")


def wait_slider(page, label, value, where="sidebar", timeout=TIMEOUT_MS):
    """Wait until the (select) slider `label` shows `value`."""
    page.wait_for_function(
        """([scope, label, value]) => {
          const s = document.querySelector(
            scope + ' input[type="range"][aria-label="' + label + '"]');
          return !!s && s.getAttribute('aria-valuetext') === value;
        }""", arg=[_SCOPES[where], label, str(value)], timeout=timeout)


# ---------------------------------------------------------------- layout: boxes and clipping

# Bounding boxes (x, y, width, height in CSS px of the viewport) of what the layout tests check.
BOX_JS = """(sel) => [...document.querySelectorAll(sel)]
  .filter(e => e.getClientRects().length)
  .map(e => { const b = e.getBoundingClientRect();
              return {x: b.x, y: b.y, width: b.width, height: b.height,
                      text: (e.innerText || '').trim().slice(0, 80)}; })"""

MAIN_CHARTS = ('[data-testid="stMain"] [data-testid="stPlotlyChart"], '
               '[data-testid="stMain"] [data-testid="stImage"]')


# The main area's charts in document order: Plotly charts and pictures, and the live stage's
# canvases inside its mounts' shadow roots (ffnn/app/stage.js), each as a box.
CHARTS_JS = """(sel) => {
  const out = [], main = document.querySelector('[data-testid="stMain"]');
  const add = (e) => { const b = e.getBoundingClientRect();
    if (e.getClientRects().length && b.width && b.height)
      out.push({x: b.x, y: b.y, width: b.width, height: b.height,
                text: (e.getAttribute('class') || '') + ' '
                      + (e.getAttribute('aria-label') || '')}); };
  const walk = (root, shadow) => {
    for (const e of root.querySelectorAll('*')) {
      if (shadow ? e.tagName === 'CANVAS' : e.matches(sel)) add(e);
      if (e.shadowRoot) walk(e.shadowRoot, true);
    }
  };
  if (main) walk(main, false);
  return out;
}"""


def boxes(page, selector, deep=False):
    """Bounding boxes of the visible elements matching `selector`, in document order (deep:
    inside the live stage's shadow roots too)."""
    if deep:
        return page.evaluate(f"""(sel) => ({DEEP_JS})(sel).filter(e => e.getClientRects().length)
            .map(e => {{ const b = e.getBoundingClientRect();
              return {{x: b.x, y: b.y, width: b.width, height: b.height,
                      text: (e.innerText || e.textContent || '').trim().slice(0, 80)}}; }})""",
                             selector)
    return page.evaluate(BOX_JS, selector)


def charts(page):
    """Boxes of the main area's charts (Plotly charts, pictures, the stage's canvases), in
    document order."""
    return page.evaluate(CHARTS_JS, MAIN_CHARTS)


def plots(page):
    """Boxes of the live stage's decision-boundary squares (the plot inside each canvas, without
    its legend and axes: the canvas's data-plot, stage.js), in document order."""
    return page.evaluate(f"""() => ({DEEP_JS})('canvas.boundary[data-plot]')
        .filter(e => e.getClientRects().length).map(e => {{
          const b = e.getBoundingClientRect(), [x, y, w, h] = e.dataset.plot.split(' ').map(Number);
          return {{x: b.x + x, y: b.y + y, width: w, height: h,
                   text: e.getAttribute('aria-label')}};
        }})""")


# Texts that overlap in one chart: the live stage's canvases (the boxes stage.js keeps as each
# canvas's `texts`) and Plotly's tick labels, axis titles and legend entries -> ["a / b", ...].
OVERLAPS_JS = """() => {
  const out = [], hit = (a, b) => a.x0 < b.x1 - 1 && b.x0 < a.x1 - 1 && a.y0 < b.y1 - 1
                                   && b.y0 < a.y1 - 1;
  const check = (name, boxes) => {
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++)
      if (hit(boxes[i], boxes[j])) out.push(`${name}: ${boxes[i].text} / ${boxes[j].text}`);
  };
  for (const cv of (""" + DEEP_JS + """)('canvas'))
    if (cv.texts && cv.getClientRects().length)
      check(cv.className, cv.texts.filter(t => t.text.trim()));
  for (const plot of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    const boxes = [...plot.querySelectorAll(
        '.xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .legendtext')]
      .filter(e => e.getClientRects().length && e.textContent.trim()).map(e => {
        const b = e.getBoundingClientRect();
        return {text: e.textContent.trim(), x0: b.left, y0: b.top, x1: b.right, y1: b.bottom};
      });
    const title = ((plot.layout || {}).title || {}).text || '';
    check(`plotly "${title}" at y = ${Math.round(plot.getBoundingClientRect().top)}`, boxes);
  }
  return out;
}"""


def overlapping_texts(page):
    """Pairs of texts drawn over each other in a chart (see OVERLAPS_JS)."""
    return page.evaluate(OVERLAPS_JS)


def metric_values(page):
    """The texts of the numbers shown: st.metric values and the live stage's."""
    return [b["text"] for b in boxes(page, '[data-testid="stMetricValue"]')] + [
        b["text"] for b in boxes(page, ".metric .value", deep=True)]


def inside(box, viewport, tol=1):
    """Whether `box` lies wholly inside the viewport {width, height} (a page never scrolled)."""
    return (box["x"] >= -tol and box["y"] >= -tol and box["x"] + box["width"] <= viewport[
        "width"] + tol and box["y"] + box["height"] <= viewport["height"] + tol)


def metric_box(page, label):
    """The box of the metric labelled `label` (e.g. "Iteration t"), or None: an st.metric, or
    the live stage's (ffnn/app/stage.js)."""
    for b in boxes(page, '[data-testid="stMetric"]') + boxes(page, ".metric", deep=True):
        if b["text"].split("\n")[0].strip() == label:
            return b
    return None


def scrolled(page):
    """How far the page is scrolled: the largest scrollTop of the window or any element (the
    main area scrolls in an element of its own, not the window)."""
    return page.evaluate("""() => Math.max(window.scrollY,
      ...[...document.querySelectorAll('*')].map(e => e.scrollTop))""")


def scroll_to_top(page):
    page.evaluate("""() => { window.scrollTo(0, 0);
      for (const e of document.querySelectorAll('*')) if (e.scrollTop) e.scrollTop = 0; }""")


# Texts cut off: every visible metric value and button (or an element inside one) whose content
# is wider than its box (scrollWidth > clientWidth: an ellipsis, or text hidden by overflow).
CLIPPED_JS = """() => {
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const over = e => e.scrollWidth > e.clientWidth + 1;
  const cut = e => over(e) || [...e.querySelectorAll('p, span, div')].some(
      c => shown(c) && c.clientWidth > 0 && over(c));
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stMetricValue"]'))
    if (shown(e) && cut(e)) out.push('metric ' + e.innerText.trim());
  for (const e of document.querySelectorAll('button'))
    if (shown(e) && e.innerText.trim() && cut(e)) out.push('button ' + e.innerText.trim());
  for (const e of (""" + DEEP_JS + """)('.metric .value, .numbers, .pair .head, button.play'))
    if (shown(e) && over(e)) out.push('stage ' + e.textContent.trim());
  return out;
}"""

# LaTeX display rows wider than their box (they scroll instead of fitting).
KATEX_JS = """() => [...document.querySelectorAll('.katex-display')]
  .filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1)
  .map(e => (e.innerText || '').replace(/\\s+/g, ' ').trim().slice(0, 80)
            + ' (' + e.scrollWidth + ' > ' + e.clientWidth + ' px)')"""

# Plotly legends that stick out of their chart: each legend group's box (its background and
# its entries) against the chart's box.
LEGENDS_JS = """() => {
  const out = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const c = plot.getBoundingClientRect();
    if (!c.width) continue;
    for (const leg of plot.querySelectorAll('.legend')) {
      for (const part of [leg.querySelector('.bg'), ...leg.querySelectorAll('.traces')]) {
        if (!part) continue;
        const b = part.getBoundingClientRect();
        if (!b.width && !b.height) continue;
        if (b.left < c.left - 1 || b.top < c.top - 1 || b.right > c.right + 1
            || b.bottom > c.bottom + 1) {
          const title = ((plot.layout || {}).title || {}).text || '';
          out.push(`${(part.textContent || 'legend').trim().slice(0, 40)} [${title}]: `
                   + `legend ${[b.left, b.top, b.right, b.bottom].map(Math.round)} outside `
                   + `chart ${[c.left, c.top, c.right, c.bottom].map(Math.round)}`);
        }
      }
    }
  }
  return out;
}"""


def clipped(page):
    """Metric values and button labels that are cut off (see CLIPPED_JS)."""
    return page.evaluate(CLIPPED_JS)


def katex_overflow(page):
    return page.evaluate(KATEX_JS)


def legends_outside(page):
    return page.evaluate(LEGENDS_JS)


# ---------------------------------------------------------------- the browser's console

# The one console error that is not the app's: a page's own address loaded directly (say
# /Compare_losses) makes Streamlit's page guess that the server may live under that path and
# ask /Compare_losses/_stcore/health and .../host-config first, which answer 404, before the
# root's (streamlit/streamlit#7074). Nothing else is ignored.
BENIGN_404 = re.compile(r"/[^/?#]+/_stcore/(health|host-config)(\?.*)?$")


def benign(message):
    """Whether a console message is the known 404 above (by the URL it is about)."""
    url = (message.location or {}).get("url", "")
    return "status of 404" in message.text and bool(BENIGN_404.search(url))


def watch_console(page):
    """Collect the page's console errors and uncaught exceptions (benign() ones left out) ->
    the list they go to (each an "error: text" string), filled while the page lives."""
    seen = []

    def note(message):
        if message.type == "error" and not benign(message):
            seen.append(f"error: {message.text} at {(message.location or {}).get('url', '')}"
                        [:400])

    page.on("console", note)
    page.on("pageerror", lambda e: seen.append(f"pageerror: {e}"[:400]))
    return seen


def connection_error(page):
    """The text of Streamlit's connection-error dialog if it is shown, else None."""
    return page.evaluate("""() => {
      for (const d of document.querySelectorAll('[role="dialog"]'))
        if (/connection error/i.test(d.innerText)) return d.innerText.trim().slice(0, 400);
      return null;
    }""")


VIEW_PILLS = '[data-testid="stMain"] [data-testid="stButtonGroup"] [role="radio"]'


def pick_view(page, label, timeout=TIMEOUT_MS):
    """Pick the view `label` of a page of several views (its pills, ffnn.app.page.show_views)
    and wait until it has drawn."""
    pill = one(page.locator(VIEW_PILLS).filter(has_text=re.compile(f"^{re.escape(label)}$")))
    if pill.get_attribute("aria-checked") != "true":
        page.evaluate("() => { delete window.__ready; }")
        pill.click()
        page.wait_for_function(
            """(label) => [...document.querySelectorAll('[role="radio"]')].some(
                 r => r.innerText.trim() === label && r.getAttribute('aria-checked') === 'true')""",
            arg=label, timeout=timeout)
    wait_ready(page, timeout=timeout)
