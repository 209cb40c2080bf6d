"""θ and ∇θ in the lecture's notation, and one update θ_{t+1} = θ_t − η∇θ_t with its numbers."""

import streamlit as st

from ffnn.app import latex, page, views
from ffnn.app.sidebar import bound
from ffnn.figures import param_heatmaps, sub
from ffnn.optimizers import OPTIMIZERS


def theta_layout(sizes):
    """θ = [W_1, ..., W_L, b_1, ..., b_L] with every piece's shape, as the lecture writes it."""
    L = len(sizes) - 1
    Ws = [rf"W_{{{l}}} \in \mathbb{{R}}^{{{sizes[l - 1]}\times{sizes[l]}}}" for l in
          range(1, L + 1)]
    bs = [rf"b_{{{l}}} \in \mathbb{{R}}^{{{sizes[l]}}}" for l in range(1, L + 1)]
    return r"\theta = \left[\," + ",\\ ".join(Ws + bs) + r"\,\right]"


def entry_picker(net):
    ss = st.session_state
    for key, default in (("te_layer", 1), ("te_kind", "W"), ("te_i", 1), ("te_j", 1)):
        ss.setdefault(key, default)
    ss["te_layer"] = min(ss["te_layer"], net.L)
    c = st.columns(4)
    with c[0]:
        bound(st.selectbox, "Layer l", "te_layer", options=list(range(1, net.L + 1)))
    with c[1]:
        bound(st.radio, "Parameter", "te_kind", options=["W", "b"], horizontal=True)
    l, kind = ss["te_layer"], ss["te_kind"]
    rows, cols = net.W[l - 1].shape
    ss["te_i"], ss["te_j"] = min(ss["te_i"], rows), min(ss["te_j"], cols)
    if kind == "W":
        with c[2]:
            bound(st.number_input, "Row i", "te_i", min_value=1, max_value=rows, step=1)
    with c[3]:
        bound(st.number_input, "Column j", "te_j", min_value=1, max_value=cols, step=1)
    return l, kind, ss["te_i"], ss["te_j"]


def update_equation(run, l, kind, i, j):
    tr, net = run.trainer, run.net
    name = rf"W_{{{l},{i}{j}}}" if kind == "W" else rf"b_{{{l},{j}}}"
    now = net.W[l - 1][i - 1, j - 1] if kind == "W" else net.b[l - 1][j - 1]
    if not tr.t:
        st.latex(rf"{name}^{{(0)}} = {latex.num(now)}")
        st.caption("Take a step to see an update written out.")
        return
    before_W, before_b = net.unflatten(tr.theta_before)
    grad = tr.grad_W[l - 1][i - 1, j - 1] if kind == "W" else tr.grad_b[l - 1][j - 1]
    before = before_W[l - 1][i - 1, j - 1] if kind == "W" else before_b[j - 1]
    t, eta = tr.t - 1, tr.lr
    g = rf"\frac{{\partial \mathcal{{L}}(\theta)}}{{\partial {name}}}"
    if tr.optimizer == "gd":
        st.latex(rf"{name}^{{({t + 1})}} = {name}^{{({t})}} - \eta\,{g} = {latex.num(before)} - "
                 rf"{latex.num(eta)} \times ({latex.num(grad)}) = {latex.num(now)}")
    else:
        rule = OPTIMIZERS[tr.optimizer]
        st.latex(rf"{g} = {latex.num(grad)},\qquad {name}^{{({t + 1})}} - {name}^{{({t})}} = "
                 rf"{latex.num(now - before)}")
        st.latex(rule.rule)
        st.caption(f"With {rule.label}, the step is built from this gradient (g_t above, entry "
                   "by entry) and the optimizer's memory, so it is not −η∇θ exactly; choose "
                   "Gradient descent to see the lecture's rule.")


def view(run):
    tr, net = run.trainer, run.net
    st.latex(theta_layout(net.sizes))
    st.markdown(f"**One update, t = {max(tr.t - 1, 0)} → {tr.t}**, for an entry you pick")
    update_equation(run, *entry_picker(net))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**θ at t = {tr.t}**: W{sub(1)} … W_L, b{sub(1)} … b_L")
        views.chart(param_heatmaps(net.W, net.b, per_row=2), "theta")
    with right:
        st.markdown("**∇θ of the latest update**: ∇W₁ … ∇W_L, ∇b₁ … ∇b_L, same shapes")
        if tr.t:
            views.chart(param_heatmaps([g.copy() for g in tr.grad_W],
                                       [g.copy() for g in tr.grad_b], per_row=2,
                                       names=("∇W", "∇b")), "grad_theta")
        else:
            st.caption("∇θ appears after the first update.")


page.show(
    "θ and ∇θ",
    "The lecture's θ is every weight matrix and bias vector, and ∇θ has exactly the same pieces "
    "and shapes: W_L ∈ ℝⁿˣᵏ, ∇W_L ∈ ℝⁿˣᵏ. Gradient descent subtracts η∇θ from θ, entry by "
    "entry.",
    view)
