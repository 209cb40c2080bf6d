"""Per-neuron views: what each hidden unit computes over the input plane, and where it gets
its learning signal δ."""

import numpy as np
import streamlit as st

from ffnn.app import page, views
from ffnn.app.sidebar import bound
from ffnn.figures.neurons import unit_activations, unit_signals
from ffnn.grid import grid_axes, grid_inputs

RESOLUTION = 40


def view(run):
    net, data = run.net, run.data
    if net.L == 1:
        st.info("This network has no hidden layer: add one in the sidebar (Hidden layers).")
        return
    ss = st.session_state
    ss.setdefault("nr_layer", 1)
    ss["nr_layer"] = min(ss["nr_layer"], net.L - 1)
    bound(st.selectbox, "Hidden layer", "nr_layer", options=list(range(1, net.L)))
    l = ss["nr_layer"]
    xs, ys = grid_axes(views.EXTENT, RESOLUTION)
    Hs, _, _ = net.forward_cache(net.check_inputs(grid_inputs(data.features, views.EXTENT,
                                                              RESOLUTION)))
    maps = Hs[l].T.reshape(-1, RESOLUTION, RESOLUTION)
    st.markdown(f"**Activation H_{l},j over the input plane**, unit by unit "
                f"({net.activation[l - 1]})")
    views.chart(unit_activations(xs, ys, maps, l, activation=net.activation[l - 1],
                                 extent=views.EXTENT), "unit_maps")
    X, T = run.trainer.X, run.trainer.T
    Hs, As, Y = net.forward_cache(X)
    dW, db = net.unflatten(np.empty_like(net.theta))
    deltas = net.backward(Hs, As, Y, T, dW, db)[::-1]      # delta_1 .. delta_L
    st.markdown(f"**Learning signal δ_{l},j = ∂L/∂A_{l},j at each training point** (× N: "
                "per example; bigger dots, bigger push on that unit's weights)")
    views.chart(unit_signals(data.points_train, deltas[l - 1] * len(X), l,
                             extent=views.EXTENT), "unit_signals")


page.show(
    "Neurons",
    "Each hidden unit draws one simple boundary of its own; the next layer combines them. The "
    "second picture shows where backprop sends each unit its error signal δ: units that get "
    "no signal anywhere (a dead ReLU, a saturated sigmoid) stop learning.",
    view)
