"""The real app, driven by streamlit.testing.v1.AppTest over several runs in a row: controls,
page switches, what the charts hold, and what is kept or reset when settings change."""

import numpy as np
import pytest

from ffnn.app import controls

import lesson_claims as C
from apptest import (
    PAGES,
    VIEWS,
    advance,
    batch,
    chart_specs,
    click,
    counter,
    goto,
    need,
    pause,
    play,
    play_on,
    playing,
    popover_text,
    run,
    run_state,
    set_widget,
    stage_frames,
    stage_message,
    start,
    texts,
    widget,
)


@pytest.fixture
def at():
    return start()


def theta(at):
    return run_state(at).net.theta.copy()


def shown_theta(at):
    """θ of the frame the stage shows (the browser draws the boundary from it)."""
    _steps, thetas, _ = stage_frames(at)[0]
    return thetas[-1]


def test_opens_on_a_working_default(at):
    assert counter(at) == 0
    head, _ = stage_message(at, "feed")
    assert head["info"]["max_iterations"] == 1000
    labels = {w.label for kind in ("selectbox", "select_slider", "slider", "radio", "number_input")
              for w in getattr(at.sidebar, kind)}
    assert {"Dataset", "Hidden layers", "Activation", "Loss", "Learning rate",
            "Optimizer", "Batch size", "Max iterations"} <= labels
    # the live stage: the boundary (it carries the frames), the numbers, network and loss
    assert head["view"] == "plane" and stage_message(at, "stage_side")[0]["view"] == "side"
    assert not chart_specs(at)                   # no Plotly chart: the browser draws them


def test_step_buttons_advance_the_counter_and_change_the_boundary(at):
    before = shown_theta(at)
    click(at, "Step")
    assert counter(at) == 1
    assert not np.array_equal(shown_theta(at), before)
    np.testing.assert_array_equal(shown_theta(at), theta(at))    # the trainer's own θ₁
    click(at, "Step ×10")
    assert counter(at) == 11
    advance(at, 100)
    assert counter(at) == 111
    history = run_state(at).trainer.history
    assert len(history) == 111


def test_loss_curve_holds_one_point_per_recorded_iteration(at):
    click(at, "Step ×10")
    click(at, "Step")
    at.switch_page(PAGES[0])
    run(at)
    loss_fig = chart_specs(at)[0]
    train = next(t for t in loss_fig["data"] if t.get("name", "").lower().startswith("train"))
    n = len(run_state(at).trainer.history)
    assert n == 11
    assert _length(train["x"]) == n + 1            # L(θ₀) … L(θ₁₀) recorded, and L(θ₁₁) now


def _length(arr):
    """Length of a Plotly array, plain list or base64 'bdata' typed array."""
    if isinstance(arr, dict):
        import base64
        dtype = np.dtype(arr["dtype"])
        return len(base64.b64decode(arr["bdata"])) // dtype.itemsize
    return len(arr)


def test_play_sends_batches_of_frames_at_the_speed_and_pause_stops_where_shown(at):
    play(at)
    assert playing(at)
    # each batch is LEAD seconds of play at `speed` iterations per second: a frame per t from
    # the t shown on, the trainer one update ahead of the last frame
    speed = at.session_state["speed"]
    n = int(speed * controls.LEAD)
    steps, _thetas, numbers = stage_frames(at)[0]
    assert steps.tolist() == list(range(n))
    assert run_state(at).trainer.t == n
    history = run_state(at).trainer.history        # each frame's numbers are the trainer's own
    np.testing.assert_array_equal(numbers[:, 0], history["train_loss"].to_numpy()[:n])
    np.testing.assert_array_equal(numbers[:, 4], history["grad_W1"].to_numpy()[:n])
    run(at)                       # a run the page did not ask for: the same batch again
    assert batch(at)["seq"] == 2 and stage_frames(at)[0][0].tolist() == steps.tolist()
    need(at)
    n2 = int(2 * speed * controls.LEAD)        # the fraction left over goes to the next batch
    assert stage_frames(at)[0][0].tolist() == list(range(n, n2))
    pause(at, t=n + 7)            # the page showed θ_{n+7} when Pause was pressed
    assert n2 > n + 7
    assert not playing(at) and counter(at) == n + 7 == run_state(at).trainer.t
    fresh = run_state(start()).trainer
    fresh.step(n + 7)
    np.testing.assert_array_equal(theta(at), fresh.net.theta)      # exactly that θ
    run(at)
    assert counter(at) == n + 7


def test_a_stale_ask_for_a_batch_runs_nothing(at):
    """The page asks for the batch after the one it holds; an ask that comes late (the page
    asked twice, or a batch crossed it) is answered with the latest batch, never a new one."""
    play(at)
    need(at)
    seq, t = batch(at)["seq"], run_state(at).trainer.t
    from apptest import trigger
    trigger(at, "feed", "need", {"seq": seq - 1, "t": 3})
    assert batch(at)["seq"] == seq and run_state(at).trainer.t == t


def test_a_busy_page_asks_for_longer_batches_within_bounds(at):
    """The page asks for `lead` s of play when the server is slow to answer: from
    controls.LEAD to controls.MAX_LEAD, whatever it asks."""
    from apptest import trigger
    play(at)
    speed = at.session_state["speed"]
    for lead, want in ((2.0, 2.0), (100.0, controls.MAX_LEAD), (0.01, controls.LEAD)):
        before = run_state(at).trainer.t
        b = batch(at)
        trigger(at, "feed", "need", {"seq": b["seq"], "t": before - 1, "lead": lead})
        done = run_state(at).trainer.t - before
        assert abs(done - speed * want) < 1, (lead, done)


def test_pause_after_a_setting_changed_mid_play_keeps_the_change(at):
    """η changed while the page still shows an earlier t of the batch: Pause does not go back
    before the change (that would undo it); it stops where the server is, which records it."""
    play(at)
    need(at)
    set_widget(at, "select_slider", "_lr", 0.3)
    t = run_state(at).trainer.t
    pause(at, t=t - 10)
    tr = run_state(at).trainer
    assert tr.t == t and tr.lr == 0.3
    assert [(e.t, e.text) for e in tr.events] == [(t, "η 0.1 → 0.3")]


def test_play_stops_by_itself_at_max_iterations(at):
    set_widget(at, "number_input", "_max_iterations", 15)
    play(at)
    assert batch(at)["ended"]                    # the batch ends the run
    steps, _, _ = stage_frames(at)[0]
    assert steps.tolist() == list(range(16))     # shown to its end, θ₁₅ included
    play_on(at, 5)                               # the page shows its last frame and says so
    assert counter(at) == 15 == run_state(at).trainer.t
    assert not playing(at)
    assert any("max_iterations" in m for m in texts(at))


def test_changing_the_learning_rate_keeps_theta(at):
    click(at, "Step ×10")
    before = theta(at)
    set_widget(at, "select_slider", "_lr", 0.3)
    assert run_state(at).trainer.lr == 0.3
    assert counter(at) == 10
    np.testing.assert_array_equal(theta(at), before)
    assert [(e.t, e.text) for e in run_state(at).trainer.events] == [(10, "η 0.1 → 0.3")]


def test_changing_the_optimizer_keeps_theta(at):
    click(at, "Step ×10")
    before = theta(at)
    set_widget(at, "selectbox", "_optimizer", "adam")
    assert counter(at) == 10
    np.testing.assert_array_equal(theta(at), before)


def test_changing_the_architecture_resets_theta_and_says_so(at):
    click(at, "Step ×10")
    set_widget(at, "slider", "_n_hidden", 3)
    assert counter(at) == 0
    assert run_state(at).net.sizes == [2, 4, 2, 4, 2]
    assert any("fresh θ₀" in m for m in texts(at))


def test_new_data_resets_and_changes_the_points(at):
    old = run_state(at).data.points_train.copy()
    click(at, "Step")
    click(at, "New data")
    assert at.session_state["data_seed"] == 1
    assert counter(at) == 0
    assert not np.array_equal(run_state(at).data.points_train, old)


def test_typed_learning_rate(at):
    widget(at, "text_input", "lr_text").input("0.05")
    run(at)
    assert at.session_state["lr"] == 0.05
    assert run_state(at).trainer.lr == 0.05
    widget(at, "text_input", "lr_text").input("fast please")
    run(at)
    assert at.session_state["lr"] == 0.05
    assert any("not a learning rate" in m for m in texts(at))


def test_reset_returns_to_the_same_theta_0(at):
    theta0 = theta(at)
    click(at, "Step ×10")
    assert not np.array_equal(theta(at), theta0)
    click(at, "Reset")
    assert counter(at) == 0
    np.testing.assert_array_equal(theta(at), theta0)


def test_sidebar_values_survive_page_switches(at):
    set_widget(at, "select_slider", "_lr", 0.003)
    set_widget(at, "selectbox", "_dataset", "xor")
    set_widget(at, "slider", "_n_hidden", 3)
    set_widget(at, "number_input", "_width_2", 7)
    click(at, "Step ×10")
    for page in [*PAGES, "dashboard.py", PAGES[1]]:
        at.switch_page(page)
        run(at)
        run(at)                                  # and a second run on the same page
        assert widget(at, "select_slider", "_lr").value == 0.003
        assert widget(at, "selectbox", "_dataset").value == "xor"
        assert widget(at, "slider", "_n_hidden").value == 3
        assert widget(at, "number_input", "_width_2").value == 7
        assert counter(at) == 10, page           # nothing was reset by switching


def test_every_page_draws_and_steps(at):
    for page in PAGES:
        at.switch_page(page)
        run(at)
        before = chart_specs(at) or [x.value for x in at.latex]    # Backprop: numbers in LaTeX
        assert before, page
        click(at, "Step")
        assert (chart_specs(at) or [x.value for x in at.latex]) != before, page


def test_gradients_page_has_one_line_per_layer(at):
    set_widget(at, "slider", "_n_hidden", 3)
    click(at, "Step ×10")
    goto(at, "Gradients per layer")
    bars, norms = chart_specs(at)[:2]
    L = run_state(at).net.L
    solid = [t for t in norms["data"] if t.get("name", "").startswith("‖∇W")]
    assert len(solid) == L == 4
    assert [t["name"] for t in bars["data"]] == ["at θ₀", "at t = 10"]
    heatmaps = [t for t in chart_specs(at)[-1]["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == L


def test_divergence_is_reported_and_the_last_finite_theta_kept(at):
    set_widget(at, "select_slider", "_lr", 10.0)
    set_widget(at, "selectbox", "_activation", "relu")
    set_widget(at, "radio", "_loss", "squared_error")
    set_widget(at, "selectbox", "_output", "linear")
    set_widget(at, "select_slider", "_n_samples", 100)
    for _ in range(20):
        advance(at, 100)
        if run_state(at).trainer.diverged:
            break
    tr = run_state(at).trainer
    assert tr.diverged is not None
    assert np.isfinite(tr.net.theta).all()
    assert any("Training diverged" in e.value for e in at.error)
    said = popover_text(at, "Why?")
    assert "blew up at step" in said and f"layer {tr.diverged.layer}" in said
    assert not playing(at)
    suggested = at.session_state["why"][1]
    assert suggested < 10.0
    use = next(b for b in at.button if b.label.startswith("Use η"))
    use.click()
    run(at)
    assert run_state(at).trainer.lr == suggested == at.session_state["lr"]
    assert run_state(at).trainer.diverged is None          # goes on from the kept theta


def test_bad_settings_keep_the_run(at):
    click(at, "Step ×10")
    before = theta(at)
    set_widget(at, "multiselect", "_features", [], accepted=False)
    assert any("cannot be used" in m for m in texts(at))
    assert counter(at) == 10
    np.testing.assert_array_equal(theta(at), before)
    assert at.session_state["features"] == ["x1", "x2"]


def _numbers(trace):
    """The finite numbers a trace draws (y, or z, or a layout image counts as drawn)."""
    out = []
    for name in ("y", "z"):
        value = trace.get(name)
        if value is None:
            continue
        arr = C.values(value) if not isinstance(value, list) or not value or not isinstance(
            value[0], list) else np.array(value, dtype=float)
        out.append(np.asarray(arr, dtype=float).ravel())
    flat = np.concatenate(out) if out else np.empty(0)
    return flat[np.isfinite(flat)]


@pytest.mark.parametrize("where", ["dashboard.py", *VIEWS, "pages/4_Theta_and_gradient.py",
                                   "pages/6_Gradient_check.py", "pages/8_Compare_losses.py",
                                   "pages/9_Error_surface.py"])
def test_at_t_0_every_chart_holds_theta_0s_values(where):
    """Never an empty chart: before the first update each shows θ₀'s numbers (L(θ₀), ‖∇Wₗ‖ at
    θ₀, the update's size at θ₀ ...)."""
    at = start()
    if where != "dashboard.py":
        goto(at, where)
    assert run_state(at).trainer.t == 0
    figures = chart_specs(at)
    L0 = run_state(at).trainer.net.loss(run_state(at).trainer.X, run_state(at).trainer.labels)
    feeds = [el.proto.id.rsplit("-", 1)[-1] for el in at.get("bidi_component")
             if el.proto.id.endswith("feed")]
    if feeds and stage_message(at, feeds[0])[0]["view"] != "clock":    # the stage draws it
        frames = stage_frames(at, feeds[0])
        assert frames and all(f[0].tolist() == [0] for f in frames), where
        if where == "dashboard.py":
            assert frames[0][2][0, 0] == pytest.approx(L0)             # L(θ₀) itself
            assert np.isfinite(frames[0][2][0, 4:]).all()              # ‖∇W_l‖ at θ₀
    else:
        assert figures or where == "Step by step", where       # Backprop: LaTeX, no chart
    for fig in figures:
        drawn = [t for t in fig["data"] if len(_numbers(t))] or fig["layout"].get("images")
        assert drawn, (where, [t.get("name") for t in fig["data"]])
    for fig in figures:
        for trace in fig["data"]:
            if trace.get("name") == "train loss":             # L(θ₀) itself, at t = 0
                assert C.values(trace["x"]).tolist() == [0]
                assert C.values(trace["y"])[0] == pytest.approx(L0)


def test_a_stall_is_a_warning_read_out_when_it_appears():
    """The watchdog's stall message is a warning (Streamlit gives it role "alert", which screen
    readers read when it appears; an info box is a "status" they often skip)."""
    at = start({"init": "zeros", "activation": "sigmoid", "lr": "0.3", "t": "300"})
    assert any("flat far from its floor: symmetric units" in w.value for w in at.warning)
    assert not any("flat far from its floor" in i.value for i in at.info)
