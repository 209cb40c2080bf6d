"""A browser tab on the class board without a browser, for the load tests: it speaks Streamlit's
own protocol on the server's websocket (`/_stcore/stream`, protobuf BackMsg / ForwardMsg), as
bench/student.py does, so the run it sends goes through the app's own path (the page's button,
its callback, the session's trainer, the store).

A Tab opens the Class board page with a query string, reads what the page draws (buttons and
text inputs by label, metrics, alerts, code blocks) and clicks a button with the values of its
text inputs. `watch()` answers the page's auto-rerun timer as a browser does, and notes when the
"Runs" metric changes (for the lecturer's projected board).
"""

import asyncio
import contextlib
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

PAGE = "Class_board"
# In a real browser: the dots of the board's η-against-loss chart (-1 before it is drawn)
DOTS_JS = """() => {
  const g = document.querySelector('.js-plotly-plot');
  if (!g || !g.data) return -1;
  return g.data.filter(t => t.name !== 'selected' && t.mode === 'markers')
    .reduce((n, t) => n + t.x.length, 0);
}"""
ALERTS = {1: "error", 2: "warning", 3: "info", 4: "success"}


class Tab:
    def __init__(self, url, query=""):
        self.url, self.query = url, query
        self.ws = None
        self.page_hash = ""
        self.buttons, self.inputs = {}, {}      # label -> widget id
        self.values = {}                        # text input id -> value to send
        self.metrics, self.alerts, self.codes = {}, [], []
        self.timers = {}                        # fragment id -> interval: the page's timers
        self.runs_seen = []                     # (time.monotonic(), "Runs" value), each change
        self.trace = []                         # (time.monotonic(), what): messages, requests

    async def open(self):
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        # No keepalive pings: a tab that waits for its turn reads nothing, and its pongs would
        # queue behind unread messages.
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                           max_queue=None, ping_interval=None, open_timeout=60)
        await self._rerun(page_name=PAGE)
        await self.finish()
        return self

    async def close(self):
        if self.ws is not None:
            await self.ws.close()

    async def _rerun(self, *, page_name="", trigger=None, fragment_id=""):
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        cs.page_name = page_name
        if fragment_id:
            cs.fragment_id, cs.is_auto_rerun = fragment_id, True
        self.trace.append((time.monotonic(), f"send rerun {fragment_id or 'app'}"))
        for wid, value in self.values.items():
            w = cs.widget_states.widgets.add()
            w.id, w.string_value = wid, value
        if trigger:
            w = cs.widget_states.widgets.add()
            w.id, w.trigger_value = trigger, True
        await self.ws.send(msg.SerializeToString())

    def _read(self, raw):
        """One ForwardMsg -> True when a script run (or fragment run) finished."""
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind != "delta":
            detail = {"auto_rerun": lambda: msg.auto_rerun.fragment_id,
                      "script_finished": lambda: msg.script_finished,
                      "session_status_changed":
                          lambda: msg.session_status_changed.script_is_running}.get(kind)
            self.trace.append((time.monotonic(), f"{kind} {detail() if detail else ''}"))
        if kind == "navigation":            # the page this run drew (found by page_name)
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.timers[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element)
        return kind == "script_finished"

    def _element(self, el):
        kind = el.WhichOneof("type")
        if kind == "button":
            self.buttons[el.button.label] = el.button.id
        elif kind == "text_input":
            self.inputs[el.text_input.label] = el.text_input.id
        elif kind == "metric":
            self.metrics[el.metric.label] = el.metric.body
            if el.metric.label == "Runs" and (not self.runs_seen
                                              or self.runs_seen[-1][1] != el.metric.body):
                self.runs_seen.append((time.monotonic(), el.metric.body))
        elif kind == "alert":
            self.alerts.append((ALERTS.get(el.alert.format, "?"), el.alert.body))
        elif kind == "code":
            self.codes.append(el.code.code_text)

    async def finish(self, timeout=120):
        async with asyncio.timeout(timeout):
            while not self._read(await self.ws.recv()):
                pass

    async def click(self, label, **texts):
        """Type `texts` ({input label: value}) and click the button `label`; wait until the run
        finished -> the alerts it showed [(kind, text)]."""
        self.alerts = []
        for input_label, value in texts.items():
            self.values[self.inputs[input_label]] = value
        await self._rerun(trigger=self.buttons[label])
        await self.finish()
        return self.alerts

    async def watch(self, stop):
        """Answer the page's timers (each fragment with run_every asks for a run of itself every
        interval s, each on its own clock) until `stop` is set; the full reruns a fragment asks
        for arrive by themselves."""
        reader = asyncio.ensure_future(self._read_forever())
        due = {}
        try:
            while not stop.is_set():
                now = time.monotonic()
                for fragment, interval in list(self.timers.items()):
                    due.setdefault(fragment, now + interval)
                    if now >= due[fragment]:
                        due[fragment] = now + interval
                        await self._rerun(fragment_id=fragment)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.05)
        finally:
            reader.cancel()

    async def _read_forever(self):
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            while True:
                self._read(await self.ws.recv())
