"""The share-and-export page in the real app (streamlit.testing.v1.AppTest): the link rebuilds
the run bit for bit, the exports are offered, and uploaded points either replace the data (and
train) or leave everything exactly as it was."""

import urllib.parse
from copy import deepcopy

import numpy as np
import pytest

from ffnn.app import settings as S
from ffnn.app.carry_store import item_id

from apptest import (
    click,
    counter,
    html_is_ours,
    run,
    run_state,
    set_widget,
    start,
    texts,
)

SHARE = "pages/13_Share_and_export.py"
HOME = "dashboard.py"
USE = "Use these points"

GOOD = b"x1,x2,label\n" + b"".join(
    b"%g,%g,%d\n" % (x, y, 1 if x * y > 0 else -1)
    for x, y in np.random.default_rng(0).uniform(-5, 5, (120, 2)))
REGRESSION = b"x1;x2;target\n" + b"".join(
    b"%g;%g;%g\n" % (x, y, (x - y) / 10)
    for x, y in np.random.default_rng(1).uniform(-5, 5, (80, 2)))

HOSTILE = {
    "empty": (b"", "empty"),
    "binary": (bytes(np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8)), "binary"),
    "wrong delimiter": (b"1|2|3\n4|5|6\n7|8|9\n1|2|1\n", "separator"),
    "missing column": (b"1,2\n3,4\n5,6\n7,8\n", "2 columns"),
    "text": (b"x1,x2,label\n1,2,0\n3,four,1\n5,6,1\n7,8,0\n", "Row 3, column 2"),
    "nan": (b"x1,x2,label\n1,2,0\n3,nan,1\n5,6,1\n7,8,0\n", "finite"),
    "one class": (b"x1,x2,label\n1,2,0\n3,4,0\n5,6,0\n7,8,0\n", "one class only"),
    "html": (b"x1,x2,label\n<b>1</b>,2,0\n3,4,1\n5,6,1\n7,8,0\n", "`<b>1</b>`"),
}


@pytest.fixture
def at():
    return start()


def goto(at, page):
    at.switch_page(page)
    return run(at)


def share_link(at):
    codes = [c.value for c in at.code if "?" in c.value or c.value.endswith("/")]
    assert len(codes) == 1, [c.value for c in at.code]
    return codes[0]


def query(link):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))


def upload(at, raw, name="points.csv"):
    at.file_uploader[0].set_value((name, raw, "text/csv"))
    run(at)
    return click(at, USE)


def snapshot(at):
    """Everything an upload may change: the settings, the run, its theta and t."""
    ss = at.session_state
    settings = {key: deepcopy(ss[key]) for key in S.DEFAULTS}
    run_ = run_state(at)
    return settings, run_, run_.net.theta.copy(), run_.trainer.t, ss.get("uploaded")


# ---- share ------------------------------------------------------------------------------------

def test_the_link_holds_the_changed_settings_and_t_and_replays_bit_for_bit(at):
    set_widget(at, "selectbox", "_dataset", "spiral")
    set_widget(at, "select_slider", "_lr", 0.03)
    set_widget(at, "selectbox", "_optimizer", "adam")
    click(at, "Step ×10")
    click(at, "Step ×10")
    goto(at, SHARE)
    params = query(share_link(at))
    assert params == {"dataset": "spiral", "lr": "0.03", "optimizer": "adam", "t": "20"}
    assert any("bit for bit" in c.value for c in at.caption)

    other = start(params)
    assert counter(other) == 20
    np.testing.assert_array_equal(run_state(other).net.theta, run_state(at).net.theta)
    np.testing.assert_array_equal(run_state(other).data.X_train, run_state(at).data.X_train)


def test_a_default_run_links_to_the_bare_page(at):
    goto(at, SHARE)
    assert query(share_link(at)) == {}
    assert not at.warning


def test_mid_run_changes_travel_in_the_link_and_replay_bit_for_bit(at):
    click(at, "Step ×10")
    set_widget(at, "select_slider", "_lr", 0.3)
    click(at, "Step ×10")
    goto(at, SHARE)
    params = query(share_link(at))
    assert params["t"] == "20" and params["changes"] == "10.lr.0.1" and params["lr"] == "0.3"
    said = [m.value for m in at.info if "changed during this run" in m.value]
    assert said and "η 0.1 → 0.3 at t = 10" in said[0] and not at.warning
    other = start(params)
    np.testing.assert_array_equal(run_state(other).net.theta, run_state(at).net.theta)


# ---- export -----------------------------------------------------------------------------------

def test_the_five_downloads_are_offered_with_t_in_their_names(at):
    click(at, "Step ×10")
    goto(at, SHARE)
    buttons = {b.proto.label: b.proto.help for b in at.get("download_button")}
    assert list(buttons) == ["Training history (CSV)", "θ (NPZ)", "θ (JSON)", "Dataset (CSV)",
                             "Configuration (JSON)"]
    names = [help_.split("**")[1] for help_ in buttons.values()]
    assert names == ["ffnn-history-t10.csv", "ffnn-theta-t10.npz", "ffnn-theta-t10.json",
                     "ffnn-data-circle.csv", "ffnn-config-t10.json"]


# ---- import -----------------------------------------------------------------------------------

def test_the_uploader_takes_csv_and_explains_the_format(at):
    goto(at, SHARE)
    up = at.file_uploader[0]
    assert "csv" in up.allowed_type[0] and "50,000 rows" in up.help and "5 MB" in up.help
    use = next(b for b in at.button if b.label == USE)
    assert use.disabled                          # nothing chosen yet


def test_good_points_replace_the_data_and_train(at):
    click(at, "Step ×10")
    goto(at, SHARE)
    upload(at, GOOD)
    success = [s.value for s in at.success]
    assert success and "120 uploaded points" in success[0] and "2 classes" in success[0]
    r = run_state(at)
    assert (r.data.name, r.trainer.t, r.data.n_classes) == ("uploaded", 0, 2)
    assert len(r.data.y_train) + len(r.data.y_test) == 120
    ss = at.session_state
    assert (ss["dataset"], ss["upload_task"]) == (S.UPLOADED, "classification")
    assert ss["upload"] == item_id("points", GOOD)        # its id in the carried store
    assert any("New data" in m for m in texts(at))
    assert at.sidebar.selectbox(key="_dataset").value == S.UPLOADED
    # it trains on the home page, and survives the page switch
    goto(at, HOME)
    click(at, "Step ×10")
    assert counter(at) == 10 and run_state(at).data.name == "uploaded"
    # the link names the points by their id in the store, and carries t
    goto(at, SHARE)
    assert query(share_link(at)) == {"upload": item_id("points", GOOD), "t": "10"}
    assert any("names them by their id" in w.value for w in at.warning)


def test_regression_points_switch_the_loss_to_squared_error(at):
    goto(at, SHARE)
    upload(at, REGRESSION, "points.tsv")
    r = run_state(at)
    assert (r.data.task, r.cfg["loss"], r.cfg["output"]) == ("regression", "squared_error",
                                                             "linear")
    goto(at, HOME)
    click(at, "Step ×10")
    assert counter(at) == 10


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_changes_nothing(at, case):
    click(at, "Step ×10")
    goto(at, SHARE)
    before = snapshot(at)
    raw, words = HOSTILE[case]
    upload(at, raw)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and words in errors[0] and "were not used" in errors[0]
    assert len(errors[0]) < 400 and html_is_ours(at)
    after = snapshot(at)
    assert after[0] == before[0] and after[1] is before[1] and after[3] == before[3] == 10
    np.testing.assert_array_equal(after[2], before[2])
    assert after[4] is None
    assert not at.success


def test_a_hostile_file_after_a_good_one_keeps_the_uploaded_run(at):
    goto(at, SHARE)
    upload(at, GOOD)
    goto(at, HOME)
    click(at, "Step ×10")
    goto(at, SHARE)
    before = snapshot(at)
    upload(at, b"x1,x2,label\n1,2,0\n3,4\n")
    assert at.error and "Row 3 has 2 columns" in at.error[0].value
    after = snapshot(at)
    assert after[0] == before[0] and after[1] is before[1] and after[3] == 10
    assert after[4] is before[4]


def test_leaving_and_coming_back_to_the_uploaded_points(at):
    goto(at, SHARE)
    upload(at, GOOD)
    set_widget(at, "selectbox", "_dataset", "xor")
    assert run_state(at).data.name == "xor"
    set_widget(at, "selectbox", "_dataset", S.UPLOADED)
    r = run_state(at)
    assert r.data.name == "uploaded" and len(r.data.y_train) + len(r.data.y_test) == 120
