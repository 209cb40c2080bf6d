"""The class board page in the real app (AppTest), on an SQLite file of the test's own: a lecturer
opens a board, students join and send, the lecturer hides, closes, clears and opens a run bit
for bit; hostile names, forged codes and keys, a student's attempt at the lecturer's actions, a
board closed a moment before a submission, and a database that cannot be reached."""

import json
import re

import numpy as np
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest
from test_board_store import trainer

from ffnn.app import board as G
from ffnn.app import board_codes as C
from ffnn.app import board_store as B

from apptest import ROOT, TIMEOUT, run, start, texts

PAGE = "pages/14_Class_board.py"
SEND = "Send my run to the class"


@pytest.fixture
def url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/board.sqlite3"
    monkeypatch.setenv(G.ENV, url)
    return url


@pytest.fixture
def db(url):
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    yield B.Store(engine)
    engine.dispose()


def board_page(params=None):
    """A new session opening the app with `params`, then this page (AppTest runs a multipage
    app from its entry file)."""
    at = start(params)
    at.switch_page(PAGE)
    return run(at)


def click(at, label):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}: {[b.label for b in at.button]}"
    found[0].click()
    return run(at)


def lecturer(db):
    at = board_page()
    at = click(at, "Open a new class board")
    return at, at.session_state[G.CODE], at.session_state[G.KEY]


def student(code, name="", **settings):
    """A student who opened ?class=code with these settings and trained (the URL's t)."""
    at = board_page({"class": code, **{k: str(v) for k, v in settings.items()}})
    if name:
        at.text_input(key=G.NAME).set_value(name)
    return at


def shown(at):
    """Every text the page renders as Markdown or text (not the dataframe, not the URL)."""
    kinds = ("markdown", "caption", "text", "success", "info", "warning", "error", "code")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def runs_metric(at):
    return int(next(m.value for m in at.metric if m.label == "Runs"))


def figures(at):
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def test_a_lecturer_opens_a_board_and_students_send(db):
    teacher, code, key = lecturer(db)
    assert re.fullmatch(f"[{C.CODE_ALPHABET}]{{6}}", code) and C.is_key(key)
    assert teacher.query_params["class"] == code and "key" not in teacher.query_params
    links = [c.value for c in teacher.code]
    assert any(link.endswith(f"/Class_board?class={code}") for link in links)
    assert any(link.endswith(f"/Class_board?class={code}&present=1") for link in links)
    assert [link for link in links if key in link] == [key]      # the key alone, in no link
    assert runs_metric(teacher) == 0
    sent = []
    for lr, name in ((0.03, "Ann"), (1.0, ""), (10.0, "Bo")):
        at = student(code, name, lr=lr, t=40)
        assert at.session_state["run"].trainer.t == 40
        assert not [b for b in at.button if b.label.startswith(("Hide", "Close", "Delete"))]
        assert key not in repr(shown(at)) + repr(at.session_state[G.CODE])
        at = click(at, SEND)
        assert any(f"η = {lr:g}, t = 40" in m for m in texts(at) + shown(at)), shown(at)
        sent.append(at)
    teacher = run(teacher)
    assert runs_metric(teacher) == 3
    table = teacher.dataframe[0].value
    assert list(table["η"]) == [0.03, 1.0, 10.0] and list(table["name"]) == ["Ann", "anonymous",
                                                                            "Bo"]
    assert list(table["t"]) == [40, 40, 40]
    scatter, _ = figures(teacher)
    xs = sorted(x for trace in scatter["data"] if trace.get("name") != "selected"
                for x in trace["x"])
    assert xs == [0.03, 1.0, 10.0] and scatter["layout"]["xaxis"]["type"] == "log"
    entries = db.entries(code)
    tr = sent[0].session_state["run"].trainer
    assert entries[0].train_loss == tr.evaluate()["train_loss"]            # the server's numbers
    assert entries[0].steps[-1] == 40 and len(entries[0].steps) <= B.CURVE_POINTS


def test_the_lecturer_opens_a_run_bit_for_bit_hides_closes_and_clears(db):
    teacher, code, _ = lecturer(db)
    one = click(student(code, "Cy", lr=0.3, activation="relu", t=57), SEND)
    click(student(code, "Di", lr=3, t=20), SEND)
    teacher = run(teacher)
    first, second = (e.id for e in db.entries(code))
    teacher.selectbox(key="board_selected").set_value(first)
    teacher = click(run(teacher), f"Open run #{first} here")
    mine, theirs = teacher.session_state["run"], one.session_state["run"]
    assert mine.trainer.t == theirs.trainer.t == 57
    assert mine.cfg["activation"] == "relu" and mine.cfg["lr"] == 0.3
    assert np.array_equal(mine.net.theta, theirs.net.theta)              # bit for bit
    assert teacher.session_state["lr"] == 0.3                            # the sidebar follows
    teacher = click(teacher, f"Hide run #{first}")
    assert runs_metric(teacher) == 1 and [e.id for e in db.entries(code)] == [second]
    teacher = click(teacher, "Close to new runs")
    late = click(student(code, lr=1), SEND)
    assert any("closed" in m for m in texts(late))
    teacher = click(run(teacher), "Reopen to new runs")
    teacher = click(teacher, "Delete all runs")
    assert runs_metric(teacher) == 0 and db.entries(code, include_hidden=True) == []
    csv = G.csv_bytes(db.entries(code, include_hidden=True)).decode()
    assert csv.startswith("id,name,time_utc,lr,settings,t,")


def test_names_are_plain_text_and_limits_refuse_with_a_message(db):
    _, code, _ = lecturer(db)
    at = student(code, lr=0.1, t=10)
    accepted = ["<b>bold</b><i>x</i>", "**strong** [a](http://x)", "=1+2", "مريم ✓"]
    for i, name in enumerate(accepted):
        at.session_state[G.SENDER] = f"tab-{i}"           # as if from another tab (5 s limit)
        at.text_input(key=G.NAME).set_value(name)
        at = click(run(at), SEND)
        assert not [m for m in texts(at) if "Nothing was sent" in m], texts(at)
        assert all(name not in text for text in shown(at)), name       # never as Markdown
    assert [e.name for e in db.entries(code)] == accepted
    assert not at.dataframe and not at.get("plotly_chart")    # a student draws the board on demand
    at.toggle(key="_board_show_here").set_value(True)
    at = run(at)
    assert list(at.dataframe[0].value["name"]) == accepted              # the table: plain text
    assert all(name not in text for text in shown(at) for name in accepted)
    before = [e.id for e in db.entries(code)]
    refused = [("x" * 25, "at most 24"), ("y" * 10_240, "at most 24"),
               ("\u202eevil", "U+202E"), ("a\u200fb", "U+200F")]
    for name, says in refused:
        at.session_state[G.SENDER] = "tab-refused"
        at.text_input(key=G.NAME).set_value(name)
        at = click(run(at), SEND)
        assert any(says in m and "Nothing was sent" in m for m in texts(at)), texts(at)
        assert [e.id for e in db.entries(code)] == before
    at.session_state[G.SENDER] = f"tab-{len(accepted) - 1}"   # the last to send, < 5 s ago
    at.text_input(key=G.NAME).set_value("again")
    at = click(run(at), SEND)
    assert any("wait" in m for m in texts(at)) and [e.id for e in db.entries(code)] == before
    csv = G.csv_bytes(db.entries(code)).decode()
    assert ",'=1+2," in csv                             # a spreadsheet reads it as text


def test_forged_codes_and_keys(db):
    _, code, key = lecturer(db)
    for forged in ("<script>", "ABC", "'; DROP TABLE x"):
        at = start({"class": forged})
        assert any("Ignored" in w and "class" in w for w in texts(at))
        at.switch_page(PAGE)
        at = run(at)
        assert G.CODE not in at.session_state
        assert [b.label for b in at.button if b.label == "Join"]
    at = board_page({"class": "ZZZZZZ"})
    assert any("no class board with the code ZZZZZZ" in m for m in texts(at))
    assert G.CODE not in at.session_state and "class" not in at.query_params
    at.text_input(key=G.JOIN).set_value("0OIL1!")
    at = click(at, "Join")
    assert any("6 letters and digits" in m for m in texts(at)) and G.CODE not in at.session_state
    at.text_input(key=G.JOIN).set_value(code.lower())
    at = click(at, "Join")
    assert at.session_state[G.CODE] == code
    bad_key = "A" * 5 + "<b>"
    at = start({"class": code, "key": bad_key})
    warnings = texts(at)
    assert any("not a valid lecturer key" in w for w in warnings)
    assert bad_key not in repr(warnings + shown(at))                  # never quoted back
    # a key in a link, even the right one, is not taken (links end up in logs)
    at = board_page({"class": code, "key": key})
    assert any("not taken from links" in m for m in texts(at))
    assert key not in repr(shown(at)) and G.KEY not in at.session_state
    assert "key" not in at.query_params
    assert not [b for b in at.button if b.label.startswith(("Hide", "Close", "Delete"))]
    for typed in (C.new_key(), "<b>", key):        # typed in: over the page's connection
        at = board_page({"class": code})
        at.text_input(key=G.KEY_INPUT).set_value(typed)
        at = click(at, "Open the lecturer tools")
        said = texts(at) + [m.value for m in at.success]
        if typed != key:
            assert any("not the lecturer key" in m for m in said), said
            assert G.KEY not in at.session_state
    assert any("lecturer tools are back" in m for m in said), said
    assert at.session_state[G.KEY] == key and [b for b in at.button if b.label == "Make the CSV"]


def test_a_student_cannot_use_the_lecturers_actions(db):
    teacher, code, key = lecturer(db)
    click(student(code, lr=1, t=5), SEND)
    entry = db.entries(code)[0].id
    for label in ("Delete all runs", "Close to new runs", f"Hide run #{entry}",
                  f"Open run #{entry} here"):
        teacher.session_state[G.KEY] = key
        teacher = run(teacher)                     # the lecturer's tools are drawn ...
        teacher.selectbox(key="board_selected").set_value(entry)
        teacher = run(teacher)
        teacher.session_state[G.KEY] = C.new_key()  # ... then the key is no longer the board's
        found = [b for b in teacher.button if b.label == label]
        found[0].click()
        teacher.run()
        assert any("Only the lecturer" in m for m in texts(teacher)), (label, texts(teacher))
        assert [e.id for e in db.entries(code)] == [entry] and not db.board(code).closed
        assert teacher.session_state["run"].trainer.t == 0              # no run was opened
        assert not [b for b in teacher.button if b.label == label]      # tools gone


def test_a_board_closed_a_moment_before_a_submission(db):
    _, code, key = lecturer(db)
    at = student(code, "Eve", lr=0.3, t=8)
    assert [b for b in at.button if b.label == SEND]           # the button was there ...
    db.set_closed(code, key)                                   # ... the lecturer closes ...
    at = click(at, SEND)                                       # ... and the student presses it
    assert any(f"The class board {code} is closed" in m for m in texts(at))
    assert db.entries(code) == [] and db.board(code).version == 1


def test_runs_that_cannot_be_replayed_are_refused(db):
    _, code, _ = lecturer(db)
    at = click(student(code), SEND)                            # t = 0
    assert any("Train first" in m for m in texts(at))
    at = student(code, lr=0.1, t=10)
    at.session_state["lr"] = 0.3                               # η changed at t = 10 ...
    at = click(run(at), SEND)                                  # ... then sent
    assert at.session_state["run"].trainer.events
    assert any("settings changed while it trained" in m for m in texts(at))
    assert db.entries(code) == []


def test_presentation_mode_and_colour(db):
    _, code, _ = lecturer(db)
    click(student(code, lr=0.1, optimizer="adam", t=5), SEND)
    at = board_page({"class": code, "present": "1"})
    scatter, _ = figures(at)
    assert scatter["layout"]["font"]["size"] == 20 and scatter["layout"]["height"] <= 300
    assert not at.code                                          # no link on the projector
    at.selectbox(key="board_color_by").set_value("optimizer")
    scatter, _ = figures(run(at))
    assert [t["name"] for t in scatter["data"]] == ["Adam"]


def test_the_database_named_in_the_secrets(tmp_path, monkeypatch):
    import sqlalchemy as sa
    monkeypatch.delenv(G.ENV, raising=False)
    url = f"sqlite:///{tmp_path}/from-secrets.sqlite3"
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.secrets["connections"] = {"board": {"url": url}}
    at.run()
    at.switch_page(PAGE)
    at = click(run(at), "Open a new class board")
    engine = sa.create_engine(url)
    try:
        assert B.Store(engine).board(at.session_state[G.CODE]).n_runs == 0
    finally:
        engine.dispose()


def test_the_rest_of_the_app_works_without_the_database(monkeypatch):
    from browser import free_port
    monkeypatch.setenv(G.ENV, f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    at = board_page({"class": "KX7P2Q"})
    assert any("cannot be reached" in m for m in texts(at))
    at.switch_page("pages/1_Training_curves.py")
    at = run(at)
    assert at.get("plotly_chart") and not [m for m in texts(at) if "cannot" in m]


def test_a_burst_is_shown_to_the_lecturer_and_removed_in_one_action(db):
    """Issue 18 (2): more than BURST_SENDERS new senders within BURST_WINDOW s is a burst; the
    lecturer's view says so and removes it (and, separately, one sender's runs) in one click;
    the class's own runs stay."""
    teacher, code, _ = lecturer(db)
    tr = B.summarize({"lr": "0.1"}, trainer(steps=20))
    db.submit(code, "ann", tr, name="Ann")
    db.submit(code, "bo", tr, name="Bo")
    with db.engine.begin() as conn:                 # the class sent two minutes ago
        conn.execute(sa.update(B.runs).values(created=B.runs.c.created - 120))
    teacher = run(teacher)
    assert not [w for w in teacher.warning if "burst" in w.value]     # two students: no burst
    for i in range(G.BURST_SENDERS + 5):
        db.submit(code, f"flood{i}", tr, name="x")
    teacher = run(teacher)
    (warning,) = [w.value for w in teacher.warning if "burst" in w.value]
    assert f"{G.BURST_SENDERS + 5} senders new to this board" in warning
    teacher = click(teacher, f"Remove this burst ({G.BURST_SENDERS + 5} runs)")
    assert [e.name for e in db.entries(code)] == ["Ann", "Bo"]
    assert runs_metric(teacher) == 2
    assert not [w for w in teacher.warning if "burst" in w.value]
    teacher.selectbox(key="board_selected").set_value(2)
    teacher = click(run(teacher), "Remove every run of #2's sender (1 run)")
    assert [e.name for e in db.entries(code)] == ["Ann"]
    assert any("1 run deleted" in m for m in texts(teacher))


def test_one_run_is_said_in_the_singular(db):
    _, code, _ = lecturer(db)
    at = click(student(code, lr=0.1, t=10), SEND)
    assert "1 run on the board" in " ".join(shown(run(at)))


def test_the_csv_is_made_when_the_lecturer_asks(db):
    """Issue 18 (3): no CSV (no /media file) on a redraw; one when the lecturer presses "Make
    the CSV", the same bytes on later redraws until they make it again."""
    teacher, code, _ = lecturer(db)
    click(student(code, lr=0.1, t=5), SEND)
    teacher = run(teacher)
    assert not teacher.get("download_button") and G.CSV not in teacher.session_state
    teacher = click(teacher, "Make the CSV")
    (button,) = teacher.get("download_button")
    assert "Download CSV (1 run, made" in button.proto.label
    made = teacher.session_state[G.CSV]["data"]
    click(student(code, lr=0.2, t=5), SEND)
    teacher = run(teacher)                                 # a redraw: the same file
    assert teacher.session_state[G.CSV]["data"] == made and made.count(b"\n") == 2
    teacher = click(teacher, "Make it again")
    assert teacher.session_state[G.CSV]["data"].count(b"\n") == 3


def test_eta_outside_the_sidebars_range_is_refused(db):
    """Issue 18 (7): η = 1e-300 would squash the class's U; the board takes 1e-5 to MAX_LR."""
    _, code, _ = lecturer(db)
    for lr in ("1e-300", "9e-6"):
        at = click(student(code, lr=lr, t=5), SEND)
        assert any("takes η from 1e-05 to 10000" in m for m in texts(at)), texts(at)
    at = click(student(code, lr="1e-5", t=5), SEND)
    assert [e.lr for e in db.entries(code)] == [1e-5]


def wrong_codes(at, n):
    """Type n codes that match no board (from the code alphabet) -> what the page said each time."""
    said = []
    for i in range(n):
        at.text_input(key=G.JOIN).set_value(f"ZZZZ{C.CODE_ALPHABET[i]}{C.CODE_ALPHABET[i]}")
        at = click(at, "Join")
        said.append(" ".join(texts(at)))
    return at, said


def test_code_guesses_are_throttled_without_a_database_write(db, monkeypatch):
    """Issue 18 (8): a session's wrong codes are refused after GUESS_BURST, with a message;
    the server's bucket refuses other sessions too; no guess writes to the database."""
    _, code, _ = lecturer(db)
    writes = []

    def note(conn, cursor, statement, *_):
        if statement.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "CREATE") \
                or "IMMEDIATE" in statement.upper():
            writes.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", note)
    try:
        at, said = wrong_codes(board_page(), G.GUESS_BURST + 3)
        assert all("no class board" in s for s in said[:G.GUESS_BURST]), said
        assert all("Too many class codes that match no board from this browser tab" in s
                   for s in said[G.GUESS_BURST:]), said
        at.text_input(key=G.JOIN).set_value(code)      # the right code waits its turn too
        at = click(at, "Join")
        assert G.CODE not in at.session_state and "wait" in " ".join(texts(at))
        fresh = board_page({"class": code})            # the right code, from a new session
        assert fresh.session_state[G.CODE] == code
        # the server's bucket: other sessions are refused too once it is empty
        monkeypatch.setattr(G, "_server_guesses", [2.0, __import__("time").monotonic()])
        monkeypatch.setattr(G, "SERVER_GUESS_RATE", 0.01)
        _, said = wrong_codes(board_page(), 2)
        _, later = wrong_codes(board_page(), 1)
        assert "no class board" in said[-1] and "on this server" in later[0], later
        assert writes == [], writes                   # a guess only reads
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", note)


def test_a_database_that_stops_is_said_once(monkeypatch):
    """Issue 18 (9): "cannot be reached" once on the page: the failed send's message, not the
    page's own failed read a second time."""
    import pgserver
    if pgserver.bindir() is None:
        pytest.skip(pgserver.SKIP_REASON)
    with pgserver.PostgresServer(max_connections=20) as pg:
        monkeypatch.setenv(G.ENV, pg.url)
        _, code, _ = lecturer(None)
        at = student(code, lr=0.3, t=5)
        pg.stop()
        at = click(at, SEND)
    said = texts(at)
    assert sum("cannot be reached" in m for m in said) == 1, said
    assert any("not stored" in m for m in said), said
    assert [b for b in at.button if b.label == SEND]   # and the student can send again later


def test_a_board_of_500_runs_is_drawn_whole_and_a_new_run_appears(db, url):
    """Issue 18 (9): 499 runs, then the 500th: every one in the table and on the chart; the
    redraw reads only the new run in full (Store.entries_since). Speeds: bench/board_500.py."""
    import sys
    sys.path.insert(0, str(ROOT / "bench"))
    from board_500 import fill, submission
    code, key, store = fill(url, 499)
    at = board_page({"class": code, "present": "1"})
    assert runs_metric(at) == 499 and len(at.dataframe[0].value) == 499

    def dots(at):
        return sum(len(t["x"]) for t in figures(at)[0]["data"] if t.get("mode") == "markers"
                   and t.get("name") != "selected")

    assert dots(at) == 499
    number = store.submit(code, "late", submission(250), name="late")
    asked = []
    real = B.Store.entries_since
    try:
        B.Store.entries_since = lambda self, c, known=(): (
            asked.append(len(known)) or real(self, c, known))
        at = run(at)
    finally:
        B.Store.entries_since = real
    table = at.dataframe[0].value
    assert runs_metric(at) == 500 and len(table) == 500 and dots(at) == 500
    assert list(table["#"]) == list(range(1, 501)) and table["name"].iloc[-1] == "late"
    assert number == 500 and asked == [499]           # the 499 it had, so one run read
    numbers, new = store.entries_since(code, set(range(1, 500)))
    assert numbers == list(range(1, 501)) and list(new) == [500]
    store.hide(code, key, 3)
    at = run(at)
    assert runs_metric(at) == 499 and 3 not in list(at.dataframe[0].value["#"])


def tools(at):
    """Whether the lecturer's tools are drawn."""
    return "##### Lecturer tools" in shown(at) and \
        any(b.label == "Close to new runs" for b in at.button)


def test_the_lecturer_keeps_the_tools_while_the_database_is_down(monkeypatch):
    """Brief of issue 18: a lecturer whose board was read, then whose database stopped, keeps
    the tools over the runs last read (the store's last check in this session accepted the key
    held); each action then says the database cannot be reached. A student's session on the
    same board gets no tools. (The cookie's key: tests/test_board_frozen.py, in Chromium.)"""
    import pgserver
    if pgserver.bindir() is None:
        pytest.skip(pgserver.SKIP_REASON)
    with pgserver.PostgresServer(max_connections=20) as pg:
        monkeypatch.setenv(G.ENV, pg.url)
        teacher, code, _ = lecturer(None)
        pupil = run(student(code, lr=0.3, t=5))
        pupil = click(pupil, SEND)
        teacher = run(teacher)
        assert runs_metric(teacher) == 1 and tools(teacher)
        pg.stop()
        teacher, pupil = run(teacher), run(pupil)
        said = texts(teacher)
        assert any("cannot be read right now" in m for m in said), said
        assert tools(teacher), [b.label for b in teacher.button]       # the tools are kept
        assert runs_metric(teacher) == 1                                # over the runs last read
        assert not tools(pupil)
        teacher = click(teacher, "Close to new runs")
        said = texts(teacher)
        assert any("cannot be reached" in m for m in said), said
        assert tools(teacher)
