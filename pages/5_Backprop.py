"""Backpropagation walked through for one training point: the forward pass, then the backward
pass δ_i, ∇W_i, ∇b_i, with the real numbers, layer by layer."""

import numpy as np
import streamlit as st

from ffnn.activations import ACTIVATIONS
from ffnn.app import latex, page
from ffnn.app.sidebar import bound
from ffnn.backprop import trace
from ffnn.datasets import FEATURES
from ffnn.losses import LOSSES, OUTPUTS


def pick_point(run):
    n = len(run.data.X_train)
    ss = st.session_state
    ss.setdefault("bp_index", 1)
    ss["bp_index"] = min(ss["bp_index"], n)
    bound(st.number_input, f"Training point (1–{n})", "bp_index", min_value=1, max_value=n,
          step=1)
    return ss["bp_index"] - 1


def forward(tr_, net, features):
    st.markdown("**Forward pass**: $A_i = H_{i-1}W_i + b_i$, $H_i = g(A_i)$, "
                r"$\hat y = O(A_L)$")
    names = ", ".join(FEATURES[f][0] for f in features)
    st.latex(rf"H_0 = x = {latex.row(tr_.H[0])}\quad ({names})")
    for i in range(1, net.L + 1):
        g = (net.activation[i - 1] if i < net.L else net.output).replace("_", r"\_")
        line = rf"A_{{{i}}} = H_{{{i - 1}}}W_{{{i}}} + b_{{{i}}} = {latex.row(tr_.A[i - 1])}"
        out = (rf"H_{{{i}}} = \mathrm{{{g}}}(A_{{{i}}}) = {latex.row(tr_.H[i])}" if i < net.L
               else rf"\hat y = \mathrm{{{g}}}(A_{{{i}}}) = {latex.row(tr_.Y)}")
        st.latex(line + r"\qquad " + out)
    st.latex(rf"y = {latex.row(tr_.T)}\qquad \mathcal{{L}} = {latex.num(tr_.loss)}")


def backward(tr_, net):
    st.markdown("**Backward pass**, from the output back: $\\delta_i = \\partial\\mathcal{L}/"
                "\\partial A_i$, $\\nabla W_i = H_{i-1}^{\\top}\\delta_i$, "
                "$\\nabla b_i = \\delta_i$")
    L = net.L
    delta_L = LOSSES[net.loss_name].delta_tex(OUTPUTS[net.output])
    st.latex(rf"\delta_L = {delta_L} = {latex.row(tr_.delta[-1])}")
    for i in range(L, 0, -1):
        st.latex(rf"\nabla W_{{{i}}} = H_{{{i - 1}}}^{{\top}}\delta_{{{i}}} = "
                 rf"{latex.mat(tr_.dW[i - 1])}\qquad \nabla b_{{{i}}} = \delta_{{{i}}} = "
                 rf"{latex.row(tr_.db[i - 1])}")
        if i > 1:
            g = ACTIVATIONS[net.activation[i - 2]].derivative.replace("_i", f"_{{{i - 1}}}")
            st.latex(rf"\delta_{{{i - 1}}} = (\delta_{{{i}}} W_{{{i}}}^{{\top}})\odot({g}) = "
                     rf"{latex.row(tr_.delta[i - 2])}")


def view(run):
    net, data = run.net, run.data
    k = pick_point(run)
    x, y = data.X_train[k], data.y_train[k]
    if net.L > 1 and max(net.sizes) > 12:
        st.caption("Wide layers are shortened with ⋯; the Parameters page shows every entry.")
    tr_ = trace(net, x, y)
    forward(tr_, net, data.features)
    backward(tr_, net)
    X, Y = data.X_train, data.y_train
    if len(X) <= 400 and not st.session_state["playing"]:   # N traces: not on every frame
        _, dW, _ = net.gradients(X, Y)
        per_point = [trace(net, X[j], Y[j]).dW[0] for j in range(len(X))]
        same = np.allclose(np.mean(per_point, axis=0), dW[0], rtol=1e-9, atol=1e-12)
        st.caption(f"Averaged over all {len(X)} training points, these per-point gradients give "
                   f"the ∇θ that gradient descent uses ({'checked: equal' if same else 'differs'}"
                   " for ∇W₁).")


page.show(
    "Backpropagation, step by step",
    "How ∇θ is computed: one forward pass keeps every A_i and H_i, then the error signal δ flows "
    "back from the output, and each layer's gradient is its input times its δ. The numbers are "
    "this network's, at this t, for the point you pick.",
    view)
