"""One person floods a class board with a script of fresh sessions (issue 18, 2), while real
students keep arriving: how many runs the flood stores, how fast, and how many students are
refused.

    python bench/board_flood.py                       # this tree, SQLite, 120 s
    python bench/board_flood.py --root /tmp/ffnn-main --seconds 120     # another checkout

A lecturer session opens a board. `--workers` flooders each open a new session (no cookie:
every session a new sender, as a script is), send one run, close it, and start again, until
the board holds 500 runs or `--seconds` pass. Meanwhile a student, a new browser every
`--student-every` s, sends one run: accepted or refused. The sessions speak Streamlit's
protocol (tests/board_client.py), so every run goes through the page's own button. Prints one
JSON line of figures.
"""

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import browser as B
from board_client import Tab

SEND = "Send my run to the class"
FULL = 500


def verdict(alerts):
    for kind, text in alerts:
        if kind == "success" and "Sent: your run is" in text:
            return "stored"
    return next((text for kind, text in alerts if kind in ("error", "warning")), "no answer")


async def flood(url, seconds, workers, student_every):
    lecturer = await Tab(url).open()
    await lecturer.click("Open a new class board")
    code = lecturer.metrics["Class code"]
    start = time.monotonic()
    stored, refused, students = [], {}, []
    done = asyncio.Event()

    async def one(query, record):
        tab = await Tab(url, query).open()
        try:
            return record(verdict(await tab.click(SEND)))
        finally:
            await tab.close()

    def note(v):
        if v == "stored":
            stored.append(time.monotonic() - start)
            if len(stored) >= FULL:
                done.set()
        else:
            key = v.split(":")[0][:60]
            refused[key] = refused.get(key, 0) + 1
        return v

    async def flooder(i):
        n = 0
        while not done.is_set() and time.monotonic() - start < seconds:
            n += 1
            try:
                await one(f"class={code}&lr={0.01 * (1 + (i * 997 + n) % 300):g}&t=5", note)
            except Exception as err:  # noqa: BLE001 (counted, the flood goes on)
                note(f"error: {type(err).__name__}")

    async def student():
        while not done.is_set() and time.monotonic() - start < seconds:
            at = time.monotonic() - start
            v = await one(f"class={code}&lr=0.3&t=5", lambda v: v)
            students.append((round(at, 1), v))
            await asyncio.sleep(student_every)

    await asyncio.gather(*(flooder(i) for i in range(workers)), student())
    took = time.monotonic() - start
    await lecturer.close()
    flood_stored = len(stored) - sum(v == "stored" for _, v in students)
    return {
        "seconds": round(took, 1), "workers": workers,
        "runs_stored": len(stored), "flood_runs_stored": flood_stored,
        "board_full_after_s": round(stored[FULL - 1], 1) if len(stored) >= FULL else None,
        "runs_stored_per_s": round(len(stored) / took, 2),
        "refusals": refused,
        "students_sent": len(students),
        "students_refused": sum(v != "stored" for _, v in students),
        "students_refused_at_s": [at for at, v in students if v != "stored"][:20],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=str(ROOT), help="the checkout to serve")
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--student-every", type=float, default=3.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FFNN_BOARD_URL"] = f"sqlite:///{tmp}/board.sqlite3"
        with B.Server(root=args.root) as server:
            figures = asyncio.run(flood(server.url, args.seconds, args.workers,
                                        args.student_every))
    figures["root"] = args.root
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
