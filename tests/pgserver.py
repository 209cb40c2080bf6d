"""A real, throwaway PostgreSQL server for the tests: Debian's binaries (package `postgresql`,
which .ci/run installs), a temporary data directory, a free port on 127.0.0.1, trust
authentication on loopback only. initdb refuses to run as root, so as root the server runs as
the `postgres` system user (the Debian package creates it)."""

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

from browser import free_port

SKIP_REASON = "needs Debian's postgresql: apt-get install postgresql (.ci/run installs it)"
SYSTEM_USER = "postgres"


def bindir():
    """The newest /usr/lib/postgresql/<version>/bin with initdb and postgres, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


def _user():
    """(uid, gid) to run the server as: this process's own, or the postgres user's as root."""
    if os.geteuid() != 0:
        return None
    try:
        pw = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        SYSTEM_USER], check=True)
        pw = pwd.getpwnam(SYSTEM_USER)
    return pw.pw_uid, pw.pw_gid


class PostgresServer:
    """Use as a context manager; `url` is a SQLAlchemy URL (psycopg 3) of the `postgres`
    database, `database_url(name)` that of another one (see `create_database`)."""

    def __init__(self, max_connections=200):
        self.bin = bindir()
        if self.bin is None:
            raise RuntimeError(SKIP_REASON)
        self.max_connections = max_connections
        self.dir = self.proc = None
        self.port = None

    def _as_server_user(self):
        user = _user()
        return {} if user is None else {"user": user[0], "group": user[1], "extra_groups": []}

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="ffnn-pg-")
        who = self._as_server_user()
        if who:
            os.chown(self.dir, who["user"], who["group"])
        data = os.path.join(self.dir, "data")
        subprocess.run([f"{self.bin}/initdb", "-D", data, "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--no-sync", "--no-instructions"], cwd=self.dir,
                       check=True, capture_output=True, **who)
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "server.log"), "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [f"{self.bin}/postgres", "-D", data, "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.dir}",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", f"max_connections={self.max_connections}"],
            cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            **who)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited:\n{self.output()}")
            ready = subprocess.run([f"{self.bin}/pg_isready", "-h", "127.0.0.1", "-p",
                                    str(self.port), "-U", "postgres"], capture_output=True,
                                   check=False)
            if ready.returncode == 0:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("postgres did not accept connections in 30 s")

    def output(self):
        with open(os.path.join(self.dir, "server.log"), "rb") as f:
            return f.read().decode(errors="replace")[-3000:]

    @property
    def url(self):
        return self.database_url("postgres")

    def database_url(self, name):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name):
        """A new empty database -> its URL."""
        import sqlalchemy as sa
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.database_url(name)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)            # fast shutdown
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        with contextlib.suppress(Exception):
            self.log.close()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def processes(self):
        """The postmaster's pid and its children's (each backend is its own process group)."""
        pids = [self.proc.pid]
        for stat in glob.glob("/proc/[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                with open(stat) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.proc.pid:
                    pids.append(int(stat.split("/")[2]))
        return pids

    def freeze(self):
        """Stop every process of the server (SIGSTOP): it answers nothing, connections stay
        open, as when the network drops. thaw() wakes it."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)

    def thaw(self):
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


_shared = None


def shared():
    """One server for the whole test run, started on first use and stopped at exit."""
    global _shared
    if _shared is None:
        import atexit
        _shared = PostgresServer().start()
        atexit.register(_shared.stop)
    return _shared
