"""A projected class board with 500 runs (issue 18): how long the projector takes to load it, and
to redraw after each new run, in headless Chromium (1280x720, ?present=1) on SQLite.

    python bench/board_500.py                           # this tree
    python bench/board_500.py --root /tmp/ffnn-a6e1699  # another checkout (git archive)

499 runs of 200 curve points each are written straight into the store (realistic η, losses and
curves), the projector opens the board, then `--new` more runs arrive one at a time (the 500th,
and after hiding one each time, the next); then three new tabs open it. Load: from goto to every
dot drawn (the first on a fresh server; warm: a new tab later). Redraw: from the run stored to
its dot drawn (the page looks for changes every second: half a second of it on average). Prints
one JSON line.
"""

import argparse
import json
import math
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
from board_client import DOTS_JS


def submission(i, n=500):
    lr = 10 ** (-4 + 5 * i / (n - 1))
    steps = list(range(0, 1000, 5))
    losses = [0.7 * math.exp(-min(lr, 1) * s / 200) + 0.05 for s in steps]
    return S.Submission({"lr": f"{lr:.4g}"}, lr, 1000, losses[-1], losses[-1] * 1.1, 0.8, 0.75,
                        False, steps, losses)


def fill(url, n):
    """A board with n runs, written in one transaction -> (code, key, store)."""
    engine = sa.create_engine(url)
    store = S.Store(engine)
    code, key = store.open_board()
    now = time.time()
    with engine.begin() as conn:
        board = conn.execute(sa.select(S.boards).where(S.boards.c.code == code)).one()
        rows = []
        for i in range(n):
            s = submission(i)
            rows.append({"board_id": board.id, "number": i + 1, "sender": f"s{i}",
                         "name": f"student {i}", "settings": json.dumps(s.settings),
                         "lr": s.lr, "t": s.t, "train_loss": s.train_loss,
                         "test_loss": s.test_loss, "train_acc": s.train_acc,
                         "test_acc": s.test_acc, "diverged": False,
                         "curve": json.dumps([s.steps, s.losses]), "created": now - 600,
                         "hidden": False})
        conn.execute(sa.insert(S.runs), rows)
        conn.execute(sa.update(S.boards).where(S.boards.c.id == board.id).values(
            next_number=n + 1))
    return code, key, store


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=str(ROOT), help="the checkout whose app is measured")
    ap.add_argument("--new", type=int, default=5, help="runs sent after the load, one by one")
    ap.add_argument("--runs", type=int, default=499, help="runs on the board at the load")
    args = ap.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp(prefix='ffnn-b500-')}/board.sqlite3"
    os.environ["FFNN_BOARD_URL"] = url
    n = args.runs
    code, key, store = fill(url, n)
    out = {"root": args.root, "runs": n}
    with B.Server(root=args.root) as server, sync_playwright() as p:
        browser = B.launch(p)
        page = browser.new_page(viewport=B.PROJECTOR)
        start = time.monotonic()
        page.goto(f"{server.url}/Class_board?class={code}&present=1")
        page.wait_for_function(f"() => ({DOTS_JS})() === {n}", timeout=120_000)
        out["load_s"] = round(time.monotonic() - start, 2)
        B.settle(page, quiet_ms=1500, timeout=60_000)
        redraws = []
        for i in range(args.new):
            if i:
                store.hide(code, key, n + i)            # back to n shown: room for one more
                page.wait_for_function(f"() => ({DOTS_JS})() === {n}", timeout=60_000)
                time.sleep(1.5)
            start = time.monotonic()
            store.submit(code, f"new{i}", submission(i * 97 % 500), name=f"new {i}")
            page.wait_for_function(f"() => ({DOTS_JS})() === {n + 1}", timeout=60_000)
            redraws.append(time.monotonic() - start)
        out["redraw_s"] = [round(r, 2) for r in redraws]
        out["redraw_median_s"] = round(statistics.median(redraws), 2)
        loads = []                         # a new tab on the warm server, each time
        for _ in range(3):
            other = browser.new_page(viewport=B.PROJECTOR)
            start = time.monotonic()
            other.goto(f"{server.url}/Class_board?class={code}&present=1")
            other.wait_for_function(f"() => ({DOTS_JS})() === {n + 1}", timeout=120_000)
            loads.append(time.monotonic() - start)
            other.close()
        out["warm_load_s"] = [round(x, 2) for x in loads]
        browser.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
