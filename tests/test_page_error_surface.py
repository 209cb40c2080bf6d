"""The error-surface page (pages/9_Error_surface.py) driven through the real app with AppTest:
its own Step / Play / Reset controls, what the contour and loss charts hold, its settings and
their survival across page switches; and the figure builders it draws (ffnn.figures.surface)."""

import base64

import numpy as np
import plotly.graph_objects as go
import pytest

from ffnn import OPTIMIZERS
from ffnn.app import controls
from ffnn.figures.png import decode_png, encode_png
from ffnn.figures.surface import (
    LIFT,
    N_LEVELS,
    OPTIMIZER_COLORS,
    SURFACE_SCALE,
    colorbar_ticks,
    error_surface_3d,
    log_levels,
    surface_rgba,
)
from ffnn.neuron import X_DATA, Y_DATA, descent_path, loss_surface, loss_values

from apptest import (
    PAGES,
    assert_clean,
    chart_specs,
    click,
    goto,
    pause,
    play,
    play_on,
    playing,
    run,
    stage_frames,
    stage_message,
    start,
)

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
    """The first chart holding a trace of `trace_type` (the 3-D surface)."""
    for spec in chart_specs(at):
        if trace_type in {t.get("type", "scatter") for t in spec["data"]}:
            return spec
    raise AssertionError(f"no chart with a {trace_type} trace")


def drawn(at):
    """The surface view's fixed part: the map, the colour bar and every path, whole."""
    head, blob = stage_message(at, "es_feed")
    s = head["static"]["surface"]
    for p in s["paths"]:
        o, n, k = p["xy"]
        p["xy"] = blob[o:o + n * k].reshape(n, k)
        o, n, _ = p["loss"]
        p["loss"] = blob[o:o + n]
    return s


def path_xy(at, i=0):
    """Path i as the page shows it: θ_0 … θ_t (the browser reveals the whole path up to t)."""
    return drawn(at)["paths"][i]["xy"][:t_shown(at) + 1]


def t_shown(at):
    return int(stage_frames(at, "es_feed")[0][0][-1])


def t_of(at):
    return at.session_state["es_reveal"].t


def set_value(at, kind, key, value):
    getattr(at, kind)(key=key).set_value(value)
    return run(at)


# ---- the page --------------------------------------------------------------------------------

def test_opens_at_theta_0_on_the_plateau(at):
    assert t_of(at) == 0 == t_shown(at)
    assert drawn(at)["max_iterations"] == 1000
    assert at.number_input(key="_es_w0").value == -2.0
    assert at.number_input(key="_es_b0").value == -2.0
    assert at.select_slider(key="_es_eta").value == 1.0
    assert at.multiselect(key="_es_opts").value == ["gd"]
    assert not chart_specs(at)               # the browser draws the map and L(θ_t); 3-D on demand
    assert len(drawn(at)["paths"]) == 1
    np.testing.assert_array_equal(path_xy(at), [[-2.0, -2.0]])
    assert drawn(at)["w"] == [-6, 6] and drawn(at)["b"] == [-6, 6]


def test_step_advances_t_and_the_path_gains_points(at):
    click(at, "Step")
    assert t_of(at) == 1 == t_shown(at)
    assert len(path_xy(at)) == 2
    click(at, "Step ×10")
    assert t_of(at) == 11
    xy = path_xy(at)
    np.testing.assert_allclose(xy, descent_path(X_DATA, Y_DATA, -2.0, -2.0, 1.0, steps=11))
    losses = drawn(at)["paths"][0]["loss"]
    np.testing.assert_allclose(losses[:12], loss_values(X_DATA, Y_DATA, xy[:, 0], xy[:, 1]))


def test_the_update_is_shown_with_its_numbers(at):
    click(at, "Step ×10")
    latex = " ".join(el.value for el in at.get("latex"))
    assert r"w_{t+1} = w_t - \eta\nabla w_t" in latex
    assert r"b_{t+1} = b_t - \eta\nabla b_t" in latex
    w11, b11 = descent_path(X_DATA, Y_DATA, -2.0, -2.0, 1.0, steps=11)[11]
    assert f"= {w11:.4f}" in latex and f"= {b11:.4f}" in latex
    assert "t = 10:" in latex


def test_play_reveals_the_path_in_batches_and_pause_stops_where_shown(at):
    play(at, "es_")
    assert playing(at, "es_")
    steps = stage_frames(at, "es_feed")[0][0]
    lead = at.session_state["speed"] * controls.LEAD
    assert steps.tolist() == list(range(int(lead) + 1))   # one batch's t's, to the server's
    play_on(at, 2, "es_")
    assert t_of(at) == int(3 * lead)
    pause(at, "es_", t=61)
    assert not playing(at, "es_") and t_of(at) == 61 == t_shown(at)
    run(at)
    assert t_of(at) == 61


def test_play_stops_by_itself_at_max_iterations(at):
    at.session_state["es_reveal"].t = 999
    play(at, "es_")
    play_on(at, 3, "es_")
    assert t_of(at) == 1000 == t_shown(at) and not playing(at, "es_")
    assert stage_message(at, "es_play")[0]["cfg"]["disabled"]
    assert all(b.disabled for b in at.button if b.label in ("Step", "Step ×10"))
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
    paths = drawn(at)["paths"]
    assert [p["color"] for p in paths] == [OPTIMIZER_COLORS["gd"], OPTIMIZER_COLORS["momentum"]]
    assert [p["label"] for p in paths] == [OPTIMIZERS[k].label for k in ("gd", "momentum")]
    assert not np.allclose(path_xy(at, 0), path_xy(at, 1))


def test_cross_entropy_changes_the_surface_and_the_path(at):
    click(at, "Step ×10")
    top_se, xy_se = drawn(at)["hi"], path_xy(at)
    set_value(at, "radio", "_es_loss", "cross_entropy")
    top_ce, xy_ce = drawn(at)["hi"], path_xy(at)
    assert top_ce > 0 > top_se     # log10 max L: cross-entropy grows past 1, SE stays < 1
    assert not np.allclose(xy_se, xy_ce)


def test_no_update_rule_chosen_is_a_message_not_an_error(at):
    set_value(at, "multiselect", "_es_opts", [])
    assert any("at least one update rule" in m.value for m in at.info)
    set_value(at, "multiselect", "_es_opts", ["adam"])
    assert len(drawn(at)["paths"]) == 1


def test_toggles_log_scale_and_the_3d_surface(at):
    click(at, "Step ×10")
    set_value(at, "toggle", "_es_log", True)
    assert stage_message(at, "es_stage_surface")[0]["cfg"]["log"] is True
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
    assert t_of(at) == 10 and len(drawn(at)["paths"]) == 2
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


def test_the_map_is_log_spaced_bands_over_the_plateau_and_the_valley(surface):
    ws, bs, L = surface
    rgba = decode_png(encode_png(surface_rgba(L))).astype(int)    # as the page is sent it
    assert rgba.shape == (4 * len(bs), 4 * len(ws), 4)
    colours = {tuple(c) for c in rgba.reshape(-1, 4)[:, :3]}
    assert 3 <= len(colours) <= N_LEVELS           # one colour per band, never more
    lo, hi = log_levels(L)
    assert hi == pytest.approx(np.log10(L.max())) and lo == pytest.approx(hi - 3)
    # the top row is the largest b; the lowest loss (the valley) is the scale's darkest end
    i, j = np.unravel_index(np.argmin(L), L.shape)
    per = (4 * len(ws) - 1) / (len(ws) - 1)            # picture pixels per grid step
    valley = rgba[round((len(bs) - 1 - i) * per), round(j * per), :3]
    assert sum(valley) == min(sum(c) for c in colours)
    assert [t for _, t in colorbar_ticks(L)][-1] in {"0.2", "0.5", "1", "2"}


def test_3d_surface_colours_match_the_map(surface, paths):
    solid = validated(error_surface_3d(*surface, paths, current_step=50))
    surf = solid.data[0]
    assert [list(c) for c in surf.colorscale] == [list(c) for c in SURFACE_SCALE]
    assert (surf.cmin, surf.cmax) == pytest.approx(log_levels(surface[2]))
    colours_3d = [t.line.color for t in solid.data if t.type == "scatter3d" and t.mode == "lines"]
    assert colours_3d == [OPTIMIZER_COLORS["gd"], OPTIMIZER_COLORS["adam"]]


def test_3d_paths_lie_on_the_surface(surface, paths):
    ws, bs, L = surface
    losses = {k: loss_values(X_DATA, Y_DATA, p[:, 0], p[:, 1]) for k, p in paths.items()}
    exact = error_surface_3d(ws, bs, L, paths, losses=losses).data[1]
    read_off = error_surface_3d(ws, bs, L, paths).data[1]
    lift = LIFT * L.max()
    np.testing.assert_allclose(np.asarray(exact.z) - lift, losses["gd"])
    np.testing.assert_allclose(np.asarray(read_off.z), np.asarray(exact.z), atol=0.02)


def test_the_sidebar_leaves_out_the_settings_this_page_does_not_use(at):
    """The sidebar's architecture, loss, η and data do not apply to this page's neuron: they
    are left out, a sentence says so, and they come back as they were on the next page."""
    labels = [w.label for w in at.sidebar.select_slider] + [w.label for w in at.sidebar.radio]
    assert "Learning rate" not in labels and "Loss" not in labels, labels
    assert any("not used on this page" in c.value for c in at.sidebar.caption)
    assert at.sidebar.toggle(key="_present").value is False       # still there
    assert_clean(at)
    lr = at.session_state["lr"]
    goto(at, "dashboard.py")
    assert at.sidebar.select_slider(key="_lr").value == lr
    assert not any("not used on this page" in c.value for c in at.sidebar.caption)
