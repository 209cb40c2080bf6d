"""The speed each page plays at: iterations per second of the counter while the page plays at
the chosen 50 it/s, in headless Chromium at 1280x800. `python bench/page_speed.py [--seconds 4]`
(see bench/README.md). The live tests print the same figure and assert nothing about it."""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import browser as B

PAGES = [("Gradient descent", None, ""), ("Training curves", "Loss and accuracy", ""),
         ("Training curves", "Gradients per layer", ""), ("θ and ∇θ", None, ""),
         ("Backpropagation", "Per hidden unit", ""), ("Compare losses", None, "cmp_"),
         ("Error surface of one neuron", None, "es_")]


def speed(page, url, name, view, prefix, seconds):
    B.open_app(page, url, "?max_iterations=100000")
    B.wait_ready(page)
    if name != "Gradient descent":
        B.goto_page(page, name)
    if view:
        B.pick_view(page, view)
    t0 = B.counter(page)
    B.press(page, "play", prefix)
    B.wait_play_label(page, "Pause", prefix)
    B.wait_counter_above(page, t0 + 5)
    start, t_start = time.monotonic(), B.counter(page)
    page.wait_for_timeout(seconds * 1000)
    it_s = (B.counter(page) - t_start) / (time.monotonic() - start)
    B.press(page, "play", prefix)
    B.wait_play_label(page, "Play", prefix)
    return it_s


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=4.0)
    args = ap.parse_args()
    with B.Server() as server, B.chromium() as browser:
        for name, view, prefix in PAGES:
            context = browser.new_context(viewport=B.LAPTOP)
            page = context.new_page()
            page.set_default_timeout(B.TIMEOUT_MS)
            try:
                it_s = speed(page, server.url, name, view, prefix, args.seconds)
            finally:
                context.close()
            print(f"{name + (' / ' + view if view else ''):45s} {it_s:5.1f} it/s (chosen: 50)")


if __name__ == "__main__":
    main()
