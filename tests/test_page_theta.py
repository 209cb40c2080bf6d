"""The θ and ∇θ page for every layer, parameter and entry, at t = 0 and after updates; and θ and
∇θ as a table (the weights without a mouse). Driven through the real app."""

import numpy as np
import pytest

from ffnn.probe import probe

from apptest import advance, assert_clean, goto, run, run_state, start

PAGE = "pages/4_Theta_and_gradient.py"


def pick(at, l, kind, i, j):
    at.selectbox(key="_te_layer").set_value(l)
    at.radio(key="_te_kind").set_value(kind)
    run(at)
    if kind == "W":
        at.number_input(key="_te_i").set_value(i)
    at.number_input(key="_te_j").set_value(j)
    return run(at)


def entries(net):
    for l in range(1, net.L + 1):
        rows, cols = net.W[l - 1].shape
        for i in range(1, rows + 1):
            for j in range(1, cols + 1):
                yield l, "W", i, j
        for j in range(1, cols + 1):
            yield l, "b", 1, j


def update(at):
    eqs = [x.value for x in at.latex if r"\eta\," in x.value]
    assert eqs, [x.value for x in at.latex]
    return eqs[0]


def value(net, theta, kind, l, i, j):
    W, b = net.unflatten(theta)
    return W[l - 1][i - 1, j - 1] if kind == "W" else b[l - 1][j - 1]


@pytest.mark.parametrize("steps", [0, 3])
def test_every_entry_of_every_layer_has_its_update(steps):
    """W and b, every l, every entry: the page draws the update with that entry's numbers (the
    b of a layer once crashed at t ≥ 1: "only 0-dimensional arrays can be converted")."""
    at = goto(start(), PAGE)
    if steps:
        advance(at, steps)
    tr, net = run_state(at).trainer, run_state(at).net
    seen = 0
    for l, kind, i, j in entries(net):
        pick(at, l, kind, i, j)
        assert_clean(at)
        eq = update(at)
        name = rf"W_{{{l},{i}{j}}}" if kind == "W" else rf"b_{{{l},{j}}}"
        assert f"{name}^{{({max(steps, 1)})}}" in eq, (l, kind, i, j, eq)
        now = value(net, net.theta, kind, l, i, j)
        if steps:
            before = value(net, tr.theta_before, kind, l, i, j)
            grad = (tr.grad_W[l - 1][i - 1, j - 1] if kind == "W"
                    else tr.grad_b[l - 1][j - 1])
            assert now == pytest.approx(before - tr.lr * grad, rel=1e-12)
            assert f"{before:.4g}" in eq and f"{now:.4g}" in eq and f"{grad:.4g}" in eq
        else:
            assert f"{now:.4g}" in eq
        seen += 1
    assert seen == net.theta.size          # every entry of θ, once


def test_the_bias_update_with_another_optimizer():
    at = goto(start(), PAGE)
    at.session_state["optimizer"] = "momentum"
    run(at)
    advance(at, 2)
    assert run_state(at).trainer.optimizer == "momentum"
    for l in range(1, run_state(at).net.L + 1):
        pick(at, l, "b", 1, 1)
        assert rf"b_{{{l},1}}^{{(2)}}" in " ".join(x.value for x in at.latex)


def table_rows(at):
    tables = at.get("table")
    assert len(tables) == 1
    return tables[0].value


def test_theta_and_its_gradient_as_a_table():
    """The toggle shows the picked layer's every entry, W row by row then b, with its indices
    from 1, θ and ∇θ at t as text (what a screen reader reads)."""
    at = goto(start(), PAGE)
    advance(at, 5)
    assert not at.get("table")                               # off until asked for
    at.toggle(key="_te_table").set_value(True)
    run(at)
    net, tr = run_state(at).net, run_state(at).trainer
    for l in range(1, net.L + 1):
        at.selectbox(key="_te_layer").set_value(l)
        run(at)
        df = table_rows(at)
        rows, cols = net.W[l - 1].shape
        assert len(df) == rows * cols + cols
        assert list(df.columns) == ["entry", "row i", "column j", "θ at t = 5", "∇θ at t = 5"]
        dW, db = probe(tr)["grad"]         # the gradient at θ_t, as the ∇θ heatmaps show
        for k, (i, j) in enumerate(np.ndindex(rows, cols)):
            r = df.iloc[k]
            assert (r["row i"], r["column j"]) == (str(i + 1), str(j + 1))
            assert float(r["θ at t = 5"]) == pytest.approx(net.W[l - 1][i, j], rel=1e-3)
            assert float(r["∇θ at t = 5"]) == pytest.approx(dW[l - 1][i, j], rel=1e-3)
        sub = "₀₁₂₃₄₅₆₇₈₉"
        assert df.iloc[rows * cols + cols - 1]["entry"] == f"b{sub[l]},{sub[cols]}"
        for j in range(cols):
            r = df.iloc[rows * cols + j]
            assert float(r["θ at t = 5"]) == pytest.approx(net.b[l - 1][j], rel=1e-3)
            assert float(r["∇θ at t = 5"]) == pytest.approx(db[l - 1][j], rel=1e-3)
