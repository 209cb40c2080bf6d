"""Class board: a whole class's runs on one screen. The lecturer opens a board and projects it;
each student trains with their own η, then sends the run; the board draws final loss against η
for the room (the U, with divergence at the right), every loss curve, and a table.

Actions are callbacks of ffnn.app.board (which checks everything in the store); this page only
draws. A lecturer's board (or any in presentation mode) asks the store every
board.WATCH_EVERY seconds whether it changed, and redraws when it did (board.watch).
"""

import time

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from ffnn.app import board, page, views
from ffnn.app import settings as S
from ffnn.app.board_store import BoardError
from ffnn.app.guard import guarded
from ffnn.app.messages import take
from ffnn.figures.board import board_curves, loss_vs_lr

CHART_HEIGHT = 330
TABLE_HEIGHT = 220       # px: about five rows, then the table scrolls
COLOR, SELECTED = "board_color_by", "board_selected"          # widget keys
SHOW = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
SHOWN = "board_shown"        # session state: this run's messages (each is said once)
RUNS = "board_runs_read"     # session state: {"code", "runs": {number: Entry}} read so far
LAST = "board_last_read"     # session state: the board as last read, shown while it cannot be


def alert(kind, text):
    """Show a message once per run; of the database's messages (a send that got no answer, then
    the page's own read), only the first: one problem, said once."""
    said = st.session_state.setdefault(SHOWN, set())
    topic = "database" if text.startswith("The class board's database") else text
    if topic not in said:
        said.add(topic)
        SHOW[kind](text)


def messages():
    for kind, text in take("board"):
        alert(kind, text)


def start():
    """No board yet: join one by its code, or open one."""
    join, lecturer = st.columns(2, gap="large")
    with join, st.form("board_join_form", border=False):
        st.markdown("##### Join a class")
        st.text_input("Class code (on the slide)", key=board.JOIN, max_chars=16,
                      placeholder="e.g. KX7P2Q")
        st.form_submit_button("Join", on_click=board.join, type="primary")
    with lecturer:
        st.markdown("##### Lecturers")
        st.caption("Open a board for your class: you get a class code to write on the slide and "
                   "a lecturer link to keep. Boards without activity for 24 hours are deleted.")
        st.button("Open a new class board", on_click=board.open_board)


def key_form():
    """A lecturer in a browser without their cookie types the key (never in a link)."""
    with st.expander("Lecturer: bring back your tools"), \
            st.form("board_key_form", border=False):
        st.text_input("Lecturer key", key=board.KEY_INPUT, type="password", max_chars=64)
        st.form_submit_button("Open the lecturer tools", on_click=board.enter_key)


def send_form(run):
    """A student's name and the button that sends this session's run."""
    with st.container(border=True):
        name, what = st.columns([2, 3], vertical_alignment="bottom")
        # No max_chars: Streamlit would cut a longer name silently; the store refuses it with
        # a message instead.
        name.text_input("Your name on the board (optional)", key=board.NAME,
                        placeholder="anonymous", help=f"At most {board.MAX_NAME} characters, "
                        "shown as plain text. Leave it empty to stay anonymous.")
        with what:
            if run is not None:
                tr = run.trainer
                loss = tr.evaluate()["train_loss"] if tr.t else None
                optimizer = S.NAMES["optimizer"][run.cfg["optimizer"]]
                st.caption(f"Your run: η = {tr.lr:g}, {optimizer}, t = {tr.t}"
                           + (f", train loss {loss:.4g}" if loss is not None else "")
                           + ". Train on any page, then send it here.")
            st.button("Send my run to the class", on_click=board.send, type="primary")


def header(info, entries):
    """Code, count, colour and the selected run -> (colour by, selected id)."""
    code, count, color, chosen = st.columns([1.2, 0.8, 1.6, 2.4], vertical_alignment="bottom")
    code.metric("Class code", info.code)
    count.metric("Runs", info.n_runs)
    st.session_state.setdefault(COLOR, "loss")
    by = color.selectbox("Colour by", list(board.COLOR_BY), format_func=board.COLOR_BY.get,
                         key=COLOR)
    ids = [None] + [e.id for e in entries]
    if st.session_state.get(SELECTED) not in ids:
        st.session_state[SELECTED] = None
    names = {e.id: f"#{e.id} · {e.name or 'anonymous'} · η {e.lr:g}" for e in entries}
    selected = chosen.selectbox("Selected run", ids, key=SELECTED,
                                format_func=lambda i: "none" if i is None else names[i])
    return by, selected


def charts(entries, by, selected):
    runs, groups = board.plot_runs(entries, by)
    left, right = st.columns(2)
    with left:
        views.chart(loss_vs_lr(runs, groups, group_title=board.COLOR_BY[by], selected=selected,
                               height=CHART_HEIGHT), "board_lr")
    with right:
        views.chart(board_curves(runs, groups, selected=selected, height=CHART_HEIGHT),
                    "board_curves")


def runs_table(entries):
    if not entries:
        st.caption("No runs yet: students join with the class code, train, and press “Send my "
                   "run to the class”.")
        return
    fmt, text = st.column_config.NumberColumn, st.column_config.TextColumn
    height = min(TABLE_HEIGHT, 35 * (len(entries) + 1) + 3)     # no empty rows below a few runs
    st.dataframe(board.table(entries), hide_index=True, width="stretch", height=height,
                 column_config={"#": fmt(width=40), "name": text(width="medium"),
                                "η": fmt(format="%g", width=70), "t": fmt(width=70),
                                "other settings": text(width="medium"),
                                "train loss": text(width=100), "test loss": text(width=100),
                                "train acc": fmt(format="percent", width=90),
                                "test acc": fmt(format="percent", width=90)})


def burst_warning(entries):
    """The latest burst of new senders (board.bursts), with its removal in one action."""
    found = board.bursts(entries)
    if not found:
        return
    b = found[-1]
    since = time.strftime("%H:%M:%S", time.localtime(b.start))
    until = time.strftime("%H:%M:%S", time.localtime(b.end))
    st.warning(f"A burst of new senders: {board.plural(len(b.senders), 'sender')} new to this "
               f"board sent their first run between {since} and {until} (more than "
               f"{board.BURST_SENDERS} within {board.BURST_WINDOW:g} s), "
               f"{board.plural(b.runs, 'run')} in all. If they are not your class, remove them "
               "in one action.")
    st.button(f"Remove this burst ({board.plural(b.runs, 'run')})", on_click=board.remove,
              args=(b.senders, "the burst"), key="board_remove_burst")


def lecturer_tools(db, info, entries, selected):
    present = st.session_state["present"]
    burst_warning(entries)
    # On a projector the tools fold away; on the lecturer's own screen they are always open.
    box = st.expander("Lecturer tools") if present else st.container(border=True)
    with box:
        if not present:
            st.markdown("##### Lecturer tools")
        one, two, three, four, five = st.columns(5, vertical_alignment="bottom")
        label = "" if selected is None else f" #{selected}"
        one.button(f"Hide run{label}", on_click=board.hide, args=(selected,),
                   disabled=selected is None, key="board_hide")
        two.button(f"Open run{label} here", on_click=board.open_entry, args=(selected,),
                   disabled=selected is None, key="board_open_entry",
                   help="Rebuild this run in your session: its settings and t, replayed from θ₀")
        if info.closed:
            three.button("Reopen to new runs", on_click=board.set_closed, args=(False,),
                         key="board_reopen")
        else:
            three.button("Close to new runs", on_click=board.set_closed, args=(True,),
                         key="board_close")
        chosen = [e for e in entries if e.id == selected]
        mine = [e for e in entries if chosen and e.sender == chosen[0].sender]
        one.button(f"Remove every run of #{selected}'s sender ({board.plural(len(mine), 'run')})"
                   if chosen else "Remove every run of a run's sender", on_click=board.remove,
                   args=((chosen[0].sender,) if chosen else (), "that sender's runs"),
                   disabled=not chosen, key="board_remove_sender",
                   help="Deletes every run on this board sent from the selected run's browser")
        with four.popover("Clear the board"):
            st.caption("Deletes every run on this board, hidden ones too.")
            st.button("Delete all runs", on_click=board.clear, type="primary", key="board_clear")
        # Made when the lecturer asks (board.make_csv), not on every redraw; then the bytes,
        # not a callable: a file made at the click is left unmapped, and on a busy server the
        # next clean-up can delete it before the browser asks (a 404; measured in the
        # balancer's tests). The file lives while this session draws it.
        with five.popover("CSV"):
            made = st.session_state.get(board.CSV)
            st.button("Make the CSV" if made is None else "Make it again",
                      on_click=board.make_csv, key="board_make_csv",
                      help="Every run on this board, hidden ones too, as they are now")
            if made is not None:
                st.download_button(f"Download CSV ({board.plural(made['runs'], 'run')}, made "
                                   f"{made['when']})", made["data"],
                                   file_name=f"class-board-{info.code}.csv", mime="text/csv",
                                   on_click="ignore", key="board_csv")
        if not present:
            student, projector = board.links(info.code)
            st.caption("Student link (or the class code on the slide):")
            st.code(student, language=None)
            st.caption("Projector link (the board, live and large; in this browser with your "
                       "tools folded away):")
            st.code(projector, language=None)
            # Folded, so that a lecturer who projects this screen does not show the key.
            with st.expander("Your lecturer key (secret: never project it)"):
                st.caption("This browser keeps your tools (a cookie). In another browser, open "
                           "the student link and enter this key under “Lecturer: bring back "
                           "your tools”. The board is deleted after 24 hours without activity.")
                st.code(st.session_state.get(board.KEY), language=None)


def runs_of(db, code):
    """The board's shown runs, read in full only when new to this session (Store.entries_since:
    a redraw after one new run reads one run)."""
    ss = st.session_state
    kept = ss.get(RUNS) if ss.get(RUNS, {}).get("code") == code else {"code": code, "runs": {}}
    numbers, new = db.entries_since(code, kept["runs"])
    have = {**kept["runs"], **new}
    ss[RUNS] = {"code": code, "runs": {n: have[n] for n in numbers}}
    return [have[n] for n in numbers]


def read(db, code, lecturer):
    """The board, whether this session is its lecturer, and (when drawn here) its runs ->
    (info, lecturer, entries, read at, problem). A database that cannot be read gives this
    session's last read of the board (or None) and the problem, with the lecturer's tools if
    this session's last check accepted the key it holds (board.was_lecturer); a board that is
    gone raises BoardError."""
    ss = st.session_state
    try:
        info = board.look_up(db, code)
        is_lecturer = lecturer(db)
        live = is_lecturer or ss["present"]
        entries = runs_of(db, code) if live or ss.get("board_show_here") else None
    except (board.Unavailable, SQLAlchemyError) as err:
        last = ss.get(LAST)
        if last is None or last["code"] != code:
            return None, False, None, None, err
        return last["info"], board.was_lecturer(), last["entries"], last["at"], err
    ss[LAST] = {"code": code, "info": info, "entries": entries, "at": time.time()}
    return info, is_lecturer, entries, ss[LAST]["at"], None


def show_board(db, run):
    code = board.code()
    try:
        info, is_lecturer, entries, read_at, problem = read(db, code, board.lecturer)
    except BoardError as err:
        board.leave()
        st.error(str(err))
        start()
        return
    # While the board cannot be read, a lecturer's tab (with its tools) or a projector stays
    # live (the watch says so, above the runs last read) and a student keeps the send button.
    live = is_lecturer or st.session_state["present"]
    status = st.container()         # the live board's watch: changed, cannot be read, back
    if problem is not None and not live:
        alert("error", str(problem if isinstance(problem, board.Unavailable)
                           else board.unavailable(problem)))
    messages()
    if info is not None and info.closed:
        st.info(f"The board {code} is closed to new runs.")
    if not live:
        send_form(run)
        left, middle, right = st.columns([2, 1, 1], vertical_alignment="center")
        with left:      # the projector shows the board; a student draws it here on demand
            views.toggle("Show the class's runs here", "board_show_here")
        middle.button("Refresh", key="board_refresh")
        right.button("Leave this board", on_click=board.leave, key="board_leave")
        key_form()
        if info is None:
            return
        if not st.session_state["board_show_here"] or entries is None:
            st.caption(f"{board.plural(info.n_runs, 'run')} on the board {code} so far.")
            return
    if info is not None and entries is not None:
        by, selected = header(info, entries)
        charts(entries, by, selected)
        runs_table(entries)
        if is_lecturer:
            lecturer_tools(db, info, entries, selected)
    if live:
        with status:
            board.watch(db, code, None if problem else info.version, read_at)


def main(run):
    st.session_state[SHOWN] = set()
    try:
        db = board.store()
    except board.Unavailable as err:
        messages()
        alert("error", str(err))
        return
    messages()
    board.keep_cookies()
    try:
        if board.code() is None:
            start()
        else:
            show_board(db, run)
    except (board.Unavailable, SQLAlchemyError) as err:
        alert("error", str(err if isinstance(err, board.Unavailable) else board.unavailable(err)))


run = page.frame(
    "Class board",
    "The class's runs on one screen: each student trains with their own η and sends the run; "
    "final loss against η shows which learning rates work, and which diverge.")
guarded(main, run)
