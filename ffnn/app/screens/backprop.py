"""Backpropagation walked through for one training point: the forward pass, then the backward
pass δ_l, ∇W_l, ∇b_l, with the real numbers, layer by layer (l = 1 … L, as in the lecture)."""

import numpy as np
import streamlit as st

from ffnn.activations import ACTIVATIONS
from ffnn.app import latex
from ffnn.app.playback import playback
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
          step=1, width=200)
    return ss["bp_index"] - 1


def forward(tr_, net, features):
    st.markdown("**Forward pass**: $A_l = H_{l-1}W_l + b_l$, $H_l = g(A_l)$, "
                r"$\hat y = O(A_L)$")
    names = ", ".join(FEATURES[f][0] for f in features)
    st.latex(rf"H_0 = x = {latex.row(tr_.H[0])}\quad ({names})")
    for l in range(1, net.L + 1):              # one line each: a wide layer's row still fits
        g = (net.activation[l - 1] if l < net.L else net.output).replace("_", r"\_")
        st.latex(rf"A_{{{l}}} = H_{{{l - 1}}}W_{{{l}}} + b_{{{l}}} = {latex.row(tr_.A[l - 1])}")
        st.latex(rf"H_{{{l}}} = \mathrm{{{g}}}(A_{{{l}}}) = {latex.row(tr_.H[l])}" if l < net.L
                 else rf"\hat y = \mathrm{{{g}}}(A_{{{l}}}) = {latex.row(tr_.Y)}")
    st.latex(rf"y = {latex.row(tr_.T)}\qquad L = {latex.num(tr_.loss)}")


def backward(tr_, net):
    st.markdown("**Backward pass**, from the output back: $\\delta_l = \\partial L/"
                "\\partial A_l$, $\\nabla W_l = H_{l-1}^{\\top}\\delta_l$, "
                "$\\nabla b_l = \\delta_l$")
    L = net.L
    delta_L = LOSSES[net.loss_name].delta_tex(OUTPUTS[net.output])
    st.latex(rf"\delta_L = {delta_L} = {latex.row(tr_.delta[-1])}")
    for l in range(L, 0, -1):
        st.latex(rf"\nabla W_{{{l}}} = H_{{{l - 1}}}^{{\top}}\delta_{{{l}}} = "
                 rf"{latex.mat(tr_.dW[l - 1])}")
        st.latex(rf"\nabla b_{{{l}}} = \delta_{{{l}}} = {latex.row(tr_.db[l - 1])}")
        if l > 1:
            g = ACTIVATIONS[net.activation[l - 2]].derivative.replace("_l", f"_{{{l - 1}}}")
            st.latex(rf"\delta_{{{l - 1}}} = (\delta_{{{l}}} W_{{{l}}}^{{\top}})\odot({g}) = "
                     rf"{latex.row(tr_.delta[l - 2])}")


def view(run):
    net, data = run.net, run.data
    k = pick_point(run)
    x, y = data.X_train[k], data.y_train[k]
    if net.L > 1 and max(net.sizes) > 12:
        st.caption("Wide layers are shortened with ⋯; θ and ∇θ shows every entry.")
    tr_ = trace(net, x, y)
    forward(tr_, net, data.features)
    backward(tr_, net)
    X, Y = data.X_train, data.y_train
    if len(X) <= 400 and playback().key is None:   # N traces: not on every frame
        _, dW, _ = net.gradients(X, Y)
        per_point = [trace(net, X[j], Y[j]).dW[0] for j in range(len(X))]
        same = np.allclose(np.mean(per_point, axis=0), dW[0], rtol=1e-9, atol=1e-12)
        st.caption(f"Averaged over all {len(X)} training points, these per-point gradients give "
                   f"the ∇θ that gradient descent uses ({'checked: equal' if same else 'differs'}"
                   " for ∇W₁).")


INTRO = ("How ∇θ is computed: one forward pass keeps every $A_l$ and $H_l$, then the error "
         "signal δ flows back from the output, and each layer's gradient is its input times its "
         "δ. The numbers are this network's, at this t, for the point you pick.")
