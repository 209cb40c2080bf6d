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


def metric(at, label):
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return found[0]


def counter(at):
    """t from the 'Iteration t' metric, which reads 't / max_iterations'."""
    return int(metric(at, "Iteration t").split("/")[0])


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
