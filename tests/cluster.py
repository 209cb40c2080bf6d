"""The tests' and benchmarks' cluster: deploy/run.py's Deployment (N replicas and HAProxy in
front, on loopback ports) as a context manager, with what only tests need: kill a replica,
the balancer's open connections per replica, and its log of which replica served what.

    with Cluster(2) as c: c.url
"""

import os
import re
import shutil
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.run import Deployment, free_port

__all__ = ["Cluster", "free_port"]


class Cluster(Deployment):
    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self.cleanup()

    def cleanup(self):
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def kill(self, name, sig=signal.SIGKILL):
        """Send `sig` to the replica `name` (SIGKILL: it dies at once, as a crashed machine's
        process would; its sockets are closed by the kernel)."""
        node = self.node(name)
        os.killpg(node.proc.pid, sig)
        node.proc.wait(timeout=10)

    def sessions(self):
        """{replica: connections open through the balancer now} (a playing page holds one)."""
        return {name: int(v["scur"]) for name, v in self.stat().items()}

    # HAProxy's httplog line: client ip:port [date] frontend backend/server timers status ...
    # then "METHOD path" in quotes (deploy/haproxy.cfg's log-format: no query string).
    _LINE = re.compile(r'^(\S+):(\d+) \[[^\]]+\] \S+ (\S+)/(\S+) \S+ (-?\d+) .*"(\S+) ([^\s"]+)')

    def served(self):
        """[(client port, replica, status, method, path)] for each request or WebSocket the
        balancer logged (a WebSocket is logged when it closes)."""
        out = []
        for line in self.log().splitlines():
            m = self._LINE.match(line)
            if m and m.group(3) == "streamlit":
                out.append((int(m.group(2)), m.group(4), int(m.group(5)), m.group(6),
                            m.group(7)))
        return out
