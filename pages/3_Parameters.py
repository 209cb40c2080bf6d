"""Parameters θ: the network as a graph (edge colour: sign, width: size) and W_l, b_l."""

import streamlit as st

from ffnn.app import page, views
from ffnn.datasets import FEATURES
from ffnn.figures import network_graph, param_heatmaps


def view(run):
    net = run.net
    st.markdown("**The network: edges are weights (blue positive, orange negative, width |w|), "
                "node colour is the bias**")
    labels = [FEATURES[f][0] for f in run.data.features]
    views.chart(network_graph(net.W, net.b, net.sizes, input_labels=labels,
                              activations=net.activation, output=net.output), "graph")
    st.markdown("**W_l and b_l**")
    views.chart(param_heatmaps(net.W, net.b), "params")


page.show(
    "Parameters θ",
    "θ = W₁ … W_L, b₁ … b_L, with W_l of shape (units in layer l−1) × (units in layer l): the "
    "lecture's W_L ∈ ℝⁿˣᵏ. Watch them move as gradient descent runs.",
    view)
