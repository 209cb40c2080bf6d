"""What every page does: the shared sidebar, the run, the controls, then its own view.

A page is a title, a sentence and a `view(run)` function that draws figures; `show` does the
rest. Errors never reach the page as a traceback: they end in a message, and the run is kept.
"""

import streamlit as st

from . import controls, sidebar, state
from .guard import guarded
from .lessons import LESSONS


def frame(title, intro):
    """The part every page shares: config, sidebar, the run, title and messages; -> run
    (None if it could not be had: a message says why)."""
    state.init_state()
    present = st.session_state["present"]
    st.set_page_config(page_title=f"{title} · ffnn", page_icon="🧠", layout="wide",
                       initial_sidebar_state="collapsed" if present else "auto")
    guarded(sidebar.draw)
    run = guarded(_sync)
    if run is not None:
        guarded(state.replay, run)
        guarded(state.write_url, run)
    st.markdown(f"#### {title}")
    if not present:                 # on a projector the lecturer says it; the chart needs room
        st.caption(intro)
    for warning in st.session_state.pop("url_warnings", []):
        st.warning(warning)
    for key, show_it in (("problem", st.warning), ("notice", st.info)):
        message = state.pop_message(key)
        if message:
            show_it(message)
    lesson_box()
    return run


def _close_lesson():
    st.session_state.pop("lesson", None)


def lesson_box():
    """The loaded lesson's explanation, on every page until closed."""
    key = st.session_state.get("lesson")
    if key is None:
        return
    lesson = LESSONS[key]
    with st.container(border=True):
        text, close = st.columns([12, 1])
        text.markdown(f"**Lesson: {lesson.title}.** {lesson.text}  \n*Next:* {lesson.try_next}")
        close.button("✕", on_click=_close_lesson, help="Close the lesson", key="close_lesson")


def show(title, intro, view, before=None):
    """Draw a page that follows the main run: frame, training controls, then `before()` (page
    options, optional) and the live `view(run)`, redrawn while training plays."""
    run = frame(title, intro)
    if run is None:
        return
    guarded(controls.buttons, run)
    if before is not None:
        guarded(before)
    controls.live(lambda r: guarded(view, r))


def _sync():
    try:
        return state.sync_run()
    except ValueError as err:       # no previous run to fall back on: start from the defaults
        st.error(f"These settings cannot be used: {err}. Starting from the defaults.")
        for key in list(st.session_state):
            del st.session_state[key]
        state.init_state()
        return state.sync_run()
