"""Sessions arrive and leave for a long while: does memory stay flat? `python bench/soak.py`.

    python bench/soak.py                          # 10 min through one server, then 10 min
                                                  #   through HAProxy and two replicas
    python bench/soak.py --ways balancer --minutes 12 --every 1.0 --stay 20

A student (bench/student.py, Streamlit's protocol, no browser) arrives every `--every` seconds:
it loads the page (and, through the balancer, keeps its cookie), presses Play, plays for
`--stay` seconds at default settings and leaves (closes its websocket). Streamlit keeps a
departed session for server.disconnectedSessionTTL (120 s), then frees it, so a server's
memory should climb for the first stay + 120 s and then stay flat: bounded by
arrivals/s x (stay + 120 s) x the memory of one session.

Every `--sample` seconds it prints each replica's resident memory, how many students play and
how many have left; at the end, per replica, the band of memory once the first 120 s (and once
stay + 120 s) have passed, frames per session and client errors. Target: memory within +-10%
after the first 120 s, and 0 errors. Everything on 127.0.0.1.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from student import Loop, Student

from cluster import Cluster

QUERY = "max_iterations=1000000"
TTL = 120.0          # server.disconnectedSessionTTL, Streamlit's default


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


async def stay_a_while(student, url, seconds):
    """Arrive, play `seconds`, leave."""
    await asyncio.to_thread(student.arrive, url)
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    student.arrived = time.monotonic()
    await student.run(url, stop)
    student.left = time.monotonic()


def soak(way, minutes, every, stay, sample, loop):
    """One soak: `way` is "server" (straight to one replica) or "balancer" (HAProxy, 2)."""
    replicas = 1 if way == "server" else 2
    with Cluster(replicas) as cluster:
        url = cluster.nodes[0].url if way == "server" else cluster.url
        pids = {n.name: n.proc.pid for n in cluster.nodes}
        time.sleep(2)
        idle = {name: rss_mb(pid) for name, pid in pids.items()}
        print(f"\n{way}: {replicas} replica(s), a student every {every:g} s playing {stay:g} s, "
              f"{minutes:g} min; at rest: "
              + ", ".join(f"{n} {mb:.0f} MB" for n, mb in idle.items()), flush=True)
        print("  s    " + "  ".join(f"{n:>8}" for n in pids) + "   playing   left  errors")
        students, runs, samples = [], [], []
        start = time.monotonic()
        end = start + 60 * minutes
        next_arrival, next_sample = start, start + sample
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_arrival:
                s = Student(query=QUERY)
                students.append(s)
                runs.append(loop.spawn(stay_a_while(s, url, stay)))
                next_arrival += every
            if now >= next_sample:
                mem = {name: rss_mb(pid) for name, pid in pids.items()}
                playing = sum(not r.done() for r in runs)
                left = sum(r.done() for r in runs)
                errors = sum(s.error is not None for s in students)
                held = sum(now - getattr(s, "left", now) < TTL for s in students)
                samples.append((now - start, mem, held / replicas))
                print(f"  {now - start:4.0f} " + "  ".join(f"{mem[n]:6.0f}MB" for n in pids)
                      + f"   {playing:7d}  {left:5d}  {errors:6d}", flush=True)
                next_sample += sample
            time.sleep(0.05)
        for r in runs:
            r.result(timeout=stay + 60)
        on = {}
        for line in cluster.served() if way == "balancer" else []:
            if line[4] == "/_stcore/stream":
                on[line[1]] = on.get(line[1], 0) + 1
    frames = [s.frames / stay for s in students]
    errors = [s.error for s in students if s.error]
    result = {"way": way, "idle": idle, "samples": samples, "students": len(students),
              "fps": (min(frames), statistics.median(frames)), "errors": errors, "on": on,
              "every": every, "stay": stay}
    report(result)
    return result


def band(samples, name, after):
    values = [mem[name] for t, mem, _ in samples if t >= after]
    if not values:
        return None
    mean = statistics.mean(values)
    return min(values), max(values), mean, 100 * max(mean - min(values), max(values) - mean) / mean


def report(r):
    print(f"  {r['way']}: {r['students']} sessions came and went"
          + (f" (sessions per replica: {r['on']})" if r["on"] else ""))
    for name in r["idle"]:
        for after in (TTL, TTL + r["stay"]):
            b = band(r["samples"], name, after)
            if b:
                lo, hi, mean, pct = b
                print(f"  {name}: after {after:.0f} s memory {lo:.0f}-{hi:.0f} MB (mean {mean:.0f}"
                      f", within +-{pct:.1f}%: {'ok' if pct <= 10 else 'MISSED'} +-10%)")
        held = [h for _, _, h in r["samples"]]
        mem = [m[name] for _, m, _ in r["samples"]]
        if len(set(held)) > 1:
            slope, _ = statistics.linear_regression(held, mem)
            print(f"  {name}: {statistics.median(held[-3:]):.0f} sessions held at the end (playing"
                  f", or left less than {TTL:.0f} s ago); memory grows {slope:.2f} MB per session "
                  "held (slope over the samples)")
    print(f"  frames per second per session: min {r['fps'][0]:.2f}, median {r['fps'][1]:.2f}; "
          f"client errors: {len(r['errors'])}" + (f" ({r['errors'][0]})" if r["errors"] else ""))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ways", default="server,balancer",
                        help="server (one server, straight), balancer (HAProxy, 2 replicas)")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=1.5, help="s between arrivals")
    parser.add_argument("--stay", type=float, default=15.0, help="s each student plays")
    parser.add_argument("--sample", type=float, default=30.0, help="s between memory readings")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()}")
    loop = Loop()
    try:
        for way in args.ways.split(","):
            soak(way, args.minutes, args.every, args.stay, args.sample, loop)
    finally:
        loop.close()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
