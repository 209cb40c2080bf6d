"""The loss-landscape and rewind pages in the real app (streamlit.testing.v1.AppTest)."""

import base64
import json

import numpy as np
import pytest

from apptest import (
    PAGES,
    advance,
    click,
    counter,
    goto,
    need,
    pause,
    play,
    run,
    run_state,
    stage_frames,
    start,
)

LANDSCAPE, REWIND = "Loss landscape", "Rewind"      # views of the Training curves page
PATH = "path θ₀ … θₜ, projected"


@pytest.fixture
def at():
    return start()


def chart(at, key):
    """The figure dict of the Plotly chart drawn with `key`."""
    found = [json.loads(el.proto.spec) for el in at.get("plotly_chart") if key in el.proto.id]
    assert len(found) == 1, [el.proto.id for el in at.get("plotly_chart")]
    return found[0]


def array(value):
    """A Plotly JSON array (plain list or base64 'bdata' typed array) as NumPy."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.array(value, dtype=np.float64)


def trace(fig, kind=None, name=None):
    found = [t for t in fig["data"] if (kind is None or t["type"] == kind)
             and (name is None or t.get("name") == name)]
    assert found, [(t["type"], t.get("name")) for t in fig["data"]]
    return found[0]


def regions_source(fig):
    """The decision regions' picture (a PNG data URL) of a classification boundary chart."""
    return next(i["source"] for i in fig["layout"]["images"] if i["name"] == "regions")


def contour_z(at):
    return array(trace(chart(at, "landscape"), "contour")["z"])


# ---- the loss landscape ---------------------------------------------------------------------

def test_landscape_draws_the_slice_and_one_path_point_per_snapshot(at):
    goto(at, LANDSCAPE)
    click(at, "Step ×10")
    advance(at, 100)
    assert counter(at) == 110
    fig = chart(at, "landscape")
    assert array(trace(fig, "contour")["z"]).shape == (25, 25)
    steps, _thetas = run_state(at).trainer.snapshots()
    path = trace(fig, name=PATH)
    assert len(array(path["x"])) == len(array(path["y"])) == len(steps) > 1
    assert array(path["customdata"]).tolist() == steps.tolist()
    # the path ends at the centre: the slice is around the current theta (training is paused)
    assert array(path["x"])[-1] == pytest.approx(0, abs=1e-9)
    assert at.session_state["ls_result"]["t"] == 110
    assert any("random 2-D slice" in m.value for m in at.markdown)
    assert any("This plane holds" in c.value for c in at.caption)


def test_the_centre_of_the_slice_is_the_current_loss(at):
    goto(at, LANDSCAPE)
    click(at, "Step ×10")
    z = contour_z(at)
    tr = run_state(at).trainer
    assert 10 ** z[12, 12] == pytest.approx(tr.evaluate()["train_loss"], rel=1e-5)


def test_new_directions_change_the_slice(at):
    goto(at, LANDSCAPE)
    click(at, "Step ×10")
    before = contour_z(at)
    click(at, "New directions")
    assert at.session_state["ls_seed"] == 1
    after = contour_z(at)
    assert after.shape == before.shape and not np.allclose(after, before)
    assert after[12, 12] == pytest.approx(before[12, 12])       # same centre, same theta


def test_span_and_resolution_controls_and_log_toggle(at):
    goto(at, LANDSCAPE)
    at.select_slider(key="_ls_res").set_value(11)
    run(at)
    at.select_slider(key="_ls_span").set_value(0.25)
    run(at)
    fig = chart(at, "landscape")
    z = array(trace(fig, "contour")["z"])
    assert z.shape == (11, 11)
    assert fig["layout"]["xaxis"]["range"] == [-0.25, 0.25]
    at.toggle(key="_ls_log").set_value(False)
    run(at)
    linear = contour_z(at)
    np.testing.assert_allclose(np.log10(linear), z, rtol=1e-5)
    at.toggle(key="_ls_3d").set_value(True)
    run(at)
    assert trace(chart(at, "landscape"), "surface")


def test_while_playing_the_slice_waits_until_asked_or_paused(at):
    goto(at, LANDSCAPE)
    click(at, "Step")
    computed = at.session_state["ls_result"]
    play(at)                                   # the first batch of `speed` × a period
    need(at)                                   # and the next, when the page asks
    assert counter(at) > 1
    assert at.session_state["ls_result"] is computed            # not recomputed while playing
    assert any("While training plays" in c.value for c in at.caption)
    click(at, "Recompute around the current θ")
    assert at.session_state["ls_result"]["t"] == counter(at)
    need(at)
    pause(at)
    run(at)
    assert at.session_state["ls_result"]["t"] == counter(at)


def test_landscape_values_survive_a_page_switch(at):
    goto(at, LANDSCAPE)
    at.select_slider(key="_ls_res").set_value(15)
    run(at)
    click(at, "New directions")
    goto(at, PAGES[0])
    goto(at, LANDSCAPE)
    assert at.select_slider(key="_ls_res").value == 15
    assert at.session_state["ls_seed"] == 1
    assert contour_z(at).shape == (15, 15)


def test_a_new_architecture_gets_a_new_slice(at):
    goto(at, LANDSCAPE)
    click(at, "Step ×10")
    at.sidebar.slider(key="_n_hidden").set_value(1)
    run(at)
    result = at.session_state["ls_result"]
    assert result["run"]() is run_state(at)
    assert len(result["d1"]) == run_state(at).net.n_params


def test_both_pages_work_for_regression_and_a_wide_net(at):
    at.sidebar.selectbox(key="_dataset").set_value("plane")
    run(at)
    at.sidebar.slider(key="_n_hidden").set_value(3)
    run(at)
    at.sidebar.number_input(key="_width_1").set_value(32)
    run(at)
    click(at, "Step ×10")
    goto(at, LANDSCAPE)
    assert contour_z(at).shape == (25, 25)
    assert at.session_state["ls_result"]["t"] == 10
    goto(at, REWIND)
    at.select_slider(key="_rw_step").set_value(5)
    run(at)
    assert trace(chart(at, "rw_boundary"), "heatmap")          # regression: a heatmap
    assert not [m for m in at.metric if "accuracy" in m.label]


# ---- rewind ---------------------------------------------------------------------------------

def param_theta(at):
    """theta read back from the W_l, b_l heatmaps of the rewind page (W_1 .. W_L, b_1 .. b_L)."""
    heat = [t for t in chart(at, "rw_params")["data"] if t["type"] == "heatmap"]
    L = len(heat) // 2
    ws = [array(t["z"]).ravel() for t in heat[:L]]
    bs = [array(t["z"]).ravel() for t in heat[L:]]
    return np.concatenate(ws + bs)


def test_rewind_shows_theta_as_it_was(at):
    advance(at, 100)
    click(at, "Step ×10")
    live = run_state(at).trainer
    theta, t = live.net.theta.copy(), live.t
    goto(at, REWIND)
    slider = at.select_slider(key="_rw_step")
    steps, _ = live.snapshots()
    assert list(slider.options) == [f"t = {s}" for s in steps]
    assert slider.value == t                                     # the latest by default
    np.testing.assert_allclose(param_theta(at), theta)
    s = int(steps[len(steps) // 3])
    slider.set_value(s)
    run(at)
    kept, theta_s = live.theta_at(s)
    assert kept == s
    np.testing.assert_allclose(param_theta(at), theta_s)
    assert not np.allclose(theta_s, theta)
    # rewinding never touches the live run
    assert np.array_equal(run_state(at).net.theta, theta) and run_state(at).trainer.t == t
    assert run_state(at) is not None and run_state(at).trainer is live
    # the loss shown is the loss of theta_s
    twin = live.net.copy()
    twin.theta[...] = theta_s
    shown = next(m.value for m in at.metric if m.label == "L(θ) train at t")
    assert float(shown) == pytest.approx(twin.loss(live.X, live.labels), abs=1e-4)
    assert [m.value for m in at.metric if m.label == "Showing θ at t"] == [f"{s} / {t}"]


def test_rewind_boundary_is_drawn_from_the_snapshot(at):
    advance(at, 100)
    goto(at, REWIND)
    at.select_slider(key="_rw_step").set_value(0)
    run(at)
    z0 = regions_source(chart(at, "rw_boundary"))
    snapshot = run_state(at).trainer.snapshots()[1][0]
    goto(at, PAGES[0])
    click(at, "Reset")                       # theta back to theta_0: the live boundary at t = 0
    goto(at, "dashboard.py")
    live = stage_frames(at)[0][1][-1]        # the θ the browser draws the live boundary from
    assert live.tobytes() == snapshot.tobytes()
    from ffnn.app import views
    fig = views.boundary_figure(run_state(at).data, run_state(at).net)   # θ₀ now
    assert regions_source(fig.to_plotly_json()) == z0    # the same picture, byte for byte


def test_rewind_choice_survives_a_page_switch_and_the_latest_follows(at):
    advance(at, 100)
    goto(at, REWIND)
    at.select_slider(key="_rw_step").set_value(40)
    run(at)
    goto(at, PAGES[1])
    goto(at, REWIND)
    assert at.select_slider(key="_rw_step").value == 40
    # choosing the right end follows training
    at.select_slider(key="_rw_step").set_value(100)
    run(at)
    goto(at, PAGES[0])
    click(at, "Step ×10")
    goto(at, REWIND)
    assert at.select_slider(key="_rw_step").value == 110


def test_rewind_before_any_step_and_notes_thinning(at):
    goto(at, REWIND)
    assert any("Only θ₀" in i.value for i in at.info)
    assert "_rw_step" not in [w.key for w in at.select_slider]
    goto(at, PAGES[0])
    at.sidebar.number_input(key="_max_iterations").set_value(5000)
    run(at)
    for _ in range(12):
        advance(at, 100)
    goto(at, REWIND)
    steps, _ = run_state(at).trainer.snapshots()
    note = next(c.value for c in at.caption if "snapshots of θ kept" in c.value)
    assert f"{len(steps)} snapshots" in note and "thinned" in note
