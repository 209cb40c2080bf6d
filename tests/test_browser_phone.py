"""The phone (390x844, a touch screen) in Chromium: no keyboard hints on the buttons there, and
the same buttons show them on a laptop."""

import os

import pytest

import browser as B

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON),
]

HINTS_JS = """() => [...document.querySelectorAll('button kbd')]
  .filter(k => k.getClientRects().length).map(k => k.innerText.trim())"""


@pytest.mark.parametrize("path", ["", "Theta_and_gradient"])
def test_no_keyboard_hints_on_a_touch_screen(server, chromium, path):
    seen = {}
    for name, options in (("phone", {"viewport": B.PHONE, "is_mobile": True, "has_touch": True}),
                          ("laptop", {"viewport": B.LAPTOP})):
        context = chromium.new_context(**options)
        try:
            page = context.new_page()
            page.goto(f"{server.url}/{path}")
            B.wait_ready(page)
            B.control(page, "step10")                 # the control row is drawn
            seen[name] = page.evaluate(HINTS_JS)
            B.SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=B.SHOTS / f"hints-{name}-{path or 'home'}.png")
        finally:
            context.close()
    assert seen["phone"] == []
    assert "Shift + →" in seen["laptop"]          # the hints are there where a keyboard is


PHONE = {"viewport": B.PHONE, "is_mobile": True, "has_touch": True}
FORMULA_PAGES = ["θ and ∇θ", "Backpropagation", "Error surface of one neuron"]


def test_a_page_link_closes_the_sidebar_and_no_formula_is_cut(server, chromium):
    """On the phone, tapping a page link in the sidebar leaves the page in view (the sidebar
    closes); on the pages with formulas, no LaTeX row is wider than its box (it wraps, or
    breaks into rows, instead of scrolling with its end hidden)."""
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(B.TIMEOUT_MS)
    seen = {}
    try:
        page.goto(server.url)
        B.wait_ready(page)
        for name in FORMULA_PAGES:
            B.open_sidebar(page)
            B.goto_page(page, name)
            page.wait_for_timeout(600)               # a sidebar still open would have slid
            seen[name] = (B.sidebar_open(page), B.katex_overflow(page),
                          len(page.query_selector_all(".katex-display")))
            B.SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=B.SHOTS / f"phone-formulas-{name[:5]}.png", full_page=True)
    finally:
        context.close()
    print("phone: (sidebar open, formulas cut, formulas)", seen)
    assert all(n for _, _, n in seen.values()), seen          # the formulas are there
    assert [name for name, (open_, _, _) in seen.items() if open_] == [], seen
    assert {name: cut for name, (_, cut, _) in seen.items() if cut} == {}, seen
