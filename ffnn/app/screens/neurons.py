"""Per-neuron views: what each hidden unit computes over the input plane, and where it gets
its learning signal δ."""

import streamlit as st

from ffnn.activations import ACTIVATIONS
from ffnn.app import views
from ffnn.app.sidebar import bound
from ffnn.backprop import deltas, hidden_activations
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
    plane = grid_inputs(data.features, views.EXTENT, RESOLUTION)
    maps = hidden_activations(net, plane, l).T.reshape(-1, RESOLUTION, RESOLUTION)
    g = ACTIVATIONS[net.activation[l - 1]]
    st.markdown(f"**Activation $H_{{{l},j}}$ over the input plane**, unit by unit ({g.label})")
    views.chart(unit_activations(xs, ys, maps, l, value_range=g.range, extent=views.EXTENT),
                "unit_maps")
    delta = deltas(net, data.X_train, data.y_train)[l - 1]     # delta_l (N, n_l), a mean's 1/N
    st.markdown(f"**Learning signal $\\delta_{{{l},j}} = \\partial L / \\partial A_{{{l},j}}$ "
                "at each training point** (× N: "
                "per example; bigger dots, bigger push on that unit's weights)")
    views.chart(unit_signals(data.points_train, delta * len(delta), l,
                             extent=views.EXTENT), "unit_signals")


INTRO = ("Each hidden unit draws one simple boundary of its own; the next layer combines them. "
         "The second picture shows where backprop sends each unit its error signal δ: units "
         "that get no signal anywhere (a dead ReLU, a saturated sigmoid) stop learning.")
