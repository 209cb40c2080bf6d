"""Helpers for driving the real app with streamlit.testing.v1.AppTest."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["pages/1_Training_curves.py", "pages/4_Theta_and_gradient.py", "pages/5_Backprop.py"]
# The views of pages that show one of several: {label: (page, session key of its picker)}.
VIEWS = {label: ("pages/1_Training_curves.py", "curves_view") for label in
         ("Loss and accuracy", "Gradients per layer", "Loss landscape", "Rewind")}
VIEWS |= {label: ("pages/5_Backprop.py", "backprop_view")
          for label in ("Step by step", "Per hidden unit")}
TIMEOUT = 60


def start(params=None):
    """A new session (a new browser tab) opening the app, at the address's query `params`
    ({name: text}) if given."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert_clean(at)
    return at


def assert_clean(at):
    """No exception element anywhere on the page, and no error caught by the page's guard."""
    assert not at.exception, [e.value for e in at.exception]
    caught = [e.value for e in at.error if e.value.startswith("Something went wrong")]
    assert not caught, caught


def run(at):
    at.run()
    assert_clean(at)
    return at


def click(at, label):
    buttons = [b for b in at.button if b.label == label]
    assert buttons, f"no button {label!r}: {[b.label for b in at.button]}"
    buttons[0].click()
    return run(at)


def advance(at, n, target=None):
    """n more updates of the tab's run (or of `target`, say the Compare page's pair), then a
    run of the page: test setup where clicking Step ×10 n/10 times would only be slower."""
    (target or run_state(at).trainer).step(n)
    return run(at)


def goto(at, where):
    """Switch to a page file, or to a view of a page (a label of VIEWS), and run it."""
    if where in VIEWS:
        page, key = VIEWS[where]
        at.session_state[key] = where
        where = page
    at.switch_page(where)
    return run(at)


# ---- the live stage (ffnn/app/stage.py): what its mounts are sent, and what the page asks ----
def stage_message(at, key):
    """(header, float64 blob) of the stage mount keyed `key` ("play", "feed", "cmp_feed" …)."""
    import numpy as np
    for el in at.get("bidi_component"):
        if el.proto.id.endswith(f"-{key}"):
            raw = el.proto.bytes
            n = int.from_bytes(raw[:4], "little")
            start = 4 + n + (8 - (4 + n) % 8) % 8
            return json.loads(raw[4:4 + n]), np.frombuffer(raw[start:], dtype=np.float64)
    raise AssertionError(f"no stage mount {key!r}")


def stage_frames(at, key="feed"):
    """[(steps, thetas, numbers)] of each side in the feed mount's batch (what the page plays)."""
    head, blob = stage_message(at, key)

    def part(ref):
        return blob[ref[0]:ref[0] + ref[1] * ref[2]].reshape(ref[1], ref[2])

    return [(part(f["t"])[:, 0].astype(int), part(f["theta"]), part(f["num"]))
            for f in head.get("frames", [])]


def stage_curves(at):
    """{name: L(θ_t) values}: the loss curves the live stage draws now (each side's history, then
    its frame), named as its legend names them ("train loss", or "A: … · train" on a pair); {}
    on a page without a stage feed."""
    import numpy as np
    feeds = [el.proto.id.rsplit("-", 1)[-1] for el in at.get("bidi_component")
             if el.proto.id.endswith("feed")]
    if not feeds:
        return {}
    head, blob = stage_message(at, feeds[0])
    if "curves" not in head:
        return {}
    titles = head.get("info", {}).get("titles")
    frames = stage_frames(at, feeds[0])
    out = {}
    for k, ref in enumerate(head["curves"]):
        for split, col in (("train", 0), ("test", 1)):
            if split not in ref:
                continue
            o, n, _ = ref[split]
            values = blob[o:o + n]
            if frames and frames[k][2].shape[1]:
                values = np.append(values, frames[k][2][-1, col])   # the frame shown, last
            out[f"{titles[k]} · {split}" if titles else f"{split} loss"] = values
    return out


def trigger(at, key, event, value):
    """What the page's JavaScript does: set trigger `event` of the stage mount `key` to
    `value`, then run (in the browser the mount's own fragment re-runs; here the whole page)."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    ids = [el.proto.id for el in at.get("bidi_component") if el.proto.id.endswith(f"-{key}")]
    assert ids, f"no stage mount {key!r}"
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = _make_trigger_id(ids[0], "events")
    state.json_trigger_value = json.dumps([{"event": event, "value": value}])
    at._run(states)
    assert_clean(at)
    return at


def shown_t(at, key=""):
    """The t the page shows: the last frame of the batch (a page without frames: the batch's t)."""
    head, _ = stage_message(at, f"{key}feed")
    frames = stage_frames(at, f"{key}feed")
    return int(max(f[0][-1] for f in frames)) if frames else head["batch"]["t"]


def play(at, key=""):
    """Press Play (the stage's button, key f"{key}play")."""
    return trigger(at, f"{key}play", "play", {"t": shown_t(at, key)})


def pause(at, key="", t=None):
    """Press Pause with the page showing t (default: the end of the batch it holds)."""
    return trigger(at, f"{key}play", "pause", {"t": shown_t(at, key) if t is None else t})


def need(at, key=""):
    """The page asks for the next batch, as it does with a fraction of a second left."""
    head, _ = stage_message(at, f"{key}feed")
    ask = {"seq": head["batch"]["seq"], "t": shown_t(at, key)}
    if "static" in head:
        ask["rev"] = head["static"]["rev"]
    return trigger(at, f"{key}feed", "need", ask)


def batch(at, key=""):
    return stage_message(at, f"{key}feed")[0]["batch"]


def play_on(at, batches, key=""):
    """`batches` more batches of a play, as the page asks for them; when the play ends (the
    run's end, or the run-through's t) the page says so, as the browser does -> at."""
    for _ in range(batches):
        b = batch(at, key)
        if not b["playing"]:
            break
        if b["ended"]:
            return trigger(at, f"{key}feed", "ended", {"t": shown_t(at, key), "seq": b["seq"]})
        need(at, key)
    return at


def playing(at, key=""):
    from ffnn.app.playback import KEY
    return at.session_state[KEY].playing(key) if KEY in at.session_state else False


def metric(at, label):
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return found[0]


def counter(at):
    """t from the 'Iteration t' metric, which reads 't / max_iterations', or, on a page whose
    live stage draws the numbers, the t its stage shows."""
    if any(m.label == "Iteration t" for m in at.metric):
        return int(metric(at, "Iteration t").split("/")[0])
    keys = [el.proto.id.rsplit("-", 1)[-1] for el in at.get("bidi_component")]
    feed = next(k for k in keys if k.endswith("feed"))
    return shown_t(at, feed.removesuffix("feed"))


def charts(at):
    """{chart key: figure dict} for every Plotly chart on the page."""
    out = {}
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        out[el.proto.id or len(out)] = spec
    return out


def chart_specs(at):
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def widget(at, kind, key):
    return getattr(at.sidebar, kind)(key=key)


def set_widget(at, kind, key, value, accepted=True):
    """Set the sidebar widget `key` (a shadow key such as "_lr") to `value` and run. Unless the
    test expects the value refused (accepted=False), the setting the widget is bound to (the
    session key without "_") must then hold it: a value the widget did not take, or that its
    callback did not copy back, fails here rather than later."""
    widget(at, kind, key).set_value(value)
    run(at)
    if accepted:
        setting = key.removeprefix("_")
        assert at.session_state[setting] == value, (setting, at.session_state[setting], value)
    return at


def html_is_ours(at):
    """Every st.html element on the page is one of the app's own constant style sheets
    (nothing a person, a URL or a file typed is ever drawn as HTML)."""
    from ffnn.app.page import COMPACT_CSS, PROJECTOR_CSS
    allowed = {COMPACT_CSS, COMPACT_CSS + PROJECTOR_CSS}
    bodies = [el.proto.body for el in at.get("html")]
    return all(body in allowed for body in bodies)


def popover_text(at, label):
    """The markdown inside the popover `label` (its button's text), joined."""
    for block in at.get("popover"):
        if block.proto.popover.label == label:
            return " ".join(m.value for m in block.markdown)
    raise AssertionError(f"no popover {label!r}")


def run_state(at):
    return at.session_state["run"]


def texts(at):
    """All warning, info and error messages on the page."""
    return [m.value for kind in ("warning", "info", "error") for m in getattr(at, kind)]
