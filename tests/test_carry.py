"""What the address bar cannot hold goes to the shared store (ffnn.app.carry, carry_store):
uploaded points and long change lists, named in the address by their id, read back by a new
session (a reload, or another replica after a failover) to the same θ bit for bit; where they
cannot be kept or read, the page says so. One slider interaction at one t is one change. A run
that was playing goes on from the t its page showed (controls.resume)."""

import itertools
import uuid

import pytest
import sqlalchemy as sa
from test_board_store import Clock

from ffnn.app import board as G
from ffnn.app import carry_store as CS
from ffnn.app import settings as S
from ffnn.app import urlstate
from ffnn.app.replay import changes_of
from ffnn.app.state import build_run

import pgserver
from apptest import click, counter, playing, run, run_state, set_widget, start, texts, trigger

_names = itertools.count()
POINTS = b"x1,x2,label\n" + b"".join(b"%d,%d,%d\n" % (i % 9 - 4, i % 7 - 3, (i // 3) % 2)
                                     for i in range(60))


def same_bits(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


def address(at):
    return {key: at.query_params[key] for key in at.query_params}


# ---- the store -------------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/carry.sqlite3"
    else:
        if pgserver.bindir() is None:
            pytest.skip(pgserver.SKIP_REASON)
        url = pgserver.shared().create_database(f"carry_{next(_names)}_{uuid.uuid4().hex[:6]}")
    eng = sa.create_engine(url)
    yield eng
    eng.dispose()


def test_an_item_is_kept_once_under_its_content_s_id_and_read_back(engine):
    db = CS.CarryStore(engine)
    key = db.put("points", POINTS)
    assert CS.is_id(key) and key == CS.item_id("points", POINTS)
    assert db.put("points", POINTS) == key                   # the same bytes: the same row
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(CS.items)).scalar_one() == 1
    assert db.get("points", key) == POINTS
    assert db.get("changes", key) is None                    # not of that kind
    assert db.get("points", "0" * CS.ID_CHARS) is None       # never stored
    assert db.get("points", "'; drop table x; --") is None   # not an id: no query
    assert CS.CarryStore(engine).get("points", key) == POINTS   # another replica's view


def test_an_item_expires_a_day_after_its_last_use(engine):
    clock = Clock()
    db = CS.CarryStore(engine, clock=clock)
    key = db.put("changes", b"10.lr.0.1")
    clock.now += CS.EXPIRY - 10
    assert db.get("changes", key) == b"10.lr.0.1"             # read: its day starts again
    clock.now += CS.EXPIRY - 10
    assert db.get("changes", key) == b"10.lr.0.1"
    clock.now += CS.EXPIRY + 1
    assert db.get("changes", key) is None
    db.put("points", POINTS)                                  # storing clears what expired
    with engine.connect() as conn:
        assert conn.execute(sa.select(CS.items.c.kind)).scalars().all() == ["points"]


def test_the_store_refuses_an_item_too_large_and_more_than_it_holds(engine, monkeypatch):
    db = CS.CarryStore(engine)
    with pytest.raises(CS.CarryError, match="larger than"):
        db.put("points", b"x" * (CS.MAX_ITEM + 1))
    monkeypatch.setattr(CS, "MAX_TOTAL", 2 * len(POINTS))
    db.put("points", POINTS)
    db.put("points", POINTS)                                  # already there: no more room needed
    with pytest.raises(CS.CarryError, match="full"):
        db.put("points", POINTS + b"1,1,1\n" * 20)
    with pytest.raises(ValueError, match="kind"):
        db.put("secrets", b"")


# ---- uploaded points in the app ----------------------------------------------------------------

@pytest.fixture
def store_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/board.sqlite3"
    monkeypatch.setenv(G.ENV, url)
    return url


def upload(at, raw=POINTS):
    at.switch_page("pages/13_Share_and_export.py")
    run(at)
    at.file_uploader[0].set_value(("p.csv", raw, "text/csv"))
    run(at)
    click(at, "Use these points")
    messages = texts(at) + [m.value for m in at.success]
    at.switch_page("dashboard.py")
    run(at)
    return messages


def test_a_run_on_uploaded_points_comes_back_from_its_address(store_url):
    at = start()
    upload(at)
    click(at, "Step ×10")
    click(at, "Step ×10")
    click(at, "Step")
    key = CS.item_id("points", POINTS)
    assert address(at) == {"upload": key, "t": "21"}
    other = start(address(at))                    # another replica, the same database
    assert counter(other) == 21
    assert other.session_state["dataset"] == S.UPLOADED
    same_bits(run_state(other).data.X_train, run_state(at).data.X_train)
    same_bits(run_state(other).net.theta, run_state(at).net.theta)
    assert any("replayed to t = 21" in m for m in texts(other))
    assert address(other) == address(at)


def test_points_another_server_cannot_read_are_said_to_be_lost(store_url, tmp_path, monkeypatch):
    at = start()
    upload(at)
    click(at, "Step ×10")
    monkeypatch.setenv(G.ENV, f"sqlite:///{tmp_path}/another.sqlite3")   # a store without them
    other = start(address(at))
    said = [m for m in texts(other) if "uploaded points" in m]
    assert said and CS.item_id("points", POINTS) in said[0] and "10 updates" in said[0]
    assert counter(other) == 0 and other.session_state["dataset"] == S.DEFAULTS["dataset"]


def test_an_upload_the_store_cannot_keep_is_used_and_said_to_stay_here(monkeypatch):
    from browser import free_port
    monkeypatch.setenv(G.ENV, f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    at = start()
    said = upload(at)
    assert any(m.startswith("Using the 60 uploaded points") for m in said), said
    assert any("cannot move to another server" in m for m in said), said
    assert at.session_state["dataset"] == S.UPLOADED
    click(at, "Step")
    assert counter(at) == 1


# ---- mid-run changes ---------------------------------------------------------------------------

def test_a_slider_moved_value_by_value_at_one_t_is_one_change(store_url):
    at = start({"optimizer": "adam"})
    click(at, "Step ×10")
    for lr in (0.3, 1.0, 3.0, 10.0, 3.0, 1.0, 0.03, 0.01, 0.3):     # arrow keys, one value a run
        set_widget(at, "select_slider", "_lr", lr)
    for name in ("momentum", "adam"):                             # Adam's moments are kept
        set_widget(at, "selectbox", "_optimizer", name)
    click(at, "Step ×10")
    tr = run_state(at).trainer
    assert changes_of(tr) == [(10, "lr", 0.1)]
    assert [e.t for e in tr.events] == [10]
    assert address(at)["changes"] == "10.lr.0.1"
    ref = build_run({**S.DEFAULTS, "optimizer": "adam"}).trainer
    ref.step(10)
    ref.lr = 0.3
    ref.step(10)
    same_bits(tr.net.theta, ref.net.theta)
    other = start(address(at))
    same_bits(run_state(other).net.theta, ref.net.theta)


def test_a_setting_moved_away_and_back_at_one_t_leaves_no_trace(store_url):
    at = start({"batch_size": "10"})
    click(at, "Step ×10")
    set_widget(at, "select_slider", "_batch_size", 20)      # a new shuffle, were it kept
    set_widget(at, "select_slider", "_batch_size", 10)
    click(at, "Step ×10")
    assert changes_of(run_state(at).trainer) == [] and run_state(at).trainer.events == []
    ref = build_run({**S.DEFAULTS, "batch_size": 10}).trainer
    ref.step(20)
    same_bits(run_state(at).net.theta, ref.net.theta)
    assert address(at) == {"batch_size": "10", "t": "20"}


def many_changes(at, n):
    """n changes of η at t = 0, 1, ..., n - 1 (as a slider moved while playing)."""
    for i in range(n):
        set_widget(at, "select_slider", "_lr", 0.3 if i % 2 == 0 else 0.1)
        click(at, "Step")


def test_more_changes_than_an_address_holds_go_to_the_store(store_url):
    at = start()
    many_changes(at, 60)
    params = address(at)
    assert len(run_state(at).trainer.events) == 60
    assert set(params) == {"t", "changelog"} and params["t"] == "60"
    assert len("&".join(f"{k}={v}" for k, v in params.items())) < 60
    other = start(params)
    assert counter(other) == 60
    same_bits(run_state(other).net.theta, run_state(at).net.theta)
    assert run_state(other).trainer.events == [e for e in run_state(at).trainer.events
                                               if e.t > 0]
    assert address(other) == params


def test_a_change_list_another_server_cannot_read_is_said_to_be_lost(store_url, tmp_path,
                                                                     monkeypatch):
    at = start()
    many_changes(at, 45)
    monkeypatch.setenv(G.ENV, f"sqlite:///{tmp_path}/another.sqlite3")
    other = start(address(at))
    said = [m for m in texts(other) if "mid-run changes" in m]
    assert said and address(at)["changelog"] in said[0] and "45 updates" in said[0]
    assert counter(other) == 0


def test_a_change_list_the_store_cannot_keep_keeps_t_out_and_says_so(monkeypatch):
    from browser import free_port
    monkeypatch.setenv(G.ENV, f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    at = start()
    many_changes(at, 41)                  # the first, at t = 0, is the run's starting η
    assert address(at)["t"] == "41"
    set_widget(at, "select_slider", "_lr", 0.1)          # the 41st after t = 0
    assert "t" not in address(at) and "changelog" not in address(at)
    assert any("more than an address holds" in m for m in texts(at))      # said as it happens


def test_a_stored_change_list_that_does_not_fit_its_t_is_refused():
    text = urlstate.encode_changes([(5, "lr", 0.1), (30, "lr", 0.3)])
    with pytest.raises(ValueError, match="after the address's t = 20"):
        urlstate.changes_upto(text, 20)
    assert urlstate.changes_upto(text, 30) == [(5, "lr", 0.1), (30, "lr", 0.3)]
    assert urlstate.too_long("~".join(["1.lr.0.1"] * (urlstate.MAX_CHANGES + 1)))
    assert not urlstate.too_long("~".join(["1.lr.0.1"] * urlstate.MAX_CHANGES))


def test_the_address_names_stored_items_by_id_only():
    values, warnings = urlstate.decode({"upload": "abc", "changelog": "0" * 31 + "g"})
    assert values == {} and len(warnings) == 2
    key = "0123456789abcdef" * 2
    values, warnings = urlstate.decode({"upload": key, "changelog": key, "play": "1"})
    assert values == {"upload": key, "changelog": key, "play": True} and not warnings


# ---- a run that was playing --------------------------------------------------------------------

def first_batch(at):
    """(t, θ) where the play's first batch started (its checkpoint)."""
    start_t, cp, _ = at.session_state["playback"].kept[0]
    return start_t, cp.theta


def test_a_rebuilt_session_goes_on_from_the_t_its_page_showed():
    at = start({"t": "40"})
    assert counter(at) == 40
    trigger(at, "play", "play", {"t": 97, "seq": 0, "resume": True})
    assert playing(at)
    ref = build_run(dict(S.DEFAULTS)).trainer
    ref.step(97)
    t, theta = first_batch(at)
    assert t == 97
    same_bits(theta, ref.net.theta)


def test_resume_is_for_a_session_s_first_play_only_and_within_reach():
    at = start({"t": "40"})
    far = 40 + int((8.0 + 3.0) * S.DEFAULT_SPEED) + 100     # more than a page runs ahead
    trigger(at, "play", "play", {"t": far, "resume": True})
    assert playing(at) and first_batch(at)[0] == 40
    trigger(at, "play", "pause", {"t": 45})
    assert run_state(at).trainer.t == 45
    trigger(at, "play", "play", {"t": 60, "resume": True})       # not the session's first play
    assert playing(at) and first_batch(at)[0] == 45


def test_bytes_changed_in_the_database_are_not_given_back(engine):
    db = CS.CarryStore(engine)
    key = db.put("points", POINTS)
    with engine.begin() as conn:
        conn.execute(sa.update(CS.items).values(body=POINTS + b"9,9,1\n"))
    assert db.get("points", key) is None
