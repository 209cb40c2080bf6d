"""Start N Streamlit replicas of the dashboard and HAProxy in front of them, on this machine.

    python deploy/run.py                          # 2 replicas; the balancer on a free port
    python deploy/run.py --replicas 4 --address 0.0.0.0 --port 8080     # a real host

It picks free loopback ports for the replicas (and for the balancer unless --port is given),
starts them with one shared server.cookieSecret, starts HAProxy with deploy/haproxy.cfg (only
its bind, server and stats socket lines changed), waits until the balancer reports every replica
up, prints the URL, and runs until Ctrl-C or SIGTERM; then it stops everything it started. A
replica that dies is started again on its port (--no-restart to leave it dead); HAProxy's health
check takes it back in. Child processes also die with this one (Linux's parent-death signal), so
none is left behind even if this process is killed.

`Deployment` is what this script runs; the tests and benchmarks drive it through
tests/cluster.py's Cluster, which adds what only they need. Needs Debian's haproxy
(`apt-get install haproxy`); see docs/design.md, "Hosting behind a load balancer".
"""

import argparse
import contextlib
import ctypes
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "haproxy.cfg"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
INSTALL = "needs Debian's haproxy: apt-get install haproxy (.ci/run installs it)"
# Streamlit options every replica gets: no file watching on a server (a changed file would
# otherwise offer each page a rerun), no usage statistics.
REPLICA_OPTIONS = ("--server.headless", "true", "--server.fileWatcherType", "none",
                   "--server.runOnSave", "false", "--browser.gatherUsageStats", "false")


def free_port(address="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def _die_with_parent():
    """In the child, before exec: get SIGTERM when the parent (its spawning thread) dies."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


def _get(url, timeout=2.0):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))    # never a proxy
    with opener.open(url, timeout=timeout) as r:
        return r.read().decode(errors="replace")


def render(text, bind, servers, stats_socket):
    """deploy/haproxy.cfg with its bind line, its server lines (one per (name, port), on
    127.0.0.1) and its stats socket path replaced; every other line as written."""
    lines, out, done = text.splitlines(), [], False
    for line in lines:
        stripped = line.strip()
        indent = line[:len(line) - len(line.lstrip())]
        if stripped.startswith("bind "):
            out.append(f"{indent}bind {bind}")
        elif stripped.startswith("server "):
            if not done:
                out += [f"{indent}server {name} 127.0.0.1:{port} cookie {name}"
                        for name, port in servers]
                done = True
        elif stripped.startswith("stats socket "):
            out.append(re.sub(r"stats socket \S+", f"stats socket {stats_socket}", line))
        else:
            out.append(line)
    if not done:
        raise ValueError("the HAProxy configuration has no server line to replace")
    return "\n".join(out) + "\n"


@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen = None
    log: Path = None
    starts: int = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None


@dataclass
class Deployment:
    """N replicas and HAProxy in front: start(), start_replica(name) again, stop()."""

    replicas: int = 2
    port: int = 0                    # the balancer's; 0: a free one
    address: str = "127.0.0.1"       # the balancer's
    root: Path = ROOT
    options: tuple = ()              # more `streamlit run` options for every replica
    config: Path = CONFIG
    startup_timeout: float = 90.0
    cookie_secret: str = field(default_factory=lambda: os.environ.get("FFNN_COOKIE_SECRET")
                               or secrets.token_hex(32))
    nodes: list = field(default_factory=list)
    haproxy: subprocess.Popen = None
    workdir: Path = None

    # ---- starting and stopping ---------------------------------------------------------------
    def start(self):
        if not os.access(HAPROXY, os.X_OK):
            raise RuntimeError(INSTALL)
        self.workdir = Path(tempfile.mkdtemp(prefix="ffnn-cluster-"))
        try:
            self.port = self.port or free_port(self.address)
            self.nodes = [Replica(f"r{i}", free_port()) for i in range(1, self.replicas + 1)]
            for node in self.nodes:
                self.start_replica(node.name, wait=False)
            for node in self.nodes:
                self._wait_healthy(node)
            cfg = self.workdir / "haproxy.cfg"
            cfg.write_text(render(Path(self.config).read_text(), f"{self.address}:{self.port}",
                                  [(n.name, n.port) for n in self.nodes], self.socket))
            check = subprocess.run([HAPROXY, "-c", "-q", "-f", str(cfg)], check=False,
                                   capture_output=True,
                                   text=True)
            if check.returncode:
                raise RuntimeError(f"haproxy -c refused the configuration:\n{check.stdout}"
                                   f"{check.stderr}")
            self.haproxy = subprocess.Popen(
                [HAPROXY, "-db", "-f", str(cfg)], stdout=self.log_path.open("ab"),
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                preexec_fn=_die_with_parent)  # noqa: PLW1509
            self.wait_up()
        except BaseException:
            self.stop()
            raise
        return self

    def start_replica(self, name, wait=True):
        """Start (or start again, on its port) the replica `name`."""
        node = self.node(name)
        node.log = self.workdir / f"{name}.log"
        env = dict(os.environ, PYTHONUNBUFFERED="1",
                   STREAMLIT_SERVER_COOKIE_SECRET=self.cookie_secret)
        node.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port",
             str(node.port), "--server.address", "127.0.0.1", *REPLICA_OPTIONS, *self.options],
            cwd=self.root, stdout=node.log.open("ab"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=env, start_new_session=True,
            preexec_fn=_die_with_parent)  # noqa: PLW1509
        node.starts += 1
        if wait:
            self._wait_healthy(node)
        return node

    def _wait_healthy(self, node):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if not node.alive:
                raise RuntimeError(f"replica {node.name} exited with {node.proc.returncode}:\n"
                                   f"{self.replica_log(node.name)}")
            with contextlib.suppress(OSError):
                if _get(f"{node.url}/_stcore/health").strip() == "ok":
                    return
            time.sleep(0.2)
        raise RuntimeError(f"replica {node.name} did not answer in {self.startup_timeout} s:\n"
                           f"{self.replica_log(node.name)}")

    def wait_up(self, names=None, timeout=None):
        """Wait until the balancer answers and reports the replicas `names` (all) UP."""
        names = set(names or [n.name for n in self.nodes])
        deadline = time.monotonic() + (timeout or self.startup_timeout)
        states = {}
        while time.monotonic() < deadline:
            if self.haproxy.poll() is not None:
                raise RuntimeError(f"haproxy exited with {self.haproxy.returncode}:\n"
                                   f"{self.log()[-3000:]}")
            with contextlib.suppress(OSError):
                states = self.states()
                if all(states.get(n, "").startswith("UP") for n in names) \
                        and _get(f"{self.url}/_stcore/health").strip() == "ok":
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the balancer did not report {sorted(names)} up: {states}")

    def stop(self):
        """Stop HAProxy and every replica (SIGTERM to each process group, then SIGKILL)."""
        procs = [self.haproxy] + [n.proc for n in self.nodes]
        for proc in procs:
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in procs:
            if proc is None:
                continue
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.haproxy = None
        for node in self.nodes:
            node.proc = None

    # ---- what there is ---------------------------------------------------------------------
    @property
    def url(self):
        host = "127.0.0.1" if self.address in ("0.0.0.0", "", "*") else self.address
        return f"http://{host}:{self.port}"

    @property
    def socket(self):
        return self.workdir / "haproxy.sock"

    @property
    def log_path(self):
        return self.workdir / "haproxy.log"

    def node(self, name):
        return next(n for n in self.nodes if n.name == name)

    def command(self, line):
        """One command on HAProxy's stats socket -> its answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(str(self.socket))
            s.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stat(self):
        """{replica: {column: value}} from `show stat` (status, scur, stot, ...)."""
        text = self.command("show stat")
        header, *rows = [line for line in text.splitlines() if line]
        cols = header.lstrip("# ").split(",")
        out = {}
        for row in rows:
            values = dict(zip(cols, row.split(",")))
            if values.get("pxname") == "streamlit" and values.get("svname") not in (
                    "BACKEND", "FRONTEND"):
                out[values["svname"]] = values
        return out

    def states(self):
        """{replica: "UP" / "DOWN" / ...} as the balancer's health checks see them."""
        return {name: v["status"] for name, v in self.stat().items()}

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def replica_log(self, name):
        node = self.node(name)
        return node.log.read_text(errors="replace")[-5000:] if node.log and node.log.exists() \
            else ""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2,
                        help="Streamlit processes (one per core is a good start)")
    parser.add_argument("--port", type=int, default=0, help="the balancer's port (0: a free one)")
    parser.add_argument("--address", default="127.0.0.1",
                        help="the balancer's address (0.0.0.0 to take visitors from the network)")
    parser.add_argument("--set", action="append", default=[], metavar="OPTION=VALUE",
                        help="a Streamlit option for every replica, e.g. server.maxUploadSize=5")
    parser.add_argument("--no-restart", action="store_true",
                        help="leave a replica that died dead (default: start it again)")
    args = parser.parse_args(argv)
    options = []
    for item in args.set:
        name, _, value = item.partition("=")
        options += [f"--{name}", value]
    stop = []

    def on_signal(signum, _frame):
        stop.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    cluster = Deployment(args.replicas, port=args.port, address=args.address,
                         options=tuple(options))
    try:
        cluster.start()
        print(f"ffnn: {cluster.url}  ({args.replicas} replicas behind HAProxy: "
              + ", ".join(f"{n.name} on 127.0.0.1:{n.port}" for n in cluster.nodes)
              + f"; logs in {cluster.workdir}). Ctrl-C stops everything.", flush=True)
        dead = set()
        while not stop:
            time.sleep(0.5)
            if cluster.haproxy.poll() is not None:
                print(f"haproxy exited with {cluster.haproxy.returncode}; stopping",
                      file=sys.stderr)
                return 1
            for node in cluster.nodes:
                if node.alive or node.name in dead or stop:
                    continue
                print(f"replica {node.name} exited with {node.proc.returncode}"
                      + ("" if args.no_restart else "; starting it again"), file=sys.stderr)
                if args.no_restart:
                    dead.add(node.name)
                else:
                    cluster.start_replica(node.name)
        return 0
    finally:
        cluster.stop()
        print(f"stopped (logs kept in {cluster.workdir})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
