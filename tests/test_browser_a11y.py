"""WCAG 2.1 AA in Chromium: axe-core finds nothing on any page or view, paused or playing, at
the laptop's size and presented; every chart has a text alternative, read from the
accessibility tree, that says what the figure's data says.

axe-core comes with axe-playwright-python (requirements-test.txt); it runs the rules tagged
wcag2a, wcag2aa, wcag21a and wcag21aa.
"""

import os
import re

import numpy as np
import pytest

from ffnn.grid import predict_grid

import browser as B

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON),
]

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# (page link, [its views]); Lessons, Class board and Share and export have no chart that plays
PAGES = [("Gradient descent", [None]),
         ("Training curves", ["Loss and accuracy", "Gradients per layer", "Loss landscape",
                              "Rewind"]),
         ("Error surface of one neuron", [None]), ("θ and ∇θ", [None]),
         ("Backpropagation", ["Step by step", "Per hidden unit"]), ("Gradient check", [None]),
         ("Compare losses", [None]), ("Lessons", [None]), ("Class board", [None]),
         ("Share and export", [None])]
PLAYS = {"Gradient descent", "Training curves", "Error surface of one neuron", "θ and ∇θ",
         "Backpropagation", "Compare losses"}
# every chart's accessible name (a Plotly chart's container, a stage canvas) on the page
ALTS_JS = """() => {
  const out = [];
  for (const c of document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]'))
    if (c.getClientRects().length) out.push(['plotly', c.getAttribute('aria-label') || '']);
  const walk = (root) => {
    for (const e of root.querySelectorAll('*')) {
      if (e.tagName === 'CANVAS' && e.getAttribute('role') === 'img' && e.getClientRects().length)
        out.push(['stage', e.getAttribute('aria-label') || '']);
      if (e.shadowRoot) walk(e.shadowRoot);
    }
  };
  walk(document.querySelector('[data-testid="stMain"]'));
  return out;
}"""


# Text in the charts' SVG, which axe does not check: each visible label's fill (with its
# opacity, over the white chart) against white, WCAG's ratio; -> the ones under 4.5:1.
SVG_TEXT_JS = """() => {
  const lum = (c) => {
    const m = c.match(/[\\d.]+/g).map(Number);
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return [0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]), m.length > 3 ? m[3] : 1];
  };
  const low = [];
  for (const t of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot text')) {
    if (!t.getClientRects().length || !t.textContent.trim()) continue;
    const cs = getComputedStyle(t), [L, a] = lum(cs.fill);
    const op = parseFloat(cs.fillOpacity || 1) * a, shown = op * L + (1 - op);
    const ratio = 1.05 / (shown + 0.05);
    if (!(ratio >= 4.5)) low.push([t.textContent.slice(0, 30), cs.fill, ratio.toFixed(2)]);
  }
  return low;
}"""


def violations(page):
    """[(rule, target, summary)] of axe's findings on the page as it is now, and the charts'
    text under 4.5:1 (rule "svg-text-contrast")."""
    found = axe_playwright.Axe().run(page, options=RULES).response["violations"]
    return [(v["id"], n["target"], (n.get("failureSummary") or "")[:160])
            for v in found for n in v["nodes"]] + [
        ("svg-text-contrast", text, f"{fill}: {ratio}:1")
        for text, fill, ratio in page.evaluate(SVG_TEXT_JS)]


def play_button(page, prefix):
    """The page's Play control: the stage's own button, or Streamlit's (Backpropagation)."""
    return page.locator(f".st-key-{prefix}play button").first


@pytest.mark.parametrize("present", [False, True], ids=["laptop", "presented"])
def test_axe_finds_nothing_on_any_page_or_view_paused_or_playing(server, chromium, present):
    page = chromium.new_page(viewport=B.PROJECTOR if present else B.LAPTOP)
    page.set_default_timeout(B.TIMEOUT_MS)
    found, played = {}, set()
    try:
        # a run that ends (max_iterations) disables Play: the run plays on eight pages and
        # views here, each while axe runs, which on a loaded machine can add up to 1000
        B.open_app(page, server.url, "?max_iterations=1000000" + ("&present=1" if present else ""))
        B.wait_ready(page)
        for name, views in PAGES:
            B.goto_page(page, name)
            for view in views:
                if view:
                    B.pick_view(page, view)
                B.settle(page)
                for rule in violations(page):
                    found.setdefault(f"{name} / {view} paused", []).append(rule)
                prefix = {"Compare losses": "cmp_", "Error surface of one neuron": "es_"}.get(
                    name, "")
                if name in PLAYS and play_button(page, prefix).count():
                    play_button(page, prefix).click()
                    B.wait_play_label(page, "Pause", prefix)
                    page.wait_for_timeout(1500)
                    played.add(name)
                    for rule in violations(page):
                        found.setdefault(f"{name} / {view} playing", []).append(rule)
                    play_button(page, prefix).click()
                    B.settle(page)
    finally:
        page.close()
    assert played == PLAYS, played
    assert not found, found


def test_every_chart_has_a_text_alternative_that_says_what_it_shows(server, chromium):
    page = chromium.new_page(viewport=B.LAPTOP)
    page.set_default_timeout(B.TIMEOUT_MS)
    seen, empty = 0, []
    try:
        B.open_app(page, server.url, "")
        B.wait_ready(page)
        for name, views in PAGES:
            B.goto_page(page, name)
            for view in views:
                if view:
                    B.pick_view(page, view)
                for kind, alt in page.evaluate(ALTS_JS):
                    seen += 1
                    # more than a bare "Chart.": a value, a name, a count from the figure
                    if len(alt) < 20 or not any(ch.isdigit() for ch in alt):
                        empty.append((name, view, kind, alt))
    finally:
        page.close()
    assert seen >= 20 and not empty, (seen, empty)


def test_the_plotly_charts_say_what_their_data_says(server, chromium):
    """Read by role and name, as a screen reader gets them: the Plotly decision boundary
    (Rewind) names the class predict_grid gives the centre of the plane; the Plotly network
    (θ and ∇θ) its largest weight W_l[i, j] and its value; for the run at t = 0."""
    from ffnn.app import settings as S
    from ffnn.app.state import build_run
    run = build_run(dict(S.DEFAULTS))
    _, _, Z = predict_grid(run.net, run.data.features, 6.0, 80)
    G = Z.shape[0]
    centre = (int(np.argmax(Z[G // 2, G // 2])) if Z.shape[-1] > 1
              else int(Z[G // 2, G // 2, 0] >= 0.5))
    W = [np.abs(w) for w in run.net.W]
    l = int(np.argmax([w.max() for w in W]))
    i, j = np.unravel_index(np.argmax(W[l]), W[l].shape)
    largest = f"W{'₁₂₃₄₅₆₇₈₉'[l]}[{i + 1}, {j + 1}] = {float(f'{run.net.W[l][i, j]:.3g}'):g}"
    page = chromium.new_page(viewport=B.LAPTOP)
    page.set_default_timeout(B.TIMEOUT_MS)
    try:
        B.open_app(page, server.url, "")
        B.wait_ready(page)
        B.goto_page(page, "Training curves")
        B.pick_view(page, "Rewind")
        boundary = page.get_by_role("figure", name=re.compile("^Decision boundary"))
        text = boundary.get_attribute("aria-label")
        B.goto_page(page, "θ and ∇θ")
        network = page.get_by_role("figure", name=re.compile("^Network ")).first
        net_text = network.get_attribute("aria-label")
    finally:
        page.close()
    assert text.startswith(f"Decision boundary: class {centre} ("), text
    assert f"Largest weight {largest}." in net_text, (largest, net_text)


FOCUS_IN_JS = """(sel) => {
  // the focused element, through shadow roots, is inside `sel`'s element
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  const box = document.querySelector(sel);
  const host = (n) => n && (n.getRootNode().host || null);
  for (let n = a; n; n = n.parentElement || host(n)) if (n === box) return true;
  return false;
}"""


def test_space_on_a_focused_control_does_that_control_only(server, chromium):
    """Laptop (no clicker): Space on Step, Step ×10, Back, Reset and Play does what that control
    does, once, and the focus stays on it; on a page link it plays nothing. On the page itself
    P plays and pauses, while Space and PageDown are the browser's (they scroll)."""
    page = chromium.new_page(viewport=B.LAPTOP)
    page.set_default_timeout(B.TIMEOUT_MS)
    errors = B.watch_console(page)
    n = "100000"
    try:
        B.open_app(page, server.url, f"?max_iterations={n}")
        B.wait_ready(page)
        for key, then in (("step", 1), ("step10", 11), ("back", 10), ("reset", 0)):
            B.control(page, key).focus()
            page.keyboard.press("Space")
            B.wait_counter(page, f"{then} / {n}")
            B.settle(page)
            assert B.play_label(page) == "Play", key
            assert B.counter(page) == then, key
            assert page.evaluate(FOCUS_IN_JS, f".st-key-{key}"), key
        B.control(page, "play").focus()
        page.keyboard.press("Space")                     # the Play button's own: play ...
        B.wait_counter_above(page, 5)
        page.keyboard.press("Space")                     # ... and pause
        B.wait_play_label(page, "Play")
        assert page.evaluate(FOCUS_IN_JS, ".st-key-play")
        t = B.wait_counter_stable(page)
        link = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]').first
        link.focus()
        page.keyboard.press("Space")
        page.mouse.click(5, 400)                         # the page itself has the focus
        for name in ("Space", "PageDown", "Home"):       # the browser's: they scroll
            page.keyboard.press(name)
            page.wait_for_timeout(800)
            assert B.counter(page) == t and B.play_label(page) == "Play", name
        page.keyboard.press("p")                         # P plays and pauses
        B.wait_counter_above(page, t + 5)
        page.keyboard.press("p")
        B.wait_play_label(page, "Play")
    finally:
        page.close()
    assert errors == [], errors


FOCUSED_JS = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a || a === document.body) return null;
  const r = a.getBoundingClientRect();
  // the focus ring: on the element, or on the label around a switch's or a radio's input
  const ringed = [a, a.closest('label')].filter(Boolean).map((e) => getComputedStyle(e))
    .some((s) => s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2);
  const box = a.closest('label') && r.width <= 2 ? a.closest('label').getBoundingClientRect() : r;
  return {what: (a.getAttribute('aria-label') || a.innerText || a.tagName).trim().slice(0, 40),
          x: box.x, y: box.y, w: box.width, h: box.height, ringed};
}"""


@pytest.mark.parametrize("path", ["", "Training_curves", "Compare_losses"])
def test_tabbing_through_presentation_mode_every_stop_is_seen(server, chromium, path):
    """Presented (sidebar closed): Tab goes from stop to stop; each has its box on the screen and
    a focus ring at least 2 px wide (3 px, #111111: above 3:1 on every background the app
    has), and none is in the closed sidebar. The tour comes back to where it started."""
    page = chromium.new_page(viewport=B.PROJECTOR)
    page.set_default_timeout(B.TIMEOUT_MS)
    stops, unseen = [], []
    try:
        B.open_app(page, server.url, f"{path}?present=1")
        B.wait_ready(page)
        B.settle(page)
        for _ in range(60):
            page.keyboard.press("Tab")
            f = page.evaluate(FOCUSED_JS)
            if f is None:
                continue
            B.settle(page, quiet_ms=100)    # a stop scrolled into view has arrived
            f = page.evaluate(FOCUSED_JS) or f
            stops.append(f["what"])
            on_screen = (f["w"] > 0 and f["h"] > 0 and f["x"] >= -1 and f["y"] >= -1
                         and f["x"] + f["w"] <= B.PROJECTOR["width"] + 1
                         and f["y"] + f["h"] <= B.PROJECTOR["height"] + 1)
            if not (on_screen and f["ringed"]):
                unseen.append(f)
            if len(stops) > 3 and stops[-1] == stops[0]:
                break
    finally:
        page.close()
    assert len(stops) >= 5, stops
    assert not unseen, (unseen, stops)


NARROW = {"width": 320, "height": 700}
PILLS_JS = """() => [...document.querySelectorAll('""" + B.VIEW_PILLS.replace("'", "\\'") + """')]
  .map((p) => { const r = p.getBoundingClientRect();
                return [p.innerText.trim(), r.left, r.right]; })"""


@pytest.mark.parametrize("path", ["Training_curves", "Backprop"])
def test_at_320_px_every_view_can_be_picked(server, chromium, path):
    """Reflow (WCAG 1.4.10): on a 320 px screen the view picker wraps; each view's pill lies
    inside the screen, none scrolled out of sight."""
    page = chromium.new_page(viewport=NARROW)
    page.set_default_timeout(B.TIMEOUT_MS)
    try:
        B.open_app(page, server.url, path)
        B.wait_ready(page)
        pills = page.evaluate(PILLS_JS)
    finally:
        page.close()
    assert len(pills) >= 2, pills
    assert all(left >= 0 and right <= NARROW["width"] for _, left, right in pills), pills
