"""Loss curves: L(θ_t) on the training and test data, and accuracy, against the iteration t."""

import streamlit as st

from ffnn.app import views
from ffnn.figures import accuracy_curves, loss_curves
from ffnn.probe import probe


def view(run):
    tr = run.trainer
    now = probe(tr)
    st.markdown("**Loss L(θ) against iteration t**")
    views.chart(loss_curves(tr.history, log_y=st.session_state.get("log_loss", False),
                            events=tr.events, max_iterations=tr.max_iterations, now=now), "loss")
    st.markdown("**Accuracy**")
    views.chart(accuracy_curves(tr.history, events=tr.events, max_iterations=tr.max_iterations,
                                now=now), "accuracy")


INTRO = ("Gradient descent lowers L(θ) on the training data; the test curve shows whether that "
         "carries over to unseen points. Dotted lines mark a setting changed mid-run.")


def options():
    views.toggle("Log scale", "log_loss")
