"""The sidebar every page draws, in the order of the mission: the pages, then architecture,
output and loss, learning rate and optimizer, data, and the rest in "Advanced".

Each value lives under its own session-state key (say "lr") and its widget under a shadow key
("_lr"), copied back by an on_change callback. In Streamlit's multipage mode a widget drawn again
by the next page comes back at its default; the shadow key is how every value survives a page
switch (measured, see docs/design.md).
"""

import math
from itertools import groupby

import streamlit as st

from . import nav
from . import settings as S
from .messages import say


def _copy_back(key, shadow):
    st.session_state[key] = st.session_state[shadow]


def bound(widget, label, key, shadow=None, **kwargs):
    """Draw `widget` showing st.session_state[key]; a change is written back to `key`.
    `shadow`: the widget's own key (default "_" + key; a second widget of the same value, such
    as η in the control row, needs another)."""
    shadow = shadow or "_" + key
    st.session_state[shadow] = st.session_state[key]
    return widget(label, key=shadow, on_change=_copy_back, args=(key, shadow), **kwargs)


def _new_data():
    st.session_state["data_seed"] += 1


def set_lr(text):
    """η from a person's text or choice; a value that is not a positive number up to S.MAX_LR
    leaves η as it was and says why."""
    text = str(text).strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= S.MAX_LR):
        say("warning", f"“{text[:40]}” is not a learning rate: type a positive number up to "
            f"{S.MAX_LR:g}, such as 0.05 or 2e-4. The learning rate is unchanged.",
            topic="problem")
        return
    st.session_state["lr"] = value


def _typed_lr():
    text = st.session_state.get("lr_text", "")
    st.session_state["lr_text"] = ""
    if text.strip():
        set_lr(text)


def _chosen_lr(shadow):
    set_lr(st.session_state[shadow])


def format_lr(v):
    return f"{float(v):g}" if isinstance(v, (int, float)) else str(v)


def lr_options():
    return sorted(set(S.LR_CHOICES) | {st.session_state["lr"]})


def lr_select(label, shadow, **kwargs):
    """η as a list of TensorFlow Playground's learning rates in which any positive number can
    also be typed (the control row's η); session key "lr", like the sidebar's."""
    ss = st.session_state
    ss[shadow] = ss["lr"]
    return st.selectbox(label, lr_options(), key=shadow, on_change=_chosen_lr, args=(shadow,),
                        format_func=lambda v: f"η = {format_lr(v)}", accept_new_options=True,
                        **kwargs)


def _widget(row, cfg, present):
    """Draw one row of the settings' table (settings.Setting) with its widget."""
    extra = {k: v for k, v in (("help", row.help), ("format_func", row.fmt)) if v is not None}
    domain = row.domain
    if row.widget in ("slider", "number"):
        widget = st.slider if row.widget == "slider" else st.number_input
        bound(widget, row.label, row.name, min_value=domain.lo, max_value=domain.hi,
              step=domain.step, **extra)
    elif row.widget == "lr":
        bound(st.select_slider, row.label, row.name, options=lr_options(), **extra)
        if not present:
            st.text_input("Type a learning rate", key="lr_text", on_change=_typed_lr,
                          placeholder="any positive number, e.g. 0.05",
                          label_visibility="collapsed")
    else:
        options = row.options(cfg) if row.options else domain.values()
        widget = {"select_slider": st.select_slider, "selectbox": st.selectbox,
                  "radio": st.radio, "multiselect": st.multiselect}[row.widget]
        if row.widget == "radio":
            extra["horizontal"] = True
        bound(widget, row.label, row.name, options=options, **extra)


def rows(section, present=False):
    """Draw the rows of `section` that apply now, in the table's order; consecutive rows with
    the same `columns` side by side."""
    ss = st.session_state
    cfg = {k: ss[k] for k in S.DEFAULTS}
    shown = [r for r in S.table().values()
             if r.section == section and r.widget and r.shown(cfg, present)]
    for columns, group in groupby(shown, key=lambda r: r.columns):
        if not columns:
            for row in group:
                _widget(row, cfg, present)
            continue
        group = list(group)
        if group[0].lead:
            st.caption(group[0].lead)
        cols = st.columns(columns)
        for j, member in enumerate(group):
            with cols[j % columns]:
                _widget(member, cfg, present)


def loss_section(present=False):
    st.subheader("Output and loss")
    ss = st.session_state
    cfg, ss["notes"] = S.reconcile({k: ss[k] for k in S.DEFAULTS})
    ss["loss"], ss["output"] = cfg["loss"], cfg["output"]
    rows("loss", present)
    for note in st.session_state.get("notes", []):
        st.caption(note)


def data_section(present=False):
    st.subheader("Data")
    rows("data", present)
    if not present:
        st.button("New data", on_click=_new_data, help="Draw a new sample (the next data seed)")


def advanced_section(present=False):
    with st.expander("Advanced: initialisation, seeds, batch, L2, max iterations"):
        rows("advanced", present)


def _titled(title, section):
    def draw_section(present=False):
        st.subheader(title)
        rows(section, present)
    return draw_section


SECTIONS = (
    ("architecture", _titled("Architecture", "architecture")),
    ("loss", loss_section),
    ("optimisation", _titled("Learning rate and optimizer", "optimisation")),
    ("data", data_section),
    ("advanced", lambda present: None if present else advanced_section(present)),
)


NOT_USED = ("**The network's settings are not used on this page** (architecture, loss, η, "
            "data): it trains one neuron of its own, with its own controls on the page. They "
            "come back, as they were, on the other pages.")


def draw(settings=True):
    """The whole sidebar; every page calls it before sync_run(). Presentation mode (toggle or
    ?present=1) hides the secondary controls, as TensorFlow Playground's classroom mode does.
    settings=False: a page that uses none of the main run's settings (Error surface) shows the
    page links and a sentence saying so instead; the settings keep their values (bound)."""
    present = st.session_state["present"]
    with st.sidebar:
        nav.links()
        if not settings:
            st.divider()
            st.caption(NOT_USED)
            st.divider()
            bound(st.toggle, "Presentation mode", "present",
                  help="Large type, thick lines, fewer controls: for a projector")
            return
        for _, draw_section in SECTIONS:
            draw_section(present)
        st.divider()
        bound(st.toggle, "Presentation mode", "present",
              help="Large type, thick lines, fewer controls: for a projector")
