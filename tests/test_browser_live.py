"""While a run plays, in Chromium at 1280x800, on every page and view that plays: 40 samples of
the page, each with every chart at the size it had paused (nothing shrinks or jumps), and the
speed the one chosen (50 iterations per second). On the pages the live stage draws, no chart is
ever blank either. (The pages whose Plotly charts the server draws again for each batch can
show a chart blank for a frame: Streamlit 1.67 mounts a Plotly chart anew when its figure
changes; docs/design.md.)"""

import os
import time

import pytest

import browser as B

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON),
]

SAMPLES = 40
# (page link, view or None, the player's key prefix); the stage draws every chart of these (on
# Compare losses it draws all but δ_L's, a Plotly chart)
STAGE = ("Gradient descent", "Error surface of one neuron")
LIVE = [("Gradient descent", None, ""), ("Training curves", "Loss and accuracy", ""),
        ("Training curves", "Gradients per layer", ""), ("Training curves", "Rewind", ""),
        ("θ and ∇θ", None, ""), ("Backpropagation", "Per hidden unit", ""),
        ("Compare losses", None, "cmp_"), ("Error surface of one neuron", None, "es_")]

# Every chart in the main area: a Plotly chart with its plot drawn, or a stage canvas; blank:
# a Plotly chart whose plot is not there.
DRAWN_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stPlotlyChart"]')]
  .filter(c => c.getClientRects().length)
  .map(c => !!c.querySelector('.js-plotly-plot .main-svg'))"""


def sizes(page):
    return [(round(b["width"]), round(b["height"])) for b in B.charts(page)]


@pytest.mark.parametrize("name, view, prefix", LIVE, ids=[f"{n}/{v}" for n, v, _ in LIVE])
def test_nothing_blanks_or_moves_while_playing(server, chromium, name, view, prefix):
    context = chromium.new_context(viewport=B.LAPTOP)
    page = context.new_page()
    page.set_default_timeout(B.TIMEOUT_MS)
    errors = B.watch_console(page)
    try:
        B.open_app(page, server.url, "?max_iterations=100000")
        B.wait_ready(page)
        if name != "Gradient descent":
            B.goto_page(page, name)
        if view:
            B.pick_view(page, view)
        B.wait_ready(page)
        paused = sizes(page)
        assert paused, "no chart"
        t0 = B.counter(page)
        B.press(page, "play", prefix)
        B.wait_play_label(page, "Pause", prefix)
        B.wait_counter_above(page, t0 + 5)
        start, t_start = time.monotonic(), B.counter(page)
        bad = []
        for i in range(SAMPLES):
            page.wait_for_timeout(100)
            drawn, now = page.evaluate(DRAWN_JS), sizes(page)
            blank = name in STAGE and not all(drawn)
            if blank or len(now) != len(paused) or any(
                    abs(a[0] - b[0]) > 2 or abs(a[1] - b[1]) > 2 for a, b in zip(now, paused)):
                bad.append((i, drawn, now))
        speed = (B.counter(page) - t_start) / (time.monotonic() - start)
        B.press(page, "play", prefix)
        B.wait_play_label(page, "Play", prefix)
    finally:
        context.close()
    print(f"{name} / {view}: {len(paused)} charts {paused}, {speed:.1f} it/s while sampled")
    assert bad == [], (paused, bad[:3])
    assert errors == [], errors
    # the speed chosen, give or take a frame and a round trip over the 4 s: never half of it
    assert 40 <= speed <= 60, speed
