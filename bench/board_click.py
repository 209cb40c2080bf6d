"""From a student's click on "Send my run to the class" to the dot on the projected board, in
headless Chromium: on one server with SQLite, and on two replicas sharing PostgreSQL behind
HAProxy (deploy/run.py's Cluster; the student and the projector may be on different replicas).

    python bench/board_click.py                      # both, 10 clicks each
    python bench/board_click.py --store sqlite --clicks 20

The projector (1280x720, ?present=1) shows a board opened straight in the store; each click comes
from a new browser (its own sender) that opened the board's link with its own η and t = 5 and
waited for the page to settle. Measured: click -> the student's "Sent" message, and click -> the
projector's chart holding the new dot (the page looks for changes every second). Prints one
JSON line per store with medians and 90th percentiles.
"""

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import sqlalchemy as sa
from playwright.sync_api import sync_playwright

from ffnn.app import board_store as S

import browser as B
import pgserver
from board_client import DOTS_JS
from cluster import Cluster

SEND = "Send my run to the class"


def quantiles(values):
    values = sorted(values)
    p90 = values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
    return {"median_s": round(statistics.median(values), 2), "p90_s": round(p90, 2),
            "max_s": round(values[-1], 2)}


def measure(url, db_url, clicks, browser):
    engine = sa.create_engine(db_url)
    try:
        code, _ = S.Store(engine).open_board()
    finally:
        engine.dispose()
    projector = browser.new_page(viewport=B.PROJECTOR)
    projector.goto(f"{url}/Class_board?class={code}&present=1")
    projector.wait_for_function(f"() => ({DOTS_JS})() === 0", timeout=60_000)
    sent, dot = [], []
    for i in range(clicks):
        ctx = browser.new_context(viewport=B.LAPTOP)
        page = ctx.new_page()
        page.goto(f"{url}/Class_board?class={code}&lr={0.01 * (i + 1):g}&t=5")
        B.button(page, SEND).wait_for(timeout=60_000)
        B.settle(page)
        start = time.monotonic()
        B.click(page, SEND)
        page.get_by_text("Sent: your run is").wait_for(timeout=60_000)
        sent.append(time.monotonic() - start)
        projector.wait_for_function(f"() => ({DOTS_JS})() === {i + 1}", timeout=60_000)
        dot.append(time.monotonic() - start)
        ctx.close()
    projector.close()
    return {"clicks": clicks, "click_to_sent": quantiles(sent), "click_to_dot": quantiles(dot),
            "dot_s": [round(x, 2) for x in dot]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--clicks", type=int, default=10)
    args = ap.parse_args()
    with sync_playwright() as p:
        browser = B.launch(p)
        if args.store in ("sqlite", "both"):
            db_url = f"sqlite:///{tempfile.mkdtemp(prefix='ffnn-click-')}/board.sqlite3"
            os.environ["FFNN_BOARD_URL"] = db_url
            with B.Server() as server:
                out = measure(server.url, db_url, args.clicks, browser)
            print(json.dumps({"store": "sqlite, one server", **out}), flush=True)
        if args.store in ("postgresql", "both"):
            with contextlib.ExitStack() as stack:
                pg = stack.enter_context(pgserver.PostgresServer(max_connections=100))
                db_url = pg.create_database("click")
                os.environ["FFNN_BOARD_URL"] = db_url
                cluster = stack.enter_context(Cluster(2))
                out = measure(cluster.url, db_url, args.clicks, browser)
            print(json.dumps({"store": "postgresql, two replicas behind HAProxy", **out}),
                  flush=True)
        browser.close()


if __name__ == "__main__":
    main()
