"""Issue 18 (3): after a lecturer session through HAProxy and two replicas (tests/cluster.py's
Cluster, deploy/haproxy.cfg as shipped), HAProxy's real log holds no lecturer key, no query
string and no download's file id; neither do the replicas' logs."""

import asyncio
import os
import shutil
import time
import urllib.request

import pytest

from deploy.run import HAPROXY

from board_client import Tab
from cluster import Cluster

pytestmark = pytest.mark.skipif(not shutil.which(HAPROXY) and not os.access(HAPROXY, os.X_OK),
                                reason="needs Debian's haproxy")


async def session(url):
    lecturer = await Tab(url).open()
    await lecturer.click("Open a new class board")
    code = lecturer.metrics["Class code"]
    (key,) = [c for c in lecturer.codes if "class=" not in c]      # the folded key
    student = await Tab(url, f"class={code}&lr=0.3&t=5").open()
    await student.click("Send my run to the class")
    projector = await Tab(url, f"class={code}&present=1").open()
    for tab in (lecturer, student, projector):
        await tab.close()
    return code, key


def test_haproxys_log_holds_no_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("FFNN_BOARD_URL", f"sqlite:///{tmp_path}/board.sqlite3")
    with Cluster(2) as cluster:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        opener.open(f"{cluster.url}/Class_board?class=ABCDEF&lr=0.3", timeout=30).read()
        code, key = asyncio.run(session(cluster.url))
        time.sleep(1.5)                       # a WebSocket is logged when it closes
        log = cluster.log()
        replicas = "".join(cluster.replica_log(n.name) for n in cluster.nodes)
    requests = [line.rsplit('"', 2)[1] for line in log.splitlines() if line.endswith('"')]
    assert "GET /Class_board" in requests and "GET /_stcore/stream" in requests
    assert key not in log and key not in replicas
    assert not [r for r in requests if "?" in r or "class=" in r]
    assert code not in log
