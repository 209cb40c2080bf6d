"""How many students can play at once: `python bench/capacity.py [--sessions 20]`.

Starts one local server, opens N sessions as separate Playwright contexts in one headless
Chromium (each its own Streamlit session, like N students' browsers), presses Play in every one
at default settings, and after a warm-up measures for a fixed time:
- per session, distinct redraws of the decision boundary per second (min / median / max);
- the server's CPU use (its process, in cores) and resident memory: the growth from the
  server at rest to the server with N sessions playing, divided by N, is memory per session.
Traffic goes only to 127.0.0.1. The browser shares the machine with the server, so on a
2-core machine the figures are a lower bound for a server with the machine to itself.
Target (issue 5): 20 sessions at >= 2 redraws/s each, < 50 MB of server memory per session.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import browser as B

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


def open_session(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    B.open_app(page, url)
    B.wait_heatmap(page)
    return page


def measure(n, seconds, warmup):
    from playwright.sync_api import sync_playwright

    with B.Server() as server, sync_playwright() as p:
        pid = server.proc.pid
        time.sleep(2)
        _, rss_idle = proc_stats(pid)
        browser = p.chromium.launch(executable_path=B.CHROMIUM, args=ARGS)
        pages = []
        for i in range(n):
            pages.append(open_session(browser, server.url))
            print(f"  session {i + 1}/{n} open", file=sys.stderr)
        for page in pages:
            page.evaluate(COUNT_FRAMES)
            B.click(page, "Play")
        # wait in Playwright, not time.sleep: a driver that does not read what the browser
        # sends (20 pages' websocket frames) stalls the browser
        pages[0].wait_for_timeout(warmup * 1000)
        start = [page.evaluate("() => window.__cap.frames") for page in pages]
        t_start = [B.counter(page) for page in pages]
        cpu0, _ = proc_stats(pid)
        t0 = time.monotonic()
        pages[0].wait_for_timeout(seconds * 1000)
        elapsed = time.monotonic() - t0
        cpu1, rss_playing = proc_stats(pid)
        end = [page.evaluate("() => window.__cap.frames") for page in pages]
        t_end = [B.counter(page) for page in pages]
        browser.close()
    fps = [(b - a) / elapsed for a, b in zip(start, end)]
    eps = [((b or 0) - (a or 0)) / elapsed for a, b in zip(t_start, t_end)]
    return {"sessions": n, "fps": fps, "eps": eps, "cpu": (cpu1 - cpu0) / elapsed,
            "rss_idle": rss_idle, "rss": rss_playing}


def report(r):
    fps, n = r["fps"], r["sessions"]
    per_session = (r["rss"] - r["rss_idle"]) / n
    print(f"{n} sessions playing at default settings (speed 10), one server, one Chromium")
    print(f"  redraws/s per session: min {min(fps):.1f}  median {statistics.median(fps):.1f}"
          f"  max {max(fps):.1f}   (target >= 2 each: {'ok' if min(fps) >= 2 else 'MISSED'})")
    print(f"  iterations/s per session: median {statistics.median(r['eps']):.0f}")
    print(f"  server CPU: {r['cpu']:.2f} cores")
    print(f"  server memory: {r['rss_idle']:.0f} MB at rest, {r['rss']:.0f} MB playing: "
          f"{per_session:.1f} MB per session   (target < 50: "
          f"{'ok' if per_session < 50 else 'MISSED'})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    args = parser.parse_args(argv)
    if not Path(B.CHROMIUM).exists():
        sys.exit(B.SKIP_REASON)
    report(measure(args.sessions, args.seconds, args.warmup))


if __name__ == "__main__":
    main()
