"""A student's session without a browser, for bench/capacity.py.

It speaks Streamlit's own protocol on the server's websocket (`/_stcore/stream`, the protobuf
messages streamlit.proto.BackMsg / ForwardMsg) the way the page does: it asks for a run of the
home page, presses Play (the live stage's Play button, a Components-v2 mount keyed "play": its
"play" trigger), and then plays the batches of frames the server sends at the speed they say,
as the page's stage.js does: with less than ASK_AHEAD seconds of frames left it asks for the
next batch (the feed mount's "need" trigger, a run of the live fragment). It counts the distinct
t's (each with its θ) it received, and when each was shown by its clock: the frames this
student's browser would draw. The browser's own drawing is left out: a class's browsers run on
the students' machines, not on the server.

Behind a load balancer (deploy/), a student first loads the page over HTTP as a browser does
(`arrive`), keeps the balancer's cookie and sends it with its websocket, so that it stays on the
replica the balancer chose; `Loop` runs many students on one asyncio loop in a thread.
"""

import asyncio
import contextlib
import http.client
import json
import threading
import time
import urllib.parse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
ASK_AHEAD = 0.2       # s of frames left when the next batch is asked for, at least, and the
LEAD = (0.75, 4.0)    # s of play a batch is asked to hold: as ffnn/app/stage.js


def trigger_id(base):
    """The widget id of a Components-v2 mount's triggers (Streamlit 1.67's own rule)."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    return _make_trigger_id(base, "events")


def decode(raw):
    """A stage message -> (header, float64 blob) (ffnn/app/stage.py's Message)."""
    import numpy as np
    n = int.from_bytes(raw[:4], "little")
    start = 4 + n + (8 - (4 + n) % 8) % 8
    return json.loads(raw[4:4 + n]), np.frombuffer(raw[start:], dtype=np.float64)


class Student:
    """One session; `await run(url, stop)` until the event `stop` is set."""

    def __init__(self, query="", cookie=None):
        self.query = query
        self.cookie = cookie       # "name=value" sent with the websocket (a balancer's)
        self.ports = []            # local ports of its websocket connections, in order
        self.connected = []        # when each websocket was opened (time.monotonic())
        self.closed_at = None      # when its websocket failed, if it did
        self.play_id = self.feed_id = self.fragment = None
        self.page_hash = ""
        self.batch = None          # (seq, [frame t's], speed, playing, ended) last received
        self.received = set()      # the distinct t's received, each with its θ
        self.bytes = 0             # stage bytes received
        self.frame_times = []      # when the page's clock shows each frame (time.monotonic())
        self.batches = 0
        self.statics = 0           # messages that carried the stage's fixed part
        self.rev = None
        self.error = None
        self._clock = None         # (t0, the time.monotonic() at which the page shows t0)
        self._last = None          # the last frame's t received
        self._asked = self._asked_at = None
        self.latency = None        # the server's answer time, smoothed, as the page measures it
        self.arrived = asyncio.Event()

    async def _send_rerun(self, ws, *, fragment_id="", trigger=None):
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        if fragment_id:
            cs.fragment_id = fragment_id
        if trigger:           # the mount's state (empty) and its trigger, as the page sends them
            widget, event, value = trigger
            state = cs.widget_states.widgets.add()
            state.id, state.json_value = widget, "{}"
            state = cs.widget_states.widgets.add()
            state.id = trigger_id(widget)
            state.json_trigger_value = json.dumps([{"event": event, "value": value}])
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
            if el.WhichOneof("type") == "bidi_component":
                bid = el.bidi_component.id
                if bid.endswith("-play"):
                    self.play_id = bid
                elif bid.endswith("-feed"):
                    self.feed_id, self.fragment = bid, msg.delta.fragment_id
                    self._receive(el.bidi_component.bytes)
        elif kind == "script_finished":
            return "finished"
        return None

    def _receive(self, raw):
        self.bytes += len(raw)
        head, blob = decode(raw)
        if "static" in head:
            self.rev = head["static"]["rev"]      # the page says which one it holds
            self.statics += 1
        b = head["batch"]
        steps = [int(t) for f in head.get("frames", [])[:1]
                 for t in blob[f["t"][0]:f["t"][0] + f["t"][1]]]
        if self.batch is not None and b["seq"] == self.batch[0]:
            return                                   # the same batch again
        if self._asked_at is not None:               # how long the server took to answer
            took = time.monotonic() - self._asked_at
            self.latency = took if self.latency is None else 0.7 * self.latency + 0.3 * took
            self._asked_at = None
        self.batch = (b["seq"], steps, b["speed"], b["playing"], b["ended"])
        self.batches += 1
        if not b["playing"]:
            return
        self.received.update(steps)
        new = [t for t in steps if self._last is None or t > self._last]
        if not new:
            return
        now, speed = time.monotonic(), b["speed"]
        if self._clock is None:
            self._clock = (new[0], now)
        for t in new:             # when the page's clock shows each: on time, or on arrival
            t0, at = self._clock
            due = at + (t - t0) / speed
            if due < now:                            # late: the page held, then goes on
                self._clock, due = (t, now), now
            self.frame_times.append(due)
        self._last = new[-1]
        self.arrived.set()

    @property
    def frames(self):
        """Frames the page has shown by now (its clock passed their t)."""
        now = time.monotonic()
        return sum(1 for at in self.frame_times if at <= now)

    def next_ask(self):
        """When (time.monotonic()) the page asks for the next batch, or None (no play, or the
        batch asked for has not come)."""
        if self.batch is None or not self.batch[3] or self.batch[4] or \
                self._asked == self.batch[0] or self._clock is None:
            return None
        t0, at = self._clock
        ahead = max(ASK_AHEAD, 1.5 * (self.latency or 0.0))
        return at + (self._last - t0) / self.batch[2] - ahead

    def lead(self):
        return min(max(LEAD[0], 2 * (self.latency or 0.0)), LEAD[1])

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
        """Press Play; return once the first batch of a play arrived."""
        await self._send_rerun(ws, trigger=(self.play_id, "play", {"t": 0}))
        while self.batch is None or not self.batch[3]:
            self._read(await ws.recv())

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
                if self.play_id is None or self.feed_id is None:
                    raise RuntimeError("no live stage (Play, feed) in the first run")
                await self.play(ws)
                if started is not None:
                    started()
                reader = asyncio.ensure_future(self._read_forever(ws))
                try:
                    while not stop.is_set() and not reader.done():
                        self.arrived.clear()          # before looking: no wake-up is lost
                        when = self.next_ask()
                        if when is not None and when <= time.monotonic():
                            self._asked = seq = self.batch[0]
                            self._asked_at = time.monotonic()
                            await self._send_rerun(ws, fragment_id=self.fragment, trigger=(
                                self.feed_id, "need", {"seq": seq, "t": self._last,
                                                       "rev": self.rev, "lead": self.lead()}))
                            continue
                        wait = 0.5 if when is None else when - time.monotonic()
                        with contextlib.suppress(asyncio.TimeoutError):
                            await asyncio.wait_for(self._any(stop), max(wait, 0.001))
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

    async def _any(self, stop):
        """Until `stop` is set or a new batch arrived."""
        tasks = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.arrived.wait())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()


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
