"""HAProxy or nginx in front of the replicas? `python bench/balancers.py [--students 12]`.

Starts two replicas with HAProxy in front (tests/cluster.py's Cluster, deploy/haproxy.cfg as
written) and Debian's nginx in front of the same two replicas, configured as well as nginx's
open-source build allows (NGINX below: it has no `sticky cookie` and no active health checks, so
it sets a random cookie of its own and hashes on it, and learns that a replica is gone only when
a request to it fails). Then, for each way in (straight to the replicas, through HAProxy,
through nginx), one after the other:

1. frames: `--students` protocol students (bench/student.py) play for `--seconds`, half on each
   replica; frames/s per student, a probe's round trip per frame (a fragment rerun asked, its
   end received: median and 95th percentile), and the balancer's CPU per frame;
2. stickiness: 20 new browsers (no cookie) load the page, then come back 5 times with their
   cookie: how they were spread, and whether any came back to another replica (from each
   balancer's own log);
3. a replica frozen (SIGSTOP, a process that no longer answers but whose port still accepts):
   for 8 s, a new browser arrives every 0.1 s; how many got no page within 3 s;
4. a replica killed (SIGKILL) and started again: browsers that held it, asking every 0.05 s,
   how many requests failed; then, after it is back, how many of the moved browsers the
   balancer sends back to it (their session, downloads and pictures stayed on the other one).

Everything runs on this machine on 127.0.0.1; it prints the load average before and after.
"""

import argparse
import asyncio
import contextlib
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from student import Loop, Student

from cluster import Cluster, free_port

NGINX = "/usr/sbin/nginx"
QUERY = "max_iterations=1000000"

NGINX_CONF = """
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format ffnn '$remote_port $upstream_addr $status "$request"';
    access_log {dir}/nginx-access.log ffnn;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    # nginx (open source) has no `sticky cookie`: set a random cookie of our own when the
    # browser has none, and hash on it (a consistent hash, so few move when a replica goes).
    map $cookie_ffnn_affinity $ffnn_affinity {{ "" $request_id; default $cookie_ffnn_affinity; }}
    map $cookie_ffnn_affinity $ffnn_set {{
        "" "ffnn_affinity=$request_id; Path=/; HttpOnly; SameSite=Lax"; default ""; }}
    upstream streamlit {{
        hash $ffnn_affinity consistent;
        {servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_connect_timeout 3s;
        proxy_next_upstream error timeout;
        add_header Set-Cookie $ffnn_set always;
        location / {{
            proxy_read_timeout 60s;
            proxy_pass http://streamlit;
        }}
        location /_stcore/stream {{
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 3h;
            proxy_send_timeout 3h;
            proxy_pass http://streamlit;
        }}
    }}
}}
"""


class Nginx:
    """Debian's nginx in front of `replicas` [(name, port)], on a free port of 127.0.0.1."""

    def __init__(self, replicas):
        self.replicas = dict(replicas)
        self.dir = Path(tempfile.mkdtemp(prefix="ffnn-nginx-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "\n        ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;"
                                   for _, port in replicas)
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=self.dir, port=self.port, servers=servers))
        subprocess.run([NGINX, "-t", "-q", "-c", str(conf), "-p", str(self.dir)], check=True)
        self.proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(self.dir), "-g",
                                      "daemon off;"], start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if get(self.url, "/_stcore/health")[0] == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError("nginx did not answer")

    def pids(self):
        out = subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True,
                             text=True, check=False).stdout
        return [int(p) for p in out.split()]

    def served(self):
        """[(client port, replica name, status, path)] from nginx's access log."""
        by_port = {str(port): name for name, port in self.replicas.items()}
        out = []
        log = self.dir / "nginx-access.log"
        for line in log.read_text().splitlines() if log.exists() else []:
            m = re.match(r'(\d+) (\S+) (\d+) "\S+ (\S+)', line)
            if m:
                last = m.group(2).split(",")[-1].strip().rsplit(":", 1)[-1]
                out.append((int(m.group(1)), by_port.get(last, "-"), int(m.group(3)),
                            m.group(4)))
        return out

    def stop(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def get(url, path="/", cookie=None, timeout=5.0):
    """-> (status, the balancer's cookie if it set one, local port); status 0 if no answer in
    time."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        local = conn.sock.getsockname()[1]
        r = conn.getresponse()
        r.read()
        mine = [c.split(";")[0] for c in r.headers.get_all("Set-Cookie") or []
                if c.startswith("ffnn_")]                # the balancer's, not Streamlit's
        return r.status, mine[0] if mine else None, local
    except OSError:
        return 0, None, None
    finally:
        conn.close()


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Probe(Student):
    """A student that asks for the next batch of frames as soon as the last one arrived: its
    round trip per batch is what a batch costs the server plus what the way in adds."""

    async def probe(self, url, stop):
        self.rtts = []
        async with self._connect(url) as ws:
            await self._send_rerun(ws)
            await self._until_finished(ws)
            await self.play(ws)
            while not stop.is_set():
                sent, seq = time.monotonic(), self.batch[0]
                await self._send_rerun(ws, fragment_id=self.fragment, trigger=(
                    self.feed_id, "need", {"seq": seq, "t": self.batch[1][-1]}))
                await asyncio.wait_for(self._next_batch(ws, seq), 30)
                self.rtts.append(time.monotonic() - sent)
                await asyncio.sleep(0.05)

    async def _next_batch(self, ws, seq):
        while self.batch[0] == seq:
            self._read(await ws.recv())


def frames(way, targets, n, seconds, loop, pids):
    """Phase 1: n students, student i on targets[i % len(targets)] = (url, cookie), and a
    probe on targets[0]."""
    students = [Student(query=QUERY, cookie=targets[i % len(targets)][1]) for i in range(n)]
    stop = loop.event()
    started = []
    runs = [loop.spawn(s.run(targets[i % len(targets)][0], stop,
                             started=lambda: started.append(1)))
            for i, s in enumerate(students)]
    deadline = time.monotonic() + 60
    while len(started) < n and time.monotonic() < deadline:
        time.sleep(0.1)
    probe = Probe(query=QUERY, cookie=targets[0][1])
    probing = loop.spawn(probe.probe(targets[0][0], stop))
    time.sleep(3)                                  # warm-up
    f0, c0, t0 = sum(s.frames for s in students), cpu_seconds(pids), time.monotonic()
    each0 = [s.frames for s in students]
    time.sleep(seconds)
    f1, c1, t1 = sum(s.frames for s in students), cpu_seconds(pids), time.monotonic()
    each = [(b - a) / (t1 - t0) for a, b in zip(each0, (s.frames for s in students))]
    loop.set(stop)
    for r in [*runs, probing]:
        with contextlib.suppress(Exception):
            r.result(timeout=30)
        r.cancel()                       # every connection closed before the next phase
    errors = [s.error for s in students if s.error]
    rtts = sorted(probe.rtts[len(probe.rtts) // 5:]) or [float("nan")]
    return {"way": way, "fps": statistics.median(each), "fps_min": min(each),
            "rtt_ms": 1000 * statistics.median(rtts),
            "rtt95_ms": 1000 * rtts[int(0.95 * (len(rtts) - 1))],
            "cpu_us_per_frame": 1e6 * (c1 - c0) / max(1, f1 - f0) if pids else 0.0,
            "balancer_cores": (c1 - c0) / (t1 - t0), "errors": len(errors)}


def stickiness(url, served, browsers=20, returns=5):
    """Phase 2 -> (spread {replica: browsers}, browsers that came back elsewhere)."""
    first = [get(url)[1:] for _ in range(browsers)]          # [(cookie, port)]
    again = [[get(url, cookie=cookie)[2] for _ in range(returns)] for cookie, _ in first]
    time.sleep(0.5)
    where = {p: r for p, r, *_ in served()}
    spread, moved = {}, 0
    for (_, port), ports in zip(first, again):
        home = where.get(port)
        spread[home] = spread.get(home, 0) + 1
        moved += any(where.get(p) != home for p in ports)
    return spread, moved


def arrivals_while(url, seconds, every=0.1, timeout=3.0):
    """New browsers arriving every `every` s for `seconds` -> (arrived, got no page in time)."""
    results, threads = [], []

    def one():
        results.append(get(url, timeout=timeout)[0])

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t = threading.Thread(target=one)
        t.start()
        threads.append(t)
        time.sleep(every)
    for t in threads:
        t.join()
    return len(results), sum(status != 200 for status in results)


def held_by(url, served, replica, want=4):
    """Cookies of `want` browsers the balancer put on `replica`."""
    cookies, seen = [], []
    for _ in range(100):
        status, cookie, port = get(url)
        time.sleep(0.05)
        seen.append((status, {p: r for p, r, *_ in served()}.get(port)))
        if seen[-1] == (200, replica):
            cookies.append(cookie)
        if len(cookies) == want:
            return cookies
    raise RuntimeError(f"no browsers landed on {replica} through {url}: {seen[-10:]}")


def failover(cluster, ways, seconds=6.0):
    """Phase 4 for every balancer at once: r1 killed, asked again and again by browsers that
    held it; then r1 started again."""
    held = {name: held_by(url, served, "r1") for name, (url, served) in ways.items()}
    fails = {name: 0 for name in ways}
    asked = {name: 0 for name in ways}
    moved_to = {name: set() for name in ways}
    cluster.kill("r1")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for name, (url, served) in ways.items():
            for i, cookie in enumerate(held[name]):
                status, new_cookie, _ = get(url, "/_stcore/health", cookie=cookie, timeout=3)
                asked[name] += 1
                fails[name] += status != 200
                if new_cookie:                 # HAProxy names the new replica in it
                    held[name][i] = new_cookie
        time.sleep(0.05)
    cluster.start_replica("r1")
    cluster.wait_up()
    time.sleep(12)                             # nginx retries r1 after fail_timeout (10 s)
    back = {}
    for name, (url, served) in ways.items():
        ports = [get(url, cookie=c)[2] for c in held[name]]
        time.sleep(0.5)
        where = {p: r for p, r, *_ in served()}
        back[name] = sum(where.get(p) == "r1" for p in ports)
        moved_to[name] = len(held[name])
    return {name: (fails[name], asked[name], back[name], moved_to[name]) for name in ways}


def frozen(cluster, ways, seconds=8.0):
    """Phase 3: r2 frozen (SIGSTOP) while new browsers arrive at every balancer."""
    node = cluster.node("r2")
    os.killpg(node.proc.pid, signal.SIGSTOP)
    out = {}
    try:
        for name, (url, _) in ways.items():
            out[name] = arrivals_while(url, seconds)
    finally:
        os.killpg(node.proc.pid, signal.SIGCONT)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()}")
    loop = Loop()
    with Cluster(2) as cluster:
        nginx = Nginx([(n.name, n.port) for n in cluster.nodes])
        try:
            ways = {"HAProxy": (cluster.url, cluster.served), "nginx": (nginx.url, nginx.served)}
            rows = []
            # 1. frames: straight to the replicas (half on each), then through each balancer
            nginx_cookies = [held_by(nginx.url, nginx.served, r, 1)[0] for r in ("r1", "r2")]
            for way, targets, pids in (
                    ("direct", [(n.url, None) for n in cluster.nodes], []),
                    ("HAProxy", [(cluster.url, f"ffnn_replica={r}") for r in ("r1", "r2")],
                     [cluster.haproxy.pid]),
                    ("nginx", [(nginx.url, c) for c in nginx_cookies], nginx.pids())):
                row = frames(way, targets, args.students, args.seconds, loop, pids)
                rows.append(row)
                print(f"  {way}: {row}", file=sys.stderr)
            sticky = {name: stickiness(url, served) for name, (url, served) in ways.items()}
            froze = frozen(cluster, ways)
            cluster.wait_up(timeout=30)
            fail = failover(cluster, ways)
        finally:
            nginx.stop()
    loop.close()
    print(f"\n{args.students} students playing, 2 replicas on this machine:")
    print("| way in | frames/s per student (median, min) | round trip per frame (median, "
          "p95) | balancer CPU per frame | balancer cores | errors |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['way']} | {r['fps']:.2f}, {r['fps_min']:.2f} | {r['rtt_ms']:.1f} ms, "
              f"{r['rtt95_ms']:.1f} ms | {r['cpu_us_per_frame']:.0f} µs | "
              f"{r['balancer_cores']:.3f} | {r['errors']} |")
    print("\n| | HAProxy | nginx |\n|---|---|---|")
    print("| 20 new browsers: spread, came back elsewhere | "
          + " | ".join(f"{dict(sorted(sticky[n][0].items()))}, {sticky[n][1]}" for n in ways)
          + " |")
    print("| r2 frozen 8 s: new browsers with no page in 3 s | "
          + " | ".join(f"{froze[n][1]} of {froze[n][0]}" for n in ways) + " |")
    print("| r1 killed: requests of its browsers that failed | "
          + " | ".join(f"{fail[n][0]} of {fail[n][1]}" for n in ways) + " |")
    print("| r1 back: moved browsers sent back to it | "
          + " | ".join(f"{fail[n][2]} of {fail[n][3]}" for n in ways) + " |")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
