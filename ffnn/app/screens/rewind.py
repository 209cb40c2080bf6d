"""Rewind: θ as it was at an earlier iteration, from the snapshots of θₜ the trainer keeps.

What is drawn comes from a temporary copy of the network holding the snapshot; the live run, its
θ and its t, are never touched.
"""

import numpy as np
import streamlit as st

from ffnn.app import views
from ffnn.datasets import FEATURES
from ffnn.figures import loss_curves, network_graph, param_heatmaps
from ffnn.probe import probe
from ffnn.targets import accuracy


def _picked(steps):
    """The kept step to show: the one chosen (nearest still kept), or the latest."""
    want = st.session_state.get("rw_step")
    if want is None:
        return int(steps[-1])
    return int(steps[np.abs(steps - want).argmin()])


def _chosen(latest):
    """Keep the choice; the right end means 'the latest', and follows training."""
    s = st.session_state["_rw_step"]
    st.session_state["rw_step"] = None if s >= latest else s


def pick_step(steps):
    """The 'Iteration' slider over the kept steps; -> the chosen step."""
    ss = st.session_state
    if len(steps) < 2:
        st.info("Only θ₀ is kept so far: train for a few steps on another page, then come back "
                "to rewind.")
        return int(steps[0])
    ss["_rw_step"] = _picked(steps)
    return st.select_slider("Iteration", options=[int(s) for s in steps], key="_rw_step",
                            on_change=_chosen, args=(int(steps[-1]),),
                            format_func=lambda s: f"t = {s}",
                            help="Every kept snapshot of θ. The right end follows the latest.")


def at_step(run, theta):
    """A temporary copy of the network holding `theta` (the live one is not touched)."""
    net = run.net.copy()
    net.theta[...] = theta
    return net


def metrics(run, net, s):
    data, cols = run.data, st.columns(5)
    cols[0].metric("Showing θ at t", f"{s} / {run.trainer.t}")
    sets = [("Train", data.X_train, data.y_train), ("Test", data.X_test, data.y_test)]
    for i, (name, X, y) in enumerate(sets):
        if len(X):
            cols[1 + i].metric(f"L(θ) {name.lower()} at t", f"{net.loss(X, y):.4f}")
            if data.task == "classification":
                acc = accuracy(net.forward(X), np.asarray(y))
                cols[3 + i].metric(f"Accuracy {name.lower()} at t", f"{acc:.1%}")


def boundary(run, net):
    return views.boundary_figure(run.data, net,
                                 show_test=st.session_state.get("show_test", False),
                                 discretize=st.session_state.get("discretize", False),
                                 height=460)


def kept_note(steps, t):
    gaps = np.diff(steps)
    thinned = (f"; older ones are thinned to one every {int(gaps.max())} steps so that memory "
               "stays bounded however long training runs" if len(gaps) and gaps.max() > 1 else "")
    return (f"{len(steps)} snapshots of θ kept, from t = 0 to t = {t} (θ₀ and the latest "
            f"always){thinned}.")


def view(run):
    tr = run.trainer
    steps, thetas = tr.snapshots()
    s = pick_step(steps)
    if len(steps) > 1:
        st.caption(kept_note(steps, tr.t))
    net = at_step(run, thetas[int(np.flatnonzero(steps == s)[0])])
    metrics(run, net, s)
    left, right = st.columns([3, 2])
    with left:
        views.chart(boundary(run, net), "rw_boundary")
    with right:
        labels = [FEATURES[f][0] for f in run.data.features]
        views.chart(network_graph(net.W, net.b, net.sizes, input_labels=labels,
                                  activations=net.activation, height=300), "rw_graph")
        events = [*tr.events, (s, f"θ at t = {s}")]
        views.chart(loss_curves(tr.history, events=events, max_iterations=tr.max_iterations,
                                now=probe(tr), height=220), "rw_loss")
    st.markdown(f"**Wₗ and bₗ at t = {s}**")
    views.chart(param_heatmaps(net.W, net.b), "rw_params", projector_height=None)


INTRO = ("Go back to any kept iteration t and see θ as it was then: what the network "
         "predicted, its weights and biases, and its loss. The run itself is not touched: "
         "training goes on from the latest θ.")
