"""θ and ∇θ: the network drawn with its weights and each layer's gradient, θ_t and ∇θ_t in the
lecture's notation (same pieces, same shapes), and one update θ_{t+1} = θ_t − η∇θ_t with its
numbers."""

import numpy as np
import pandas as pd
import streamlit as st

from ffnn.app import latex, page, views
from ffnn.app.sidebar import bound
from ffnn.datasets import FEATURES
from ffnn.figures import network_graph, param_heatmaps, sub
from ffnn.optimizers import OPTIMIZERS
from ffnn.probe import at_start, probe


def theta_layout(sizes, per_row=4):
    """θ = [W_1, ..., W_L, b_1, ..., b_L] with every piece's shape, as the lecture writes it:
    on one line up to L = 3 (per_row=4), else `per_row` pieces to a line."""
    L = len(sizes) - 1
    Ws = [rf"W_{{{l}}} \in \mathbb{{R}}^{{{sizes[l - 1]}\times{sizes[l]}}}" for l in
          range(1, L + 1)]
    bs = [rf"b_{{{l}}} \in \mathbb{{R}}^{{{sizes[l]}}}" for l in range(1, L + 1)]
    if L <= 3 and per_row >= 4:
        return r"\theta = \left[\," + ",\\ ".join(Ws + bs) + r"\,\right]"
    # A deeper network's pieces, four to a line: one line of 14 was 1284 px wide at 1280
    # (a LaTeX row cannot wrap; it scrolled); on a phone three to a line (theta_rows)
    lines = [",\\ ".join((Ws + bs)[i:i + per_row]) for i in range(0, 2 * L, per_row)]
    return r"\begin{aligned}\theta = \big[\,&" + r",\\ &".join(lines) + r"\,\big]\end{aligned}"


def theta_rows(sizes):
    """θ's layout, and beside it the phone's (three pieces to a line): COMPACT_CSS shows the one
    that fits the screen (a LaTeX row cannot wrap)."""
    with st.container(key="theta_wide"):
        st.latex(theta_layout(sizes))
    with st.container(key="theta_narrow"):
        st.latex(theta_layout(sizes, per_row=3))


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
    """The latest update of one entry, θ_{t-1} → θ_t, with its numbers; at t = 0 the first
    one, θ₀ → θ₁, as it is about to happen (from ∇θ₀)."""
    tr, net = run.trainer, run.net
    name = rf"W_{{{l},{i}{j}}}" if kind == "W" else rf"b_{{{l},{j}}}"
    g = rf"\frac{{\partial L(\theta)}}{{\partial {name}}}"
    eta = tr.lr
    if not tr.t:
        dW, db = probe(tr)["grad"]
        now = net.W[l - 1][i - 1, j - 1] if kind == "W" else net.b[l - 1][j - 1]
        grad = dW[l - 1][i - 1, j - 1] if kind == "W" else db[l - 1][j - 1]
        st.latex(rf"\begin{{aligned}}{name}^{{(1)}} &= {name}^{{(0)}} - \eta\,{g} \\ &= "
                 rf"{latex.num(now)} - {latex.num(eta)} \times ({latex.num(grad)}) = "
                 rf"{latex.num(now - eta * grad)}\end{{aligned}}")
        st.caption("The first update, about to happen: press Step to make it.")
        return
    before_W, before_b = net.unflatten(tr.theta_before)
    now = net.W[l - 1][i - 1, j - 1] if kind == "W" else net.b[l - 1][j - 1]
    grad = tr.grad_W[l - 1][i - 1, j - 1] if kind == "W" else tr.grad_b[l - 1][j - 1]
    before = before_W[l - 1][i - 1, j - 1] if kind == "W" else before_b[l - 1][j - 1]
    t = tr.t - 1
    if OPTIMIZERS[tr.optimizer].plain:
        st.latex(rf"\begin{{aligned}}{name}^{{({t + 1})}} &= {name}^{{({t})}} - \eta\,{g} "
                 rf"\\ &= {latex.num(before)} - {latex.num(eta)} \times ({latex.num(grad)}) = "
                 rf"{latex.num(now)}\end{{aligned}}")
    else:
        rule = OPTIMIZERS[tr.optimizer]
        st.latex(rf"{g} = {latex.num(grad)},\qquad {name}^{{({t + 1})}} - {name}^{{({t})}} = "
                 rf"{latex.num(now - before)}")
        st.latex(rule.rule)
        st.caption(f"With {rule.label}, the step is built from this gradient (g_t above, entry "
                   "by entry) and the optimizer's memory, so it is not −η∇θ exactly; choose "
                   "Gradient descent to see the lecture's rule.")


# px: presented, the network under the numbers, a message and θ's pieces, whole at 1280x720
GRAPH_PRESENTED = 225
NETWORK = ("edges are the weights (blue positive, orange negative, width |w|), node colour is "
           "the bias; under each layer ‖∇Wₗ‖ (grey: at θ₀)")


def graph(run, now):
    """The network: edges are W (colour: sign, width: size), nodes b, and ‖∇Wₗ‖ per layer."""
    net = run.net
    L = net.L
    first = at_start(run.trainer)
    labels = [FEATURES[f][0] for f in run.data.features]
    views.chart(network_graph(net.W, net.b, net.sizes, input_labels=labels,
                              activations=net.activation, output=net.output,
                              grads=[now[f"grad_W{l}"] for l in range(1, L + 1)],
                              grads_0=[first[f"grad_W{l}"] for l in range(1, L + 1)],
                              height=330), "graph", projector_height=GRAPH_PRESENTED)


def entry_name(kind, l, i, j):
    """W₂,₃₁ (layer 2, row 3, column 1) or b₂,₁: the lecture's W_{l,ij}, b_{l,j} in text."""
    return f"W{sub(l)},{sub(i)}{sub(j)}" if kind == "W" else f"b{sub(l)},{sub(j)}"


def theta_table(W, b, dW, db, l, t):
    """Layer l's entries of θ and ∇θ at t, one row each: W_l row by row, then b_l, with the
    indices as the lecture writes them (from 1). Text cells: a screen reader reads them as
    they are shown."""
    rows = []
    for (i, j), w in np.ndenumerate(W[l - 1]):
        rows.append((entry_name("W", l, i + 1, j + 1), str(i + 1), str(j + 1), f"{w:.4g}",
                     f"{dW[l - 1][i, j]:.4g}"))
    for j, v in enumerate(b[l - 1]):
        rows.append((entry_name("b", l, 1, j + 1), "", str(j + 1), f"{v:.4g}",
                     f"{db[l - 1][j]:.4g}"))
    return pd.DataFrame(rows, columns=["entry", "row i", "column j", f"θ at t = {t}",
                                       f"∇θ at t = {t}"])


def table(run, dW, db):
    """θ and ∇θ of the layer picked above as a table: the weights without a mouse (the
    heatmaps' numbers are in their hover labels only), for the keyboard and a screen reader."""
    if not views.toggle("θ and ∇θ as a table", "te_table",
                        help="Every entry of the layer picked above (Layer l): Wₗ and bₗ, "
                             "and ∇Wₗ and ∇bₗ, as text"):
        return
    net, l, t = run.net, st.session_state["te_layer"], run.trainer.t
    st.markdown(f"**Layer {l}: W{sub(l)} and b{sub(l)}, ∇W{sub(l)} and ∇b{sub(l)} at t = {t}**")
    st.table(theta_table(net.W, net.b, dW, db, l, t), hide_index=True, border="horizontal")


def view(run):
    tr, net = run.trainer, run.net
    now = probe(tr)
    theta_rows(net.sizes)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        if st.session_state.get("present"):     # one line: the network keeps the room
            st.markdown("**The network**: W on the edges, b in the nodes, ‖∇Wₗ‖ under them",
                        help=NETWORK[0].upper() + NETWORK[1:] + ".")
        else:
            st.markdown(f"**The network**: {NETWORK}")
        graph(run, now)
    with right:
        st.markdown(f"**One update, t = {max(tr.t - 1, 0)} → {max(tr.t, 1)}**, for an entry "
                    "you pick")
        update_equation(run, *entry_picker(net))
    dW, db = now["grad"]
    left, right = st.columns(2)
    with left:
        st.markdown(f"**θ at t = {tr.t}**: $W_1 \\dots W_L$, $b_1 \\dots b_L$")
        views.chart(param_heatmaps(net.W, net.b, per_row=2), "theta",
                    projector_height=None)
    with right:
        st.markdown(f"**∇θ at t = {tr.t}**: $\\nabla W_1 \\dots \\nabla W_L$, "
                    "$\\nabla b_1 \\dots \\nabla b_L$, the "
                    "same shapes (the next update's gradient)")
        views.chart(param_heatmaps(list(dW), list(db), per_row=2, names=("∇W", "∇b")),
                    "grad_theta",
                    projector_height=None)
    table(run, dW, db)


page.show(
    "θ and ∇θ",
    "The lecture's θ is every weight matrix and bias vector, and ∇θ has exactly the same pieces "
    "and shapes: $W_L \\in \\mathbb{R}^{n \\times k}$, "
    "$\\nabla W_L \\in \\mathbb{R}^{n \\times k}$. "
    "Gradient descent subtracts η∇θ from θ, entry by entry.",
    view)
