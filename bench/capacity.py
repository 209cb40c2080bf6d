"""How many students can play at once: `python bench/capacity.py [--sessions 20] [--browsers 2]`.

    python bench/capacity.py --sessions 40 --replicas 2    # through HAProxy, two replicas

Starts one local server (or, with --replicas, that many behind HAProxy: tests/cluster.py's
Cluster, each student loading the page first and keeping the balancer's cookie) and N sessions,
all pressing Play at default settings (with Max iterations raised so that none stops during the
measurement):
- `--browsers` of them are real pages (separate Playwright contexts in one headless Chromium),
  whose redraws of the decision boundary are counted in the page;
- the others are students without a browser (bench/student.py): they speak Streamlit's own
  protocol to the server exactly as the page does (Play, then the next batch of frames when
  less than a fraction of a second is left) and count the distinct θ_t they receive and the
  frames their clock shows. A class's browsers run on the students' machines,
  not on the server: on a 2-core machine, one Chromium drawing 20 pages has not the CPU for it
  (`--browsers 20` shows how far it gets).
After a warm-up it measures for a fixed time:
- per session, frames (redraws) per second (min / median / max), browsers and others apart, and
  the distinct θ_t per second each student received;
- the server's CPU use (its process, in cores) and resident memory: the growth from the
  server at rest to the server with N sessions playing, divided by N, is memory per session.
Traffic goes only to 127.0.0.1.
Targets: every session >= 20 distinct θ_t per second delivered, pages >= 20 redraws/s, the
server <= 1.5 cores, < 50 MB of server memory per session.
"""

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import browser as B
from cluster import Cluster

# Background tabs would have their timers throttled to 1/s; every session here is "on screen".
ARGS = [*B.CHROMIUM_ARGS, "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"]

# A new frame is a new picture object (compared by identity: hashing a picture 50 times a second
# in 20 pages would cost the browsers a good share of the CPU being measured).
COUNT_FRAMES = """() => {
  window.__cap = {frames: 0, last: null};
  setInterval(() => {
    const p = window.__ffnn.boundary();
    if (p !== null && p !== window.__cap.last) { window.__cap.last = p; window.__cap.frames++; }
  }, 20);
}"""


def proc_stats(pid):
    """(cpu seconds used so far, resident MB) of one process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])          # utime + stime
    with open(f"/proc/{pid}/status") as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
    return ticks / 100.0, rss_kb / 1024.0


QUERY = "max_iterations=1000000"   # the defaults, but no session stops while measured


def open_session(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    B.open_app(page, url, "?" + QUERY)
    B.wait_heatmap(page)
    return page


def replica_of(page):
    """The replica the balancer's cookie names for this page ("server" without a balancer)."""
    return next((c["value"] for c in page.context.cookies() if c["name"] == "ffnn_replica"),
                "server")


class Students:
    """`n` students without a browser, on an asyncio loop in a thread of their own."""

    def __init__(self, n, url, arrive=False):
        from student import Student

        self.students = [Student(query=QUERY) for _ in range(n)]
        if arrive:                    # through a balancer: load the page, keep its cookie
            for s in self.students:
                s.arrive(url)
        self.loop = asyncio.new_event_loop()
        self.started = threading.Semaphore(0)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.stop = asyncio.run_coroutine_threadsafe(self._event(), self.loop).result()
        self.tasks = [asyncio.run_coroutine_threadsafe(
            s.run(url, self.stop, started=self.started.release), self.loop)
            for s in self.students]

    @staticmethod
    async def _event():
        return asyncio.Event()

    def wait_started(self, timeout=120):
        for s in self.students:
            if not self.started.acquire(timeout=timeout):
                raise RuntimeError(f"a student did not start: {s.error}")

    def frames(self):
        return [s.frames for s in self.students]

    def received(self):
        return [len(s.received) for s in self.students]

    def close(self):
        self.loop.call_soon_threadsafe(self.stop.set)
        for task in self.tasks:
            task.result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        errors = [s.error for s in self.students if s.error]
        if errors:
            raise RuntimeError(f"{len(errors)} students failed: {errors[0]}")


def measure(n, browsers, seconds, warmup, replicas=0):
    from playwright.sync_api import sync_playwright

    with (Cluster(replicas) if replicas else B.Server()) as server, sync_playwright() as p:
        pids = ({node.name: node.proc.pid for node in server.nodes} if replicas
                else {"server": server.proc.pid})
        time.sleep(2)
        rss_idle = {name: proc_stats(pid)[1] for name, pid in pids.items()}
        students = Students(n - browsers, server.url, arrive=bool(replicas))
        students.wait_started()
        print(f"  {n - browsers} students without a browser playing", file=sys.stderr)
        chromium = p.chromium.launch(executable_path=B.CHROMIUM, args=ARGS)
        pages = []
        for i in range(browsers):
            pages.append(open_session(chromium, server.url))
            print(f"  browser session {i + 1}/{browsers} open", file=sys.stderr)
        for page in pages:
            page.evaluate(COUNT_FRAMES)
            B.press(page, "play")
        # wait in Playwright, not time.sleep: a driver that does not read what the browser
        # sends (many pages' websocket frames) stalls the browser
        wait = pages[0].wait_for_timeout if pages else (lambda ms: time.sleep(ms / 1000))
        wait(warmup * 1000)
        start = [page.evaluate("() => window.__cap.frames") for page in pages]
        s_start, r_start = students.frames(), students.received()
        cpu0 = {name: proc_stats(pid)[0] for name, pid in pids.items()}
        lb0 = proc_stats(server.haproxy.pid)[0] if replicas else 0.0
        me0 = proc_stats(os.getpid())[0]
        t0 = time.monotonic()
        wait(seconds * 1000)
        elapsed = time.monotonic() - t0
        after = {name: proc_stats(pid) for name, pid in pids.items()}
        lb1 = proc_stats(server.haproxy.pid)[0] if replicas else 0.0
        me1 = proc_stats(os.getpid())[0]
        end = [page.evaluate("() => window.__cap.frames") for page in pages]
        s_end, r_end = students.frames(), students.received()
        where = [replica_of(page) for page in pages] + [
            (s.cookie or "=server").split("=", 1)[1] for s in students.students]
        chromium.close()
        students.close()
    return {"sessions": n, "browsers": browsers, "replicas": replicas,
            "fps": [(b - a) / elapsed for a, b in zip(start, end)],
            "student_fps": [(b - a) / elapsed for a, b in zip(s_start, s_end)],
            "student_thetas": [(b - a) / elapsed for a, b in zip(r_start, r_end)],
            "where": where, "balancer_cpu": (lb1 - lb0) / elapsed,
            "client_cpu": (me1 - me0) / elapsed,
            "cpu": {name: (after[name][0] - cpu0[name]) / elapsed for name in pids},
            "rss_idle": rss_idle, "rss": {name: after[name][1] for name in pids}}


def _spread(values):
    if not values:
        return "none"
    return (f"min {min(values):.1f}  median {statistics.median(values):.1f}  "
            f"max {max(values):.1f}")


def report(r):
    n, k = r["sessions"], r["browsers"]
    everyone = r["fps"] + r["student_fps"]
    where = ("one server" if not r["replicas"] else
             f"{r['replicas']} replicas behind HAProxy")
    print(f"{n} sessions playing at default settings, {where}: {k} in Chromium "
          f"on this machine, {n - k} without a browser")
    print(f"  redraws/s per browser session: {_spread(r['fps'])}")
    print(f"  frames/s shown per session without a browser: {_spread(r['student_fps'])}")
    print(f"  distinct θ_t/s received per session without a browser: "
          f"{_spread(r['student_thetas'])}")
    print(f"  every session >= 20/s: {'ok' if min(everyone) >= 20 else 'MISSED'}")
    for name in r["cpu"]:
        mine = [fps for fps, w in zip(everyone, r["where"]) if w == name]
        count = len(mine) or n
        per_session = (r["rss"][name] - r["rss_idle"][name]) / count
        per_frame = 1000 * r["cpu"][name] / sum(mine) if sum(mine) else float("nan")
        per_session_cpu = 100 * r["cpu"][name] / count
        print(f"  {name}: {len(mine)} sessions, frames/s {_spread(mine)}; CPU "
              f"{r['cpu'][name]:.2f} cores (target <= 1.5: "
              f"{'ok' if r['cpu'][name] <= 1.5 else 'MISSED'}), {per_session_cpu:.1f} % of a "
              f"core per session, {per_frame:.2f} ms per frame shown; memory "
              f"{r['rss_idle'][name]:.0f} MB at rest, {r['rss'][name]:.0f} MB playing: "
              f"{per_session:.1f} MB per session   (target < 50: "
              f"{'ok' if per_session < 50 else 'MISSED'})")
    if r["replicas"]:
        print(f"  HAProxy CPU: {r['balancer_cpu']:.3f} cores")
    print(f"  this benchmark's own students (one Python process): {r['client_cpu']:.2f} cores")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--browsers", type=int, default=2,
                        help="how many of the sessions are real pages in Chromium (default 2)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--replicas", type=int, default=0,
                        help="replicas behind HAProxy (default 0: one server, no balancer)")
    args = parser.parse_args(argv)
    if not Path(B.CHROMIUM).exists():
        sys.exit(B.SKIP_REASON)
    if not 0 <= args.browsers <= args.sessions:
        sys.exit("--browsers must be between 0 and --sessions")
    report(measure(args.sessions, args.browsers, args.seconds, args.warmup, args.replicas))


if __name__ == "__main__":
    main()
