"""The comparison page (pages/8_Compare_losses.py), driven through the real app with AppTest:
two runs in lockstep, their boundaries, the shared loss chart, the delta_L chart, and what
rebuilds the pair or keeps it."""

import numpy as np
import pytest

from ffnn.app import controls

from apptest import (
    advance,
    assert_clean,
    chart_specs,
    click,
    pause,
    play,
    playing,
    run,
    run_state,
    set_widget,
    stage_curves,
    stage_frames,
    stage_message,
    start,
    texts,
)

PAGE = "pages/8_Compare_losses.py"


@pytest.fixture
def at():
    at = start()
    at.switch_page(PAGE)
    return run(at)


def pair(at):
    return at.session_state["cmp_pair"]


def charts(at):
    """{key: figure dict}: the chart's element id ends with the key the page gave it."""
    out = {}
    for el, spec in zip(at.get("plotly_chart"), chart_specs(at)):
        out[el.proto.id.rsplit("-", 1)[-1]] = spec
    return out


def stage(at):
    """The header the pair's stage is sent (titles, what stopped, the batch)."""
    return stage_message(at, "cmp_feed")[0]


def names(spec):
    return [t.get("name") for t in spec["data"]]


def main_widget(at, kind, key):
    return getattr(at, kind)(key=key)


def set_main(at, kind, key, value):
    main_widget(at, kind, key).set_value(value)
    return run(at)


def test_opens_with_squared_error_against_cross_entropy(at):
    assert at.selectbox(key="_cmp_setting").value == "loss"
    assert at.selectbox(key="_cmp_setting").options[0] == "Loss"
    assert at.selectbox(key="_cmp_a_loss").value == "squared_error"
    assert at.selectbox(key="_cmp_b_loss").value == "cross_entropy"
    p = pair(at)
    assert (p.a.net.loss_name, p.b.net.loss_name) == ("squared_error", "cross_entropy")
    assert p.t == (0, 0)
    # the same theta_0 on both sides, and the main run's theta_0 (theta_0 scale x 1)
    assert np.array_equal(p.a.net.theta, p.b.net.theta)
    assert np.array_equal(p.a.net.theta, run_state(at).trainer.snapshots()[1][0])
    assert stage(at)["info"]["titles"] == ["A: squared error", "B: cross-entropy"]


def test_two_boundaries_a_shared_loss_chart_and_the_delta_chart(at):
    head = stage(at)
    assert head["view"] == "pair"                  # the browser draws both boundaries and losses
    # each side's network, as the browser's forward pass needs it: the same widths and output
    assert [n["sizes"] for n in head["static"]["nets"]] == [pair(at).a.net.sizes] * 2
    sides = stage_frames(at, "cmp_feed")
    np.testing.assert_array_equal(sides[0][1][-1], pair(at).a.net.theta)
    np.testing.assert_array_equal(sides[1][1][-1], pair(at).b.net.theta)
    found = charts(at)
    assert set(found) == {"cmp_delta"}
    assert found["cmp_delta"]["layout"]["yaxis"]["type"] == "log"
    assert {"A: squared error", "B: cross-entropy"} <= set(names(found["cmp_delta"]))


def test_step_advances_both_networks(at):
    click(at, "Step")
    assert pair(at).t == (1, 1)
    assert [f[0].tolist() for f in stage_frames(at, "cmp_feed")] == [[1], [1]]
    click(at, "Step ×10")
    assert pair(at).t == (11, 11)
    advance(at, 100, pair(at))
    assert pair(at).t == (111, 111)
    assert run_state(at).trainer.t == 0                 # the main run is not touched
    curves = stage_curves(at)
    assert {"A: squared error · train", "A: squared error · test", "B: cross-entropy · train",
            "B: cross-entropy · test"} == set(curves)
    assert all(len(v) == 112 for v in curves.values())      # L(θ₀) … L(θ₁₁₁)
    assert curves["A: squared error · train"][-1] == pair(at).a.evaluate()["train_loss"]


def test_log_scale_toggle(at):
    click(at, "Step ×10")
    at.toggle(key="_cmp_log").set_value(True)
    run(at)
    assert stage_message(at, "cmp_stage_pair")[0]["cfg"]["log"] is True
    assert at.session_state["cmp_log"] is True


def test_changing_the_compared_setting_rebuilds(at):
    click(at, "Step ×10")
    set_main(at, "selectbox", "_cmp_setting", "lr")
    p = pair(at)
    assert p.t == (0, 0) and (p.a.lr, p.b.lr) == (0.1, 1.0)
    assert p.a.net.loss_name == p.b.net.loss_name == "cross_entropy"   # the sidebar's loss
    assert any("comparison changed" in m for m in texts(at))
    assert stage(at)["info"]["titles"][0] == "A: η = 0.1"
    click(at, "Step")
    set_main(at, "select_slider", "_cmp_b_lr", 0.3)
    assert pair(at).t == (0, 0) and pair(at).b.lr == 0.3
    set_main(at, "selectbox", "_cmp_setting", "optimizer")
    assert (pair(at).a.optimizer, pair(at).b.optimizer) == ("gd", "adam")
    set_main(at, "selectbox", "_cmp_setting", "activation")
    assert pair(at).b.net.activation == ["relu", "relu"]
    set_main(at, "selectbox", "_cmp_setting", "l2")
    assert (pair(at).a.l2, pair(at).b.l2) == (0.0, 0.01)


def test_changing_the_sidebar_rebuilds(at):
    click(at, "Step ×10")
    set_widget(at, "selectbox", "_activation", "relu")
    p = pair(at)
    assert p.t == (0, 0) and p.a.net.activation == ["relu", "relu"]
    assert any("sidebar" in m and "changed" in m for m in texts(at))
    click(at, "Step")
    run(at)                                     # a plain rerun keeps the pair
    assert pair(at).t == (1, 1)


def test_equal_values_give_identical_runs(at):
    set_main(at, "selectbox", "_cmp_a_loss", "cross_entropy")
    click(at, "Step ×10")
    p = pair(at)
    assert np.array_equal(p.a.net.theta, p.b.net.theta)
    assert any("the same" in c.value for c in at.caption)


def test_theta0_scale(at):
    theta0 = pair(at).a.net.theta.copy()
    set_main(at, "select_slider", "_cmp_scale", 10)
    p = pair(at)
    np.testing.assert_array_equal(p.a.net.theta, 10 * theta0)
    np.testing.assert_array_equal(p.b.net.theta, 10 * theta0)


def test_play_pause_and_reset(at):
    play(at, "cmp_")
    assert playing(at, "cmp_") and not playing(at)      # the pair plays, not the main run
    assert stage_message(at, "cmp_play")[0]["cfg"]["playing"]
    assert all(b.disabled for b in at.button if b.label.startswith("Step"))
    sides = stage_frames(at, "cmp_feed")               # A and B at the same t, frame for frame
    n = int(at.session_state["speed"] * controls.LEAD)
    assert sides[0][0].tolist() == sides[1][0].tolist() == list(range(n))
    pause(at, "cmp_", t=13)
    assert not playing(at, "cmp_") and pair(at).t == (13, 13)
    click(at, "Step ×10")
    click(at, "Reset")
    assert pair(at).t == (0, 0)
    assert any("Reset" in m for m in texts(at))


def test_values_and_progress_survive_a_page_switch(at):
    set_main(at, "selectbox", "_cmp_setting", "optimizer")
    set_main(at, "selectbox", "_cmp_b_optimizer", "momentum")
    set_main(at, "select_slider", "_cmp_scale", 2)
    set_main(at, "toggle", "_cmp_log", True)
    click(at, "Step ×10")
    at.switch_page("dashboard.py")
    run(at)
    at.switch_page(PAGE)
    run(at)
    assert at.selectbox(key="_cmp_setting").value == "optimizer"
    assert at.selectbox(key="_cmp_b_optimizer").value == "momentum"
    assert at.select_slider(key="_cmp_scale").value == 2
    assert at.toggle(key="_cmp_log").value is True
    assert pair(at).t == (10, 10) and pair(at).b.optimizer == "momentum"
    assert not any("changed" in m for m in texts(at))


def test_regression_offers_no_loss_choice_and_no_delta_chart(at):
    set_widget(at, "selectbox", "_dataset", "plane")
    assert at.selectbox(key="_cmp_setting").options == [
        "Learning rate η", "Optimizer", "Activation", "L2 regularisation λ"]
    assert at.selectbox(key="_cmp_setting").value == "lr"
    click(at, "Step")
    assert pair(at).t == (1, 1)
    assert "cmp_delta" not in charts(at)


def test_a_linear_output_is_replaced_by_softmax(at):
    set_widget(at, "radio", "_loss", "squared_error")
    set_widget(at, "selectbox", "_output", "linear")
    assert run_state(at).net.output == "linear"
    p = pair(at)
    assert p.a.net.output == p.b.net.output == "softmax"
    assert any("linear output" in c.value for c in at.caption)
    assert "cmp_delta" in charts(at)
    assert_clean(at)


def test_a_diverging_side_stops_with_a_message_and_the_other_goes_on(at):
    set_widget(at, "selectbox", "_dataset", "plane")
    set_main(at, "select_slider", "_cmp_b_lr", 10.0)
    advance(at, 100, pair(at))
    p = pair(at)
    assert p.a.t == 100 and p.b.diverged is not None and p.b.t < 100
    assert [e.value for e in at.error if e.value.startswith("B: η = 10: Training diverged")]
    assert stage(at)["info"]["stopped"][1][1] == f"diverged at step {p.b.diverged.step}"
