"""Gradients per layer: ‖∇Wₗ‖ at θ₀ and now as bars on a log axis, ‖∇Wₗ‖ and ‖∇bₗ‖ over t, the
update-to-weight ratio, and ∇Wₗ itself at the current θ."""

import streamlit as st

from ffnn.app import views
from ffnn.figures import gradient_bars, gradient_norms, matrix_heatmaps, shape_label, update_ratio
from ffnn.probe import at_start, probe


def view(run):
    tr, net = run.trainer, run.net
    now, h = probe(tr), tr.history
    start = at_start(tr)
    st.markdown(f"**‖∇Wₗ‖ per layer, at θ₀ and at t = {tr.t}** (log scale: a bar two decades "
                "lower is 100 times weaker)")
    views.chart(views.throttled("grad_bars", lambda: gradient_bars(now, start, net.L, tr.t)),
                "grad_bars")
    st.markdown("**Over t: ‖∇Wₗ‖ (solid) and ‖∇bₗ‖ (dotted)**")
    views.chart(gradient_norms(h, net.L, max_iterations=tr.max_iterations, now=now),
                "grad_norms")
    st.markdown("**Update-to-weight ratio η‖∇Wₗ‖ / ‖Wₗ‖**")
    views.chart(update_ratio(h, net.L, max_iterations=tr.max_iterations, now=now,
                             lr_now=tr.lr), "ratio")
    st.markdown(f"**∇Wₗ at t = {tr.t}** (the next update's gradient)")
    dW, _ = now["grad"]
    titles = [f"∇{shape_label(net.sizes, l)}" for l in range(1, net.L + 1)]
    views.chart(matrix_heatmaps(list(dW), titles), "grad_heatmaps", projector_height=None)


INTRO = ("∇θ has the same pieces and shapes as θ: $\\nabla W_1 \\dots \\nabla W_L$, "
         "$\\nabla b_1 \\dots \\nabla b_L$. "
         "Backpropagation computes them layer by layer from the output back; their sizes show "
         "which layers learn fast.")
