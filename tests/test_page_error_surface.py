"""The error-surface page (pages/9_Error_surface.py) driven through the real app with AppTest:
its own Step / Play / Reset controls, what the contour and loss charts hold, its settings and
their survival across page switches; and the figure builders it draws (ffnn.figures.surface)."""

import base64

import numpy as np
import plotly.graph_objects as go
import pytest

from ffnn.figures.surface import (
    LIFT,
    OPTIMIZER_COLORS,
    SURFACE_SCALE,
    error_contour,
    error_surface_3d,
    loss_along_paths,
)
from ffnn.neuron import X_DATA, Y_DATA, descent_path, loss_surface, loss_values

from apptest import PAGES, assert_clean, chart_specs, click, run, start

PAGE = "pages/9_Error_surface.py"


@pytest.fixture
def at():
    at = start()
    at.switch_page(PAGE)
    return run(at)


def values(arr):
    """A Plotly array as a NumPy array: plain list or base64 'bdata' typed array."""
    if isinstance(arr, dict):
        return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=np.dtype(arr["dtype"]))
    return np.asarray(arr, dtype=np.float64)


def figure(at, trace_type):
    """The first chart holding a trace of `trace_type` (contour, surface, or scatter only)."""
    for spec in chart_specs(at):
        types = {t.get("type", "scatter") for t in spec["data"]}
        if types == {"scatter"} if trace_type == "scatter" else trace_type in types:
            return spec
    raise AssertionError(f"no chart with a {trace_type} trace")


def path_traces(at):
    return [t for t in figure(at, "contour")["data"] if t.get("meta") == "path"]


def path_xy(at, i=0):
    trace = path_traces(at)[i]
    return np.column_stack([values(trace["x"]), values(trace["y"])])


def t_of(at):
    return at.session_state["es_reveal"].t


def counter(at):
    return next(m.value for m in at.metric if m.label == "Iteration t")


def set_value(at, kind, key, value):
    getattr(at, kind)(key=key).set_value(value)
    return run(at)


# ---- the page --------------------------------------------------------------------------------

def test_opens_at_theta_0_on_the_plateau(at):
    assert t_of(at) == 0 and counter(at) == "0 / 1000"
    assert at.number_input(key="_es_w0").value == -2.0
    assert at.number_input(key="_es_b0").value == -2.0
    assert at.select_slider(key="_es_eta").value == 1.0
    assert at.multiselect(key="_es_opts").value == ["gd"]
    assert len(chart_specs(at)) == 2                      # contour and loss; 3-D on demand
    assert len(path_traces(at)) == 1
    np.testing.assert_array_equal(path_xy(at), [[-2.0, -2.0]])
    contour = figure(at, "contour")
    assert contour["layout"]["xaxis"]["range"] == [-6, 6]
    assert contour["layout"]["yaxis"]["range"] == [-6, 6]


def test_step_advances_t_and_the_path_gains_points(at):
    click(at, "Step")
    assert t_of(at) == 1 and counter(at) == "1 / 1000"
    assert len(path_xy(at)) == 2
    click(at, "Step ×10")
    assert t_of(at) == 11
    xy = path_xy(at)
    np.testing.assert_allclose(xy, descent_path(X_DATA, Y_DATA, -2.0, -2.0, 1.0, steps=11))
    loss = figure(at, "scatter")["data"][0]
    assert len(values(loss["y"])) == 12


def test_the_update_is_shown_with_its_numbers(at):
    click(at, "Step ×10")
    latex = " ".join(el.value for el in at.get("latex"))
    assert r"w_{t+1} = w_t - \eta\nabla w_t" in latex
    assert r"b_{t+1} = b_t - \eta\nabla b_t" in latex
    w11, b11 = descent_path(X_DATA, Y_DATA, -2.0, -2.0, 1.0, steps=11)[11]
    assert f"= {w11:.4f}" in latex and f"= {b11:.4f}" in latex
    assert "t = 10:" in latex


def test_play_advances_every_run_and_pause_stops(at):
    click(at, "Play")
    assert at.session_state["es_playing"]
    t1 = t_of(at)                # the run after the click already played a frame
    assert t1 >= 1
    run(at)                      # AppTest: one full run per run(); run_every never fires
    assert t_of(at) > t1
    click(at, "Pause")
    assert not at.session_state["es_playing"]
    t = t_of(at)
    run(at)
    assert t_of(at) == t


def test_play_stops_by_itself_at_max_iterations(at):
    at.session_state["es_reveal"].t = 999
    click(at, "Play")
    assert t_of(at) == 1000 and not at.session_state["es_playing"]
    assert counter(at) == "1000 / 1000"
    assert all(b.disabled for b in at.button if b.label in ("Step", "Step ×10", "Play"))
    click(at, "Reset")
    assert t_of(at) == 0


def test_changing_eta_changes_the_path_and_keeps_t(at):
    click(at, "Step ×10")
    before = path_xy(at)
    set_value(at, "select_slider", "_es_eta", 0.1)
    after = path_xy(at)
    assert t_of(at) == 10 and len(after) == 11
    np.testing.assert_array_equal(after[0], before[0])
    assert not np.allclose(after[1:], before[1:])
    np.testing.assert_allclose(after, descent_path(X_DATA, Y_DATA, -2.0, -2.0, 0.1, steps=10))


def test_changing_the_start_changes_the_path(at):
    click(at, "Step ×10")
    set_value(at, "number_input", "_es_w0", 1.0)
    set_value(at, "number_input", "_es_b0", 0.5)
    xy = path_xy(at)
    np.testing.assert_array_equal(xy[0], [1.0, 0.5])
    np.testing.assert_allclose(xy, descent_path(X_DATA, Y_DATA, 1.0, 0.5, 1.0, steps=10))


def test_two_optimizers_give_two_paths_in_their_colours(at):
    set_value(at, "multiselect", "_es_opts", ["gd", "momentum"])
    click(at, "Step ×10")
    traces = path_traces(at)
    assert [t["line"]["color"] for t in traces] == [OPTIMIZER_COLORS["gd"],
                                                    OPTIMIZER_COLORS["momentum"]]
    assert not np.allclose(path_xy(at, 0), path_xy(at, 1))
    lines = figure(at, "scatter")["data"]
    assert [t["line"]["color"] for t in lines] == [t["line"]["color"] for t in traces]


def test_cross_entropy_changes_the_surface_and_the_path(at):
    click(at, "Step ×10")
    z_se, xy_se = values(figure(at, "contour")["data"][0]["customdata"]), path_xy(at)
    set_value(at, "radio", "_es_loss", "cross_entropy")
    z_ce, xy_ce = values(figure(at, "contour")["data"][0]["customdata"]), path_xy(at)
    assert z_ce.max() > 1 > z_se.max()      # cross-entropy grows without bound, SE stays < 1
    assert not np.allclose(xy_se, xy_ce)


def test_no_update_rule_chosen_is_a_message_not_an_error(at):
    set_value(at, "multiselect", "_es_opts", [])
    assert any("at least one update rule" in m.value for m in at.info)
    set_value(at, "multiselect", "_es_opts", ["adam"])
    assert len(path_traces(at)) == 1


def test_toggles_log_scale_and_the_3d_surface(at):
    click(at, "Step ×10")
    set_value(at, "toggle", "_es_log", True)
    assert figure(at, "scatter")["layout"]["yaxis"]["type"] == "log"
    set_value(at, "toggle", "_es_show_3d", True)
    spec = figure(at, "surface")
    lifted = [t for t in spec["data"] if t["type"] == "scatter3d" and t["mode"] == "lines"]
    assert len(lifted) == 1 and len(values(lifted[0]["x"])) == 11


def test_values_survive_page_switches(at):
    set_value(at, "select_slider", "_es_eta", 0.3)
    set_value(at, "number_input", "_es_w0", -1.5)
    set_value(at, "radio", "_es_loss", "cross_entropy")
    set_value(at, "multiselect", "_es_opts", ["gd", "nesterov"])
    set_value(at, "toggle", "_es_log", True)
    click(at, "Step ×10")
    for page in [PAGES[0], "dashboard.py", PAGE]:
        at.switch_page(page)
        run(at)
    run(at)                                 # and a second run on the same page
    assert at.select_slider(key="_es_eta").value == 0.3
    assert at.number_input(key="_es_w0").value == -1.5
    assert at.radio(key="_es_loss").value == "cross_entropy"
    assert at.multiselect(key="_es_opts").value == ["gd", "nesterov"]
    assert at.toggle(key="_es_log").value is True
    assert t_of(at) == 10 and len(path_traces(at)) == 2
    assert_clean(at)


# ---- the figures -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def surface():
    return loss_surface(X_DATA, Y_DATA, resolution=60)


@pytest.fixture(scope="module")
def paths():
    return {name: descent_path(X_DATA, Y_DATA, -2.0, -2.0, 1.0, name, 200)
            for name in ("gd", "adam")}


def validated(fig):
    """`fig`, once rebuilt with Plotly's validation on (the builders skip it for speed)."""
    go.Figure(fig.to_dict())
    return fig


def test_contour_reveals_each_path_up_to_t(surface, paths):
    fig = validated(error_contour(*surface, paths, current_step=30))
    by_meta = {}
    for tr in fig.data:
        by_meta.setdefault(tr.meta, []).append(tr)
    assert [len(tr.x) for tr in by_meta["path"]] == [31, 31]
    for tr, name in zip(by_meta["current"], paths):
        assert (tr.x[0], tr.y[0]) == tuple(paths[name][30])
    for tr, name in zip(by_meta["start"], paths):
        assert (tr.x[0], tr.y[0]) == (-2.0, -2.0)


def test_contour_levels_are_log_spaced_over_the_plateau_and_the_valley(surface):
    ws, bs, L = surface
    contour = error_contour(ws, bs, L, {}).data[0]
    assert contour.contours.size == pytest.approx((contour.contours.end
                                                   - contour.contours.start) / 28)
    assert contour.contours.end == pytest.approx(np.log10(L.max()))
    assert contour.contours.start == pytest.approx(np.log10(L.max()) - 3)
    np.testing.assert_allclose(contour.customdata, L.astype(np.float32))


def test_3d_surface_colours_match_the_contour(surface, paths):
    flat = validated(error_contour(*surface, paths))
    solid = validated(error_surface_3d(*surface, paths, current_step=50))
    contour, surf = flat.data[0], solid.data[0]
    assert contour.colorscale == surf.colorscale
    assert (contour.zmin, contour.zmax) == (surf.cmin, surf.cmax)
    colours_2d = [t.line.color for t in flat.data if t.meta == "path"]
    colours_3d = [t.line.color for t in solid.data if t.type == "scatter3d" and t.mode == "lines"]
    assert colours_2d == colours_3d == [OPTIMIZER_COLORS["gd"], OPTIMIZER_COLORS["adam"]]
    assert len(SURFACE_SCALE) == 5


def test_3d_paths_lie_on_the_surface(surface, paths):
    ws, bs, L = surface
    losses = {k: loss_values(X_DATA, Y_DATA, p[:, 0], p[:, 1]) for k, p in paths.items()}
    exact = error_surface_3d(ws, bs, L, paths, losses=losses).data[1]
    read_off = error_surface_3d(ws, bs, L, paths).data[1]
    lift = LIFT * L.max()
    np.testing.assert_allclose(np.asarray(exact.z) - lift, losses["gd"])
    np.testing.assert_allclose(np.asarray(read_off.z), np.asarray(exact.z), atol=0.02)


def test_loss_along_paths_keeps_its_axes_while_t_grows(paths):
    losses = {k: loss_values(X_DATA, Y_DATA, p[:, 0], p[:, 1]) for k, p in paths.items()}
    early = validated(loss_along_paths(losses, current_step=5))
    late = validated(loss_along_paths(losses, current_step=150))
    assert early.layout.yaxis.range == late.layout.yaxis.range
    assert early.layout.xaxis.range == late.layout.xaxis.range == (0, 1000)
    assert [len(t.x) for t in early.data] == [6, 6]
    assert [len(t.x) for t in late.data] == [151, 151]
    log = validated(loss_along_paths(losses, log_y=True))
    assert log.layout.yaxis.type == "log"
