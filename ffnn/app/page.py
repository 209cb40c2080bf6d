"""What every page does: the shared sidebar, the run, the controls, then its own view.

A page is a title, a sentence and a `view(run)` function that draws figures; `show` does the
rest. Errors never reach the page as a traceback: they end in a message, and the run is kept.
"""

from pathlib import Path

import streamlit as st

from . import lecture, replay, sidebar, state, status
from .controls import Player
from .guard import guarded
from .lessons import LESSONS
from .messages import show as show_said
from .sidebar import bound

# Tighter than Streamlit's default spacing, so that the home page holds the lecture on one
# 1280x800 screen (what each rule fixes: docs/design.md, "Measurements behind the code").
COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding: 3.4rem 1.5rem 2rem; max-width: none; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.6rem; }
[data-testid="stMetric"] { padding: 0; }
[data-testid="stMetricValue"] { font-variant-numeric: tabular-nums; }
[data-testid="stMetricLabel"] p { font-size: 0.8rem; }
[data-testid="stSidebarUserContent"] [data-testid="stCaptionContainer"] { margin-top: 0.4rem; }
[data-testid="stSidebarUserContent"] [data-testid="stVerticalBlock"] { gap: 0.5rem; }
h4 { padding: 0 0 0.2rem; }
[data-testid="stMain"] h1 { font-size: 24px; font-weight: 600; line-height: 1.2;
  padding: 8px 0 16px; margin: 0; }
.katex-display { overflow-x: auto; overflow-y: hidden; }
[data-testid="stMarkdown"] > div:has(> [data-testid="stMarkdownContainer"] > .katex-display),
[data-testid="stMarkdownContainer"]:has(> .katex-display) { width: 100%; }
[data-testid="stColumn"] .katex-display > .katex { font-size: 1em; }
.st-key-lesson_box > :first-child, .st-key-suggest_row > :first-child,
.st-key-stall_row > :first-child {
  flex: 1 1 0; min-width: 12rem; }
div[class*="st-key-"][class*="clicker_"] { display: none; }
[class*="st-key-"][class*="view_row"] [data-testid="stButtonGroup"] > div {
  flex-wrap: wrap; overflow-x: visible; }
[data-testid="stSidebar"][data-collapsed="true"],
[data-testid="stSidebar"][data-collapsed="true"] * { visibility: hidden !important; }
:focus-visible { outline: 3px solid #111111 !important; outline-offset: 2px; }
label:has(input:focus-visible) { outline: 3px solid #111111; outline-offset: 2px;
  border-radius: 0.25rem; }
@media (hover: none), (pointer: coarse) {
  [data-testid="stMain"] button kbd, [data-testid="stSidebar"] button kbd { display: none; } }
.st-key-theta_narrow, .st-key-phone { display: none; }
@media (max-width: 640px) {
  .st-key-theta_wide { display: none; } .st-key-theta_narrow { display: flex; }
  .katex-display > .katex, .katex-display > .katex > .katex-html { white-space: normal; } }
.st-key-lecture_bar { background: #F0F5FA; border-radius: 0.5rem; padding: 0.3rem 0.6rem; }
.st-key-lecture_bar [data-testid="stCaptionContainer"] { margin-top: -0.4rem; }
</style>"""
# Presentation mode: larger type everywhere (Streamlit sizes its text in rem).
PROJECTOR_CSS = """<style>
html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.45rem; }
.st-key-lesson_box p { font-size: 0.8rem; }
[data-testid="stAlertContainer"] { padding: 0.5rem 0.75rem; }
/* the sidebar opens over the page, as on a phone: the charts keep their presented sizes */
[data-testid="stSidebar"] { position: fixed !important; top: 0 !important; left: 0;
  height: 100vh !important; z-index: 1000002 !important;
  box-shadow: 0 0 1.5rem rgba(0, 0, 0, 0.35); }
</style>"""


ICON = str(Path(__file__).with_name("favicon.png"))   # a local file: a Material icon is
# fetched from fonts.gstatic.com (no network in a lecture hall, and a third party told)


def frame(title, intro, own_run=None, sidebar_settings=True):
    """The part every page shares: config, sidebar, the run, title and messages; -> run
    (None if it could not be had: a message says why). own_run: on a page that trains a run of
    its own, the sentence that says so; the main run's messages about itself (rebuilt from the
    address, replayed to t) wait for a page that shows the main run. sidebar_settings=False:
    the page uses none of the sidebar's settings, which it leaves out (sidebar.draw)."""
    state.init_state()
    guarded(lecture.arrive)
    go_to = st.session_state.pop("go_to", None)     # a run-through stage opens its page
    if go_to is not None:
        st.switch_page(go_to)
    present = st.session_state["present"]
    st.set_page_config(page_title=f"{title} · ffnn", page_icon=ICON,
                       layout="wide", initial_sidebar_state="collapsed" if present else "auto")
    st.html(COMPACT_CSS + (PROJECTOR_CSS if present else ""))
    guarded(sidebar.draw, sidebar_settings)
    run = guarded(_sync)
    if run is not None:
        guarded(replay.replay, run)
        guarded(replay.write_url, run)
    replay.rerun_on_reconnect()
    st.markdown(f"# {title}")           # the page's h1, sized as the h4 it was (COMPACT_CSS)
    if intro and not present:       # on a projector the lecturer says it; the chart needs room
        st.caption(f"{intro} {own_run}" if own_run else intro)   # one line less than two
    messages(main_run=not own_run)
    return run


def messages(main_run=True):
    """What is queued for the page (ffnn.app.messages: the URL's warnings, a refused setting, a
    notice), in the order said; what is about the main run only where it is shown (main_run);
    Reset's Undo."""
    with st.container(key="messages"):    # one slot, always there: a message that comes or
        _messages(main_run)                # goes never shifts (and so remounts) what follows,
        # where a focused control (Reset, then its notice and Undo) would lose the focus


def _messages(main_run):
    show_said(*(("page", "main_run") if main_run else ("page",)))
    undo = st.session_state.pop("undo_reset", None)
    if undo is not None:
        st.button(f"Undo: back to t = {undo.trainer.t}", on_click=state.undo_reset,
                  args=(undo,), key="undo_reset_button")


def _close_lesson():
    st.session_state.pop("lesson", None)


def lesson_box(fold=False):
    """The loaded lesson in one line: its title and what to do next; the explanation in a
    popover, so that it never pushes a chart down. In the run-through, the stage's bar (fold:
    its sentences in a popover too, where a message needs the room). Drawn in one slot that
    is always there, as the messages are: nothing after it shifts when it comes or goes."""
    with st.container(key="lesson_slot"):
        _lesson_box(fold)


def _lesson_box(fold):
    if lecture.stage() is not None:
        return lecture_bar(fold)
    key = st.session_state.get("lesson")
    if key is None:
        return
    lesson = LESSONS[key]
    with st.container(horizontal=True, vertical_alignment="center", gap="small",
                      key="lesson_box"):
        st.markdown(f":material/menu_book: **Lesson: {lesson.title}.** *Next:* {lesson.try_next}",
                    width="stretch")
        with st.popover("Why?", help="What this lesson shows, and why"):
            st.markdown(lesson.text)
        st.button("Close", on_click=_close_lesson, help="Close the lesson", key="close_lesson")


def lecture_bar(fold=False):
    """The run-through's stage in one row, n / N and its title, with the moves (the clicker's
    PageDown and PageUp do the same) and the list of stages to jump to; its two sentences
    under it, or with fold behind a "Why?" in the row. Presented they always fold: 720 px
    hold the stage's chart only without them (the lecturer says them; "Why?" shows them)."""
    n, lesson = lecture.stage(), lecture.lesson()
    fold = fold or bool(st.session_state.get("present"))
    with st.container(key="lecture_bar"):
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.markdown(f"**{n} / {lecture.N} · {lesson.title}**", width="stretch")
            if fold:
                with st.popover("Why?", help="What this stage shows"):
                    st.markdown(lesson.text)
            st.button("Back", on_click=lecture.back, help="The stage before (PageUp)",
                      key="stage_back")
            st.button("Next", on_click=lecture.advance, key="stage_next",
                      help=f"Play to t = {lesson.until}, then the next stage (PageDown)")
            with st.popover("Stages", help="Every stage; leave the run-through"):
                for i in range(1, lecture.N + 1):
                    st.button(f"{i}. {lecture.lesson(i).title}", on_click=lecture.start,
                              args=(i,), key=f"stage_{i}", type="tertiary")
                st.button("Leave the run-through", on_click=lecture.leave, key="stage_leave",
                          help="Back to your own run, as it was")
        if not fold:
            st.caption(lesson.text)


def main_player():
    """The Player of the tab's training run (key "")."""
    return Player("", lambda: st.session_state["run"].trainer, state.reset,
                  on_frame=replay.keep_url, clicker=lecture.clicker)


def show(title, intro, view, before=None, row=None, after=None, places_status=False,
         browser_draws=False):
    """Draw a page that follows the main run: frame, the lesson line, the training controls
    (with `row()`'s widgets in their row), then `before()` (page options, optional), the live
    area (the numbers, what the watchdog says, and `view(run)`, redrawn while training plays)
    and `after()` (options below it, optional). places_status: the view draws the lesson line,
    the numbers and the messages itself (status.*), where its layout has room for them.
    browser_draws: the view mounts the live stage (its frames drawn in the browser); else the
    server draws the view once per batch while playing."""
    run = frame(title, intro)
    if run is None:
        return
    if not places_status:
        lesson_box()
    player = main_player()
    guarded(player.buttons, row)
    if before is not None:
        guarded(before)

    def live(_trainer):
        run = st.session_state["run"]
        if not places_status:
            guarded(status.metrics, run)
            guarded(status.alerts, run)
        guarded(view, run)

    player.live(live, browser_draws)
    if after is not None:
        guarded(after)


def show_views(title, screens, key):
    """A page of several views, one drawn at a time: `screens` {label: module with INTRO,
    view(run) and maybe options()}; the picked label is session key `key` (a lesson may set
    it). The picker sits under the controls; the view's options under the picker."""
    ss = st.session_state
    labels = list(screens)
    if ss.get(key) not in labels:
        ss[key] = labels[0]

    def picked():
        return screens[ss[key]]

    def before():
        with st.container(horizontal=True, vertical_alignment="center", gap="medium",
                          key=f"{key}_row"):
            bound(st.pills, "View", key, options=labels, required=True,
                  label_visibility="collapsed")       # pills wrap on a phone (COMPACT_CSS)
            if not ss["present"]:
                st.caption(picked().INTRO, width="stretch")
        options = getattr(picked(), "options", None)
        if options is not None:
            options()

    show(title, None, lambda run: picked().view(run), before=before)


def _sync():
    try:
        return state.sync_run()
    except ValueError as err:       # no previous run to fall back on: start from the defaults
        st.error(f"These settings cannot be used: {err}. Starting from the defaults.")
        for key in list(st.session_state):
            del st.session_state[key]
        state.init_state()
        return state.sync_run()
