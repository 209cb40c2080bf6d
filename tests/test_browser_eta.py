"""No client error at any η (issue 11): two tabs on one server play at η = 100 and η = 1000 for
20 s on the home page, on Compare losses and on Error surface of one neuron (its own η slider),
leaving each page while it plays (home → Compare → Error surface → home, pressing Play where it
is paused), then run each to its last iteration at 2,000 it/s. No connection-error dialog (it
read "Cached ForwardMsg MISS" before .streamlit/config.toml's global.minCachedMessageSize), no
console error, no exception, and every counter keeps moving until the run's max_iterations."""

import os
import time

import pytest

import browser as B

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON),
]

ETAS = ("100", "1000")
PLAY_S = 20.0             # seconds of play on each page (issue 11: at least 20 s)
MAX_ITERATIONS = 2000     # so that a run still plays after those 20 s, when the page is left
SAMPLE_S = 2.0
STALL_S = 6.0             # a counter standing still this long while playing is a failure
HOME, COMPARE, SURFACE = "Gradient descent", "Compare losses", "Error surface of one neuron"
PREFIX = {HOME: "", COMPARE: "cmp_", SURFACE: "es_"}


class Tab:
    """One student's tab: its page, its η, what went wrong so far, and the counters seen."""

    def __init__(self, chromium, url, eta):
        self.eta, self.where = eta, HOME
        self.context = chromium.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.console = B.watch_console(self.page)
        self.trouble, self.seen = [], []
        B.open_app(self.page, url, f"?lr={eta}&max_iterations={MAX_ITERATIONS}")
        B.wait_ready(self.page, timeout=60_000)

    @property
    def prefix(self):
        return PREFIX[self.where]

    def check(self):
        """Note a connection-error dialog or an exception on the page."""
        dialog = B.connection_error(self.page)
        if dialog:
            self.trouble.append(f"η = {self.eta}, {self.where}: dialog {dialog!r}")
        for problem in B.problems(self.page):
            self.trouble.append(f"η = {self.eta}, {self.where}: {problem}")

    def counter(self):
        text = B.counter_text(self.page)
        return None if text is None else tuple(int(x) for x in text.split("/"))

    def playing(self):
        return B.play_label(self.page, self.prefix) == "Pause"

    def goto(self, where, ready=True):
        """Follow the page's link; ready=False (a page that may be playing): only until its
        Play/Pause button is there."""
        B.goto_page(self.page, where, timeout=30_000, ready=ready)
        self.where = where
        # three tabs at 2,000 it/s on one server: a page's first run can take long on a loaded
        # machine, so a generous wait for its Play button
        B.control(self.page, "play", self.prefix, timeout=60_000)
        self.check()

    def speed(self, label):
        B.type_option(self.page, "Speed", label)
        self.page.wait_for_function(
            """(v) => document.querySelector('input[role="combobox"][aria-label="Speed"]')
                .value === v""", arg=label)

    def play(self):
        """Press Play (if it shows Play and can be pressed) and wait until it shows Pause."""
        button = B.control(self.page, "play", self.prefix)
        if B.play_label(self.page, self.prefix) == "Play" and button.is_enabled():
            button.click()
            B.wait_play_label(self.page, "Pause", self.prefix)

    def close(self):
        self.context.close()


def watch(tabs, seconds, until_done=False):
    """Sample every tab's counter every SAMPLE_S for `seconds` (or, until_done, until every
    tab's run stopped by itself): no dialog, no exception, and while a tab plays its counter
    never stands still for STALL_S."""
    last = {id(tab): (tab.counter(), time.monotonic()) for tab in tabs}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        tabs[0].page.wait_for_timeout(SAMPLE_S * 1000)
        busy = False
        for tab in tabs:
            tab.check()
            now, at = tab.counter(), time.monotonic()
            tab.seen.append((tab.where, round(at, 1), now))
            playing = tab.playing()
            busy |= playing
            (before, since) = last[id(tab)]
            if now != before:
                last[id(tab)] = (now, at)
            elif playing and at - since > STALL_S:
                tab.trouble.append(f"η = {tab.eta}, {tab.where}: the counter stood at {now} "
                                   f"for {at - since:.0f} s while playing")
                last[id(tab)] = (now, at)
        if until_done and not busy:
            return


def to_the_end(tabs):
    """Raise the speed to 2,000 it/s and let every run end by itself; -> each tab's counter.
    Each must stop at its max_iterations (a run that stays finite is never stopped early)."""
    for tab in tabs:
        if tab.playing():
            tab.speed("2,000 it/s")
    watch(tabs, 60, until_done=True)
    return {tab.eta: tab.counter() for tab in tabs}


@pytest.mark.xfail(strict=False, reason="issue 20, open: a page switched while playing can still "
                   "go blank (Compare losses after the home page at η = 1000, seen 1 run in 2 "
                   "in the full suite after the stage.js onItsPage guard)")
def test_play_at_eta_100_and_1000_on_every_page_that_plays(server, chromium):
    """20 s of play on each page, leaving it while it still plays (max_iterations 2000: the
    default speed makes 1000 in 20 s); back on the home page, then on Compare and Error
    surface, each run goes on where it was and ends at its max_iterations (at 2,000 it/s)."""
    tabs = [Tab(chromium, server.url, eta) for eta in ETAS]
    ends = {}
    try:
        for where in (HOME, COMPARE, SURFACE):
            for tab in tabs:
                if where != HOME:
                    tab.goto(where, ready=False)            # the last page still plays
                    B.wait_ready(tab.page)
                if where == SURFACE:                        # its own η, up to 1000
                    B.set_slider(tab.page, "Learning rate η", tab.eta, where="main",
                                 from_end=True)
                    B.wait_ready(tab.page)
                tab.play()
            watch(tabs, PLAY_S)
        for where in (HOME, COMPARE, SURFACE):
            for tab in tabs:
                tab.goto(where, ready=False)
                tab.play()                                  # still playing: nothing to press
                if where == HOME:
                    tab.speed("2,000 it/s")
            ends[where] = to_the_end(tabs)

        console = {tab.eta: tab.console for tab in tabs if tab.console}
        trouble = [x for tab in tabs for x in tab.trouble]
        seen = {tab.eta: tab.seen for tab in tabs}
    finally:
        for tab in tabs:
            tab.close()
    assert trouble == [], (trouble, seen)
    assert console == {}
    for where, end in ends.items():
        for eta, (t, max_iterations) in end.items():
            if where != SURFACE:           # a path of one neuron can end early: it diverged
                assert t == max_iterations == MAX_ITERATIONS, (where, eta, end, seen[eta])
