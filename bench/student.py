"""A student's session without a browser, for bench/capacity.py.

It speaks Streamlit's own protocol on the server's websocket (`/_stcore/stream`, the protobuf
messages streamlit.proto.BackMsg / ForwardMsg) the way the page does: it asks for a run of the
home page, presses Play (the button keyed "play"), and then, like the page's timer, asks for a
run of the live fragment every `interval` seconds the server named. It counts the fragment runs
the server finished and sent, i.e. the frames this student's browser would draw. The browser's
own drawing is left out: a class's browsers run on the students' machines, not on the server.

The timer asks whatever the server is doing, as the page's setInterval does; the server folds
requests that arrive during a run into one (so this is no lighter on the server than a page).

Behind a load balancer (deploy/), a student first loads the page over HTTP as a browser does
(`arrive`), keeps the balancer's cookie and sends it with its websocket, so that it stays on the
replica the balancer chose; `Loop` runs many students on one asyncio loop in a thread.
"""

import asyncio
import contextlib
import http.client
import threading
import time
import urllib.parse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")


class Student:
    """One session; `await run(url, stop)` until the event `stop` is set."""

    def __init__(self, query="", cookie=None):
        self.query = query
        self.cookie = cookie       # "name=value" sent with the websocket (a balancer's)
        self.ports = []            # local ports of its websocket connections, in order
        self.connected = []        # when each websocket was opened (time.monotonic())
        self.closed_at = None      # when its websocket failed, if it did
        self.started_play = False  # Play pressed, and a fragment on a timer came with it
        self.before_play = set()   # fragments on a timer before Play (not the live area)
        self.frames = 0            # fragment runs finished while playing
        self.frame_times = []      # when each arrived (time.monotonic())
        self.play_id = None
        self.page_hash = ""
        self.auto = None           # (interval s, fragment id) of the live area once Play runs
        self.autos = {}            # fragment id -> interval: every fragment on a timer
        self.error = None

    async def _send_rerun(self, ws, *, fragment_id="", trigger=None):
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        if fragment_id:
            cs.fragment_id = fragment_id
            cs.is_auto_rerun = True
        if trigger:
            state = cs.widget_states.widgets.add()
            state.id = trigger
            state.trigger_value = True
        await ws.send(msg.SerializeToString())

    def _read(self, raw):
        """One ForwardMsg -> 'finished' when a run ended, else None (and note what matters)."""
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = msg.new_session.main_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            if el.WhichOneof("type") == "button" and el.button.id.endswith("-play"):
                self.play_id = el.button.id
        elif kind == "auto_rerun":
            # The page runs every fragment on a timer; the live area is the most frequent (the
            # app keeps others, e.g. a slow one that makes a page rerun after a reconnection)
            self.autos[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            self._live()
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self.autos.pop(fid, None)
            self._live()
        elif kind == "script_finished":
            if self.auto and msg.script_finished == FRAGMENT_DONE:
                self.frames += 1
                self.frame_times.append(time.monotonic())
            return "finished"
        return None

    def _live(self):
        if self.autos and self.started_play:
            fid = min(self.autos, key=self.autos.get)
            self.auto = (self.autos[fid], fid)

    async def _until_finished(self, ws):
        while self._read(await ws.recv()) != "finished":
            pass

    def arrive(self, url):
        """Load the page over HTTP as a browser does first, and keep the cookie the server (a
        balancer) sets; -> (the HTTP connection's local port, the Set-Cookie "name=value")."""
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            headers = {"Cookie": self.cookie} if self.cookie else {}
            conn.request("GET", "/", headers=headers)
            port = conn.sock.getsockname()[1]
            response = conn.getresponse()
            response.read()
            cookie = response.getheader("Set-Cookie")
            if cookie:
                self.cookie = cookie.split(";")[0].strip()
            return port, cookie and cookie.split(";")[0].strip()
        finally:
            conn.close()

    def _connect(self, url):
        ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        headers = {"Cookie": self.cookie} if self.cookie else None
        return websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                  additional_headers=headers)

    def _opened(self, ws):
        self.ports.append(ws.local_address[1])
        self.connected.append(time.monotonic())

    async def play(self, ws):
        """Press Play; return once the live area runs on a timer (self.auto)."""
        self.before_play = set(self.autos)
        await self._send_rerun(ws, trigger=self.play_id)
        while not set(self.autos) - self.before_play:
            self._read(await ws.recv())
        self.started_play = True
        self._live()

    async def visit(self, url):
        """Open a session (a websocket and the page's first run) and leave."""
        async with self._connect(url) as ws:
            self._opened(ws)
            await self._send_rerun(ws)
            await self._until_finished(ws)

    async def run(self, url, stop, started=None):
        try:
            async with self._connect(url) as ws:
                self._opened(ws)
                await self._send_rerun(ws)
                await self._until_finished(ws)
                if self.play_id is None:
                    raise RuntimeError("no Play button in the first run")
                await self.play(ws)
                if started is not None:
                    started()
                reader = asyncio.ensure_future(self._read_forever(ws))
                try:
                    while not stop.is_set() and not reader.done():
                        interval, fragment = self.auto      # the latest the server named
                        await self._send_rerun(ws, fragment_id=fragment)
                        with contextlib.suppress(asyncio.TimeoutError):
                            await asyncio.wait_for(stop.wait(), interval)
                finally:
                    reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await reader
                if reader.done() and not reader.cancelled() and reader.exception():
                    raise reader.exception()
        except (TimeoutError, OSError, RuntimeError,
                websockets.exceptions.WebSocketException) as err:   # the bench reports it
            self.closed_at = time.monotonic()
            self.error = f"{type(err).__name__}: {err}"

    async def _read_forever(self, ws):
        while True:
            self._read(await ws.recv())


class Loop:
    """An asyncio loop in a thread of its own, for many students at once."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.stop = self.event()                   # set it to end every student's run()

    @staticmethod
    async def _event():
        return asyncio.Event()

    def event(self):
        """A new asyncio.Event of this loop (pass it to Student.run as `stop`)."""
        return self.run(self._event())

    def set(self, event):
        self.loop.call_soon_threadsafe(event.set)

    def run(self, coro, timeout=120):
        """Run `coro` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def spawn(self, coro):
        """Start `coro` on the loop -> its concurrent.futures.Future."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def close(self):
        """Set `stop`, cancel whatever still runs, and end the loop and its thread."""
        self.set(self.stop)

        async def _cancel_rest():
            await asyncio.sleep(0.2)
            rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        with contextlib.suppress(Exception):
            self.run(_cancel_rest(), timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
