"""deploy/haproxy.cfg as written: HAProxy accepts it, it keeps what a class needs (WebSocket
tunnels longer than a lecture, a cookie naming the replica, a health check on Streamlit's own
endpoint, a dead replica's browsers moved on), and deploy/run.py changes nothing else in it.
tests/test_balancer.py runs it for real."""

import os
import re
import subprocess

import pytest

from deploy.run import CONFIG, HAPROXY, INSTALL, render

TEXT = CONFIG.read_text()
needs_haproxy = pytest.mark.skipif(not os.access(HAPROXY, os.X_OK), reason=INSTALL)


def directives(text):
    """The configuration's lines without comments or blank lines."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def seconds(value):
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", value).groups()
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400,
                          None: 0.001}[unit]


@needs_haproxy
def test_haproxy_accepts_the_configuration_as_written(tmp_path):
    # as written, except the stats socket's directory, which exists only where Debian's
    # package created it (/run/haproxy)
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(TEXT.replace("/run/haproxy/ffnn.sock", str(tmp_path / "ffnn.sock")))
    out = subprocess.run([HAPROXY, "-c", "-f", str(cfg)], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "warning" not in (out.stdout + out.stderr).lower(), out.stdout + out.stderr


def test_what_a_class_needs_is_in_it():
    lines = directives(TEXT)
    timeouts = {ln.split()[1]: seconds(ln.split()[2]) for ln in lines if ln.startswith("timeout ")}
    assert timeouts["tunnel"] >= 3 * 3600                  # a WebSocket outlives a lecture
    assert "balance leastconn" in lines
    cookie = next(ln for ln in lines if ln.startswith("cookie "))
    assert cookie.split()[1:3] == ["ffnn_replica", "insert"] and "indirect" in cookie
    assert not any(ln.startswith("balance source") or "hash-type" in ln for ln in lines)
    assert "option httpchk GET /_stcore/health" in lines
    assert "http-check expect string ok" in lines
    assert any(ln.startswith("default-server check") for ln in lines)
    assert any(re.fullmatch(r"option redispatch( \d+)?", ln) for ln in lines)
    assert any(re.fullmatch(r"retries [1-9]\d*", ln) for ln in lines)
    servers = [ln for ln in lines if ln.startswith("server ")]
    assert servers and all(re.search(r" cookie r\d+$", ln) for ln in servers)


def test_run_py_changes_only_bind_server_and_socket_lines(tmp_path):
    out = render(TEXT, "127.0.0.1:9000", [("r1", 9001), ("r2", 9002), ("r3", 9003)],
                 tmp_path / "s.sock")
    before, after = directives(TEXT), directives(out)
    kept = [ln for ln in before if not ln.startswith(("bind ", "server ", "stats socket "))]
    assert [ln for ln in after if not ln.startswith(("bind ", "server ", "stats socket "))] == kept
    assert [ln for ln in after if ln.startswith("server ")] == [
        f"server r{i} 127.0.0.1:900{i} cookie r{i}" for i in (1, 2, 3)]
    assert "bind 127.0.0.1:9000" in after
    assert f"stats socket {tmp_path / 's.sock'} mode 600 level admin" in after
    with pytest.raises(ValueError, match="no server line"):
        render("global\n", "127.0.0.1:1", [("r1", 2)], "x")
