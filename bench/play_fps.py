"""How smoothly Play runs: redraws and epochs per second in headless Chromium, and the server's
milliseconds per frame. `python bench/play_fps.py` (see bench/README.md).

For each scenario the script
1. times, in this process, what one batch of the home page's live stage costs the server (the
   page asks for one about twice a second): the updates and their frames (ffnn.frames.record),
   the watchdog's reading, and the message's bytes (ffnn.app.stage);
2. starts the app, opens it in headless Chromium (1280x800), sets the scenario up through the UI
   (sidebar, Max iterations in its Advanced expander, the Speed selectbox of the control row),
   raising Max iterations so that training does not stop, presses Play and, after a warm-up,
   measures inside the page for a fixed time: distinct frames of the decision boundary (changes
   of the stage's canvas, its pixels sampled on every requestAnimationFrame), the counter t (full
   batch: one step is one epoch), animation frames the page managed, main-thread time in long
   tasks, websocket messages and bytes from the server, and the CPU time the server and the
   browser used meanwhile.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import browser as B

MAX_ITERATIONS = 1_000_000
ADVANCED = "Advanced: initialisation, seeds, batch, L2, max iterations"   # the sidebar expander

# name -> (description, settings for build_run, speed in iterations per second, targets:
# redraws/s, epochs/s)
SCENARIOS = {
    "a": ("defaults: circle, [4, 2], tanh, 50 it/s", {}, 50, (19, None)),
    "b": ("defaults at the fastest speed (2,000 it/s)", {}, 2000, (10, 120)),
    "c": ("spiral, 6 hidden layers of 8, 2,000 it/s",
          {"dataset": "spiral", "n_hidden": 6, **{f"width_{i}": 8 for i in range(1, 7)}},
          2000, (10, 40)),
    "d": ("Compare losses (A: squared error, B: cross-entropy) at its defaults", {}, None,
          (None, None)),
}
# Scenarios played on another page than the home page: the page's path, its player's key prefix
# (opened at its defaults with Max iterations raised by the URL; not timed in process).
PAGES = {"d": ("Compare_losses", "cmp_")}

# Inside the page: count distinct frames of the boundary, animation frames and long tasks, and
# (from an init script) websocket traffic. snapshot() returns everything at one instant.
PAGE_PROBE = """(counterSrc) => {
  const f = window.__ffnn;
  const s = window.__bench = {frames: 0, rafs: 0, longMs: 0, lastZ: null, lastPrint: null,
                              counter: eval('(' + counterSrc + ')')};
  const tick = () => {
    s.rafs++;
    const z = f.boundary();
    if (z && z !== s.lastZ) {
      s.lastZ = z;
      const p = f.fingerprint(z);
      if (p !== s.lastPrint) { s.lastPrint = p; s.frames++; }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  try {
    new PerformanceObserver(list => { for (const e of list.getEntries()) s.longMs += e.duration; })
      .observe({type: 'longtask', buffered: false});
  } catch (e) { s.longMs = NaN; }
}"""

SNAPSHOT = """() => {
  const s = window.__bench, ws = window.__ws || {msgs: 0, bytes: 0};
  const c = s.counter();
  return {now: performance.now(), frames: s.frames, rafs: s.rafs, longMs: s.longMs,
          t: c === null ? null : parseInt(c), msgs: ws.msgs, bytes: ws.bytes};
}"""

WS_PROBE = """(() => {
  const Orig = window.WebSocket;
  window.__ws = {msgs: 0, bytes: 0};
  window.WebSocket = class extends Orig {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', e => {
        window.__ws.msgs++;
        const d = e.data;
        window.__ws.bytes += d.byteLength ?? d.size ?? d.length ?? 0;
      });
    }
  };
})();"""


# ---------------------------------------------------------------- the server, in this process


def server_batch_times(overrides, speed, batches):
    """Median milliseconds per batch of frames the home page's live stage is sent while it
    plays (ffnn.app.controls: LEAD seconds of updates at `speed`, a frame every
    ceil(speed / FPS) of them), by part: the updates with their frames (ffnn.frames.record),
    the numbers' and the watchdog's reading of the run, and the message's bytes."""
    import logging

    from ffnn import frames as F
    from ffnn.app import controls, settings, stage, state
    from ffnn.probe import at_start
    from ffnn.watch import watch

    # st.cache_data outside `streamlit run` warns "No runtime found"
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    run = state.build_run(dict(settings.DEFAULTS, **overrides, max_iterations=MAX_ITERATIONS))
    tr = run.trainer
    n = max(1, int(speed * controls.LEAD))
    every = max(1, -(-speed // controls.FPS))
    parts = {k: [] for k in ("record", "watchdog", "message", "total")}
    size = 0
    for i in range(batches + 3):
        t0 = time.perf_counter()
        cp = tr.checkpoint()                            # as Player._next_batch keeps one
        frames = F.record(tr, n, every)
        t1 = time.perf_counter()
        watch(tr)
        t2 = time.perf_counter()
        msg = stage.Message()
        first = at_start(tr)
        head = {"player": "main", "view": "plane", "batch": {"seq": i, "playing": True},
                "frames": [stage.frames_ref(msg, frames)],
                "info": stage.side_info(run, [first[f"grad_W{l}"]
                                              for l in range(1, run.net.L + 1)])}
        data = msg.bytes(head)
        t3 = time.perf_counter()
        del cp
        if i >= 3:  # the first batches warm caches up
            for k, v in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
                parts[k].append(1000 * v)
            size = len(data)
    out = {k: statistics.median(v) for k, v in parts.items()}
    out["kB/batch"] = size / 1000
    out["updates/batch"] = n
    out["frames/batch"] = len(frames)
    return out


# ---------------------------------------------------------------- the browser


def _descendants(pid):
    """Pids of every process under `pid` (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _cpu_seconds(pids):
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def _chromium_pids(server_pid):
    pids = []
    for pid in _descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")[0]
        except OSError:
            continue
        if b"chrom" in cmd and pid != server_pid:
            pids.append(pid)
    return pids


def set_up(page, overrides, speed):
    """Reach the scenario through the UI, as a person would."""
    if overrides.get("dataset") == "spiral":
        B.select_option(page, "Dataset", "Spiral")
        B.wait_ready(page)
    if "n_hidden" in overrides:
        B.set_slider(page, "Hidden layers", overrides["n_hidden"])
        B.wait_ready(page)
        for i in range(1, overrides["n_hidden"] + 1):
            if f"width_{i}" in overrides:
                B.set_number(page, f"Layer {i}", overrides[f"width_{i}"])
                B.wait_ready(page, quiet_ms=200)
    page.locator('[data-testid="stSidebar"] summary').filter(has_text=ADVANCED).click()
    B.set_number(page, "Max iterations", MAX_ITERATIONS)
    B.wait_ready(page)
    label = f"{speed:,} it/s"
    B.type_option(page, "Speed", label)
    page.wait_for_function("""(v) => document.querySelector(
        'input[role="combobox"][aria-label="Speed"]').value === v""", arg=label)
    B.wait_ready(page)
    B.wait_counter(page, f"0 / {MAX_ITERATIONS}")
    B.wait_heatmap(page)


def summarize_profile(profile, top=12):
    """A V8 CPU profile -> lines: where the page's main thread spent its time."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}

    def where(node):
        cf = node["callFrame"]
        url = cf["url"].rsplit("/", 1)[-1].split("?")[0]
        return f"{cf['functionName'] or '(anonymous)'} [{url}]" if url else cf["functionName"]

    self_ms, incl_ms, by_file = {}, {}, {}
    total = 0.0
    for node_id, dt in zip(profile["samples"], profile["timeDeltas"], strict=True):
        ms = dt / 1000
        total += ms
        node = nodes[node_id]
        self_ms[where(node)] = self_ms.get(where(node), 0) + ms
        url = node["callFrame"]["url"].rsplit("/", 1)[-1].split("?")[0] or node["callFrame"][
            "functionName"]
        by_file[url] = by_file.get(url, 0) + ms
        seen, n = set(), node_id
        while n is not None:
            name = nodes[n]["callFrame"]["functionName"]
            if name and name not in seen:
                seen.add(name)
                incl_ms[name] = incl_ms.get(name, 0) + ms
            n = parent.get(n)
    lines = [f"  sampled {total / 1000:.1f} s of the main thread"]
    lines.append("  by script (self time):")
    for k, v in sorted(by_file.items(), key=lambda kv: -kv[1])[:8]:
        lines.append(f"    {100 * v / total:5.1f} %  {k}")
    lines.append("  functions (self time):")
    for k, v in sorted(self_ms.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"    {100 * v / total:5.1f} %  {k}")
    lines.append("  functions (inclusive time):")
    for k, v in sorted(incl_ms.items(), key=lambda kv: -kv[1])[:top * 2]:
        lines.append(f"    {100 * v / total:5.1f} %  {k}")
    return "\n".join(lines)


def browser_run(chromium, url, overrides, speed, warmup, seconds, server_pid, profile=False,
                where=None):
    """One scenario in a fresh tab; where=(path, prefix) plays another page's player."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(WS_PROBE)
    page = context.new_page()
    page.set_default_timeout(60_000)
    path, prefix = where or ("", "")
    try:
        if where:
            B.open_app(page, url, f"{path}?max_iterations={MAX_ITERATIONS}")
            B.wait_counter(page, f"0 / {MAX_ITERATIONS}")
            B.wait_heatmap(page)
        else:
            B.open_app(page, url)
            set_up(page, overrides, speed)
        page.evaluate(PAGE_PROBE, B.COUNTER_JS)
        B.press(page, "play", prefix)
        page.wait_for_timeout(warmup * 1000)
        browser_pids = _chromium_pids(server_pid)
        cpu0 = (_cpu_seconds([server_pid]), _cpu_seconds(browser_pids), time.monotonic())
        if profile:
            cdp = context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 500})
            cdp.send("Profiler.start")
        s0 = page.evaluate(SNAPSHOT)
        page.wait_for_timeout(seconds * 1000)
        s1 = page.evaluate(SNAPSHOT)
        if profile:
            profile = summarize_profile(cdp.send("Profiler.stop")["profile"])
        cpu1 = (_cpu_seconds([server_pid]), _cpu_seconds(browser_pids), time.monotonic())
        B.press(page, "play", prefix)                  # Pause
    finally:
        context.close()
    dt = (s1["now"] - s0["now"]) / 1000
    wall = cpu1[2] - cpu0[2]
    return {
        "redraws/s": (s1["frames"] - s0["frames"]) / dt,
        "epochs/s": (s1["t"] - s0["t"]) / dt,
        "rAF/s": (s1["rafs"] - s0["rafs"]) / dt,
        "long tasks %": 100 * (s1["longMs"] - s0["longMs"]) / (1000 * dt),
        "ws msgs/s": (s1["msgs"] - s0["msgs"]) / dt,
        "ws kB/s": (s1["bytes"] - s0["bytes"]) / 1000 / dt,
        "server CPU %": 100 * (cpu1[0] - cpu0[0]) / wall,
        "browser CPU %": 100 * (cpu1[1] - cpu0[1]) / wall,
        "seconds": dt,
        "profile": profile or None,
    }


# ---------------------------------------------------------------- the report


def verdict(value, target):
    if target is None:
        return ""
    return "ok" if value >= target else f"MISS (< {target})"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenarios", default="abc", help="which of a, b, c, d to run (default abc)")
    ap.add_argument("--seconds", type=float, default=10.0, help="measuring time per scenario")
    ap.add_argument("--warmup", type=float, default=2.0, help="playing time before measuring")
    ap.add_argument("--server-frames", type=int, default=40,
                    help="batches timed in this process per scenario")
    ap.add_argument("--no-browser", action="store_true", help="only the in-process timing")
    ap.add_argument("--set", action="append", default=[], metavar="OPTION=VALUE",
                    help="a `streamlit run` option for the server, e.g. runner.postScriptGC=false "
                         "(repeatable)")
    ap.add_argument("--root", default=str(ROOT),
                    help="serve the app from this copy of the repository (to try a change)")
    ap.add_argument("--profile", action="store_true",
                    help="also record a V8 CPU profile of the page while measuring and print "
                         "where its main thread spends the time (slows the page a little)")
    args = ap.parse_args(argv)
    names = [n for n in args.scenarios if n in SCENARIOS]

    sys.path.insert(0, args.root)  # the in-process timing uses the same copy of ffnn as the server
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    server = {}
    for n in names:
        _, overrides, speed, _ = SCENARIOS[n]
        if n in PAGES:
            continue
        server[n] = server_batch_times(overrides, speed, args.server_frames)

    browser = {}
    if not args.no_browser:
        from playwright.sync_api import sync_playwright
        options = [part for o in args.set
                   for part in ("--" + o.split("=", 1)[0], o.split("=", 1)[1])]
        with B.Server(root=args.root, options=options) as srv, sync_playwright() as p:
            chromium = B.launch(p)
            try:
                for n in names:
                    _, overrides, speed, _ = SCENARIOS[n]
                    browser[n] = browser_run(chromium, srv.url, overrides, speed, args.warmup,
                                             args.seconds, srv.proc.pid, args.profile,
                                             PAGES.get(n))
            finally:
                chromium.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")

    print("\nServer, in process: median ms per batch of the home page's live stage")
    cols = ["updates/batch", "frames/batch", "record", "watchdog", "message", "total",
            "kB/batch"]
    print("| scenario | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for n in server:
        print(f"| {n} | " + " | ".join(f"{server[n][c]:.2f}" for c in cols) + " |")

    if browser:
        print(f"\nBrowser: headless Chromium 1280x800, {args.seconds:g} s after {args.warmup:g} s "
              "of Play")
        cols = ["redraws/s", "epochs/s", "rAF/s", "long tasks %", "ws msgs/s", "ws kB/s",
                "server CPU %", "browser CPU %"]
        print("| scenario | " + " | ".join(cols) + " | redraws ≥ | epochs ≥ |")
        print("|---" * (len(cols) + 3) + "|")
        for n in names:
            r, (t_redraw, t_epochs) = browser[n], SCENARIOS[n][3]
            print(f"| {n} | " + " | ".join(f"{r[c]:.1f}" for c in cols)
                  + f" | {verdict(r['redraws/s'], t_redraw)}"
                  + f" | {verdict(r['epochs/s'], t_epochs)} |")
    for n in names:
        if browser.get(n, {}).get("profile"):
            print(f"\nProfile of the page's main thread, scenario {n}:\n{browser[n]['profile']}")
    print()
    for n in names:
        print(f"{n}: {SCENARIOS[n][0]}")
    print("TensorFlow Playground for reference: ~60 epochs and 60 redraws/s at the defaults, "
          "~20 of each for 6x8 on the spiral.")


if __name__ == "__main__":
    main()
