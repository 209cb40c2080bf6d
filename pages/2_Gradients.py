"""Gradients: ‖∇W_l‖ and ‖∇b_l‖ per layer, the update-to-weight ratio, and the current ∇W_l."""

import streamlit as st

from ffnn.app import page, views
from ffnn.figures import gradient_norms, matrix_heatmaps, shape_label, update_ratio


def view(run):
    tr, net = run.trainer, run.net
    st.markdown("**Gradient magnitude per layer, ‖∇W_l‖ (solid) and ‖∇b_l‖ (dotted)**")
    views.chart(gradient_norms(tr.history, net.L, max_iterations=tr.max_iterations),
                "grad_norms")
    st.markdown("**Update-to-weight ratio η‖∇W_l‖ / ‖W_l‖**")
    views.chart(update_ratio(tr.history, net.L, max_iterations=tr.max_iterations), "ratio")
    st.markdown("**∇W_l of the latest update**" if tr.t else
                "**∇W_l** (appears after the first update)")
    if tr.t:
        titles = [f"∇{shape_label(net.sizes, l)}" for l in range(1, net.L + 1)]
        views.chart(matrix_heatmaps([g.copy() for g in tr.grad_W], titles), "grad_heatmaps")


page.show(
    "Gradients",
    "∇θ has the same pieces and shapes as θ: ∇W₁ … ∇W_L, ∇b₁ … ∇b_L. Backpropagation computes "
    "them layer by layer from the output back; their sizes show which layers learn fast.",
    view)
