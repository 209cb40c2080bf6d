"""The pages that answer "how to compute ∇θ": θ and ∇θ, backprop walk-through, gradient check,
neurons — driven through the real app, asserting on what they show."""

import re

import numpy as np
import pytest

from apptest import chart_specs, click, goto, run, run_state, start


@pytest.fixture(scope="module")
def at():
    a = start()
    click(a, "Step ×10")
    return a


def go(at, page):
    at.switch_page(f"pages/{page}.py")
    return run(at)


def numbers(text):
    return [float(x) for x in re.findall(r"-?\d+\.\d+(?:\\times10\^\{-?\d+\})?", text)
            if "times" not in x]


def test_theta_page_writes_the_update_with_this_steps_numbers(at):
    go(at, "4_Theta_and_gradient")
    tr = run_state(at).trainer
    at.selectbox(key="_te_layer").set_value(2)
    run(at)                                  # W_2 is 4x2: now row 3 can be picked
    at.number_input(key="_te_i").set_value(3)
    at.number_input(key="_te_j").set_value(2)
    run(at)
    eq = next(x.value for x in at.latex if r"\eta\," in x.value)
    assert "W_{2,32}^{(10)}" in eq and "W_{2,32}^{(9)}" in eq
    before = run_state(at).net.unflatten(tr.theta_before)[0][1][2, 1]
    after, grad = run_state(at).net.W[1][2, 1], tr.grad_W[1][2, 1]
    assert after == pytest.approx(before - tr.lr * grad, rel=1e-12)      # the lecture's rule
    assert f"{before:.4g}" in eq and f"{after:.4g}" in eq and f"{grad:.4g}" in eq
    layout = next(x.value for x in at.latex if r"\theta =" in x.value)
    assert r"W_{1} \in \mathbb{R}^{2\times4}" in layout and r"b_{3} \in \mathbb{R}^{2}" in layout
    heat = [t for t in chart_specs(at)[1]["data"] if t["type"] == "heatmap"]
    assert len(heat) == 2 * run_state(at).net.L                           # ∇W_l and ∇b_l


def test_backprop_page_shows_the_picked_points_numbers(at):
    go(at, "5_Backprop")
    at.number_input(key="_bp_index").set_value(7)
    run(at)
    x = run_state(at).data.X_train[6]
    first = at.latex[0].value
    assert f"{x[0]:.3g}" in first and f"{x[1]:.3g}" in first
    assert any(r"\delta_L" in x.value for x in at.latex)
    assert any(r"\nabla W_{1}" in x.value for x in at.latex)
    assert any("checked: equal" in c.value for c in at.caption)


def test_gradient_check_page_passes_on_a_correct_backprop(at):
    go(at, "6_Gradient_check")
    assert any("agree on 6 of 6" in s.value for s in at.success)
    bars = chart_specs(at)[0]["data"][0]
    assert len(bars["x"]) == 6


def test_neurons_page_draws_one_map_per_unit(at):
    goto(at, "Per hidden unit")
    sizes = run_state(at).net.sizes
    maps, signals = chart_specs(at)
    assert len(maps["data"]) == sizes[1] == 4
    at.selectbox(key="_nr_layer").set_value(2)
    run(at)
    maps, signals = chart_specs(at)
    assert len(maps["data"]) == len(signals["data"]) == sizes[2] == 2
    z = np.asarray(maps["data"][0]["z"]["bdata"] if isinstance(maps["data"][0]["z"], dict)
                   else maps["data"][0]["z"])
    assert z.size > 0
