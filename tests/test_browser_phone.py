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
