"""A student's session without a browser, for bench/capacity.py.

It speaks Streamlit's own protocol on the server's websocket (`/_stcore/stream`, the protobuf
messages streamlit.proto.BackMsg / ForwardMsg) the way the page does: it asks for a run of the
home page, presses Play (the button keyed "play"), and then, like the page's timer, asks for a
run of the live fragment every `interval` seconds the server named. It counts the fragment runs
the server finished and sent, i.e. the frames this student's browser would draw. The browser's
own drawing is left out: a class's browsers run on the students' machines, not on the server.

The timer asks whatever the server is doing, as the page's setInterval does; the server folds
requests that arrive during a run into one (so this is no lighter on the server than a page).
"""

import asyncio
import contextlib
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")


class Student:
    """One session; `await run(url, stop)` until the event `stop` is set."""

    def __init__(self, query=""):
        self.query = query
        self.frames = 0            # fragment runs finished while playing
        self.frame_times = []      # when each arrived (time.monotonic())
        self.play_id = None
        self.page_hash = ""
        self.auto = None           # (interval s, fragment id) once Play runs
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
            self.auto = (msg.auto_rerun.interval, msg.auto_rerun.fragment_id)
        elif kind == "script_finished":
            if self.auto and msg.script_finished == FRAGMENT_DONE:
                self.frames += 1
                self.frame_times.append(time.monotonic())
            return "finished"
        return None

    async def _until_finished(self, ws):
        while self._read(await ws.recv()) != "finished":
            pass

    async def run(self, url, stop, started=None):
        ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        try:
            async with websockets.connect(ws_url, subprotocols=["streamlit"],
                                          max_size=None) as ws:
                await self._send_rerun(ws)
                await self._until_finished(ws)
                if self.play_id is None:
                    raise RuntimeError("no Play button in the first run")
                await self._send_rerun(ws, trigger=self.play_id)
                while self.auto is None:
                    self._read(await ws.recv())
                if started is not None:
                    started()
                reader = asyncio.ensure_future(self._read_forever(ws))
                while not stop.is_set():
                    interval, fragment = self.auto      # the latest the server named
                    await self._send_rerun(ws, fragment_id=fragment)
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(stop.wait(), interval)
                reader.cancel()
        except (TimeoutError, OSError, RuntimeError, websockets.exceptions.WebSocketException) as err:   # the bench reports it
            self.error = f"{type(err).__name__}: {err}"

    async def _read_forever(self, ws):
        while True:
            self._read(await ws.recv())
