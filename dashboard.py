"""Home page of the ffnn dashboard (`streamlit run dashboard.py`): the decision boundary.

The other views are in pages/; every page draws the same sidebar and training controls.
"""

import streamlit as st

from ffnn.app import page, views
from ffnn.figures import loss_curves


def view(run):
    left, right = st.columns([3, 2])
    with left:
        views.chart(views.boundary_figure(run.data, run.net,
                                          show_test=st.session_state["show_test"],
                                          discretize=st.session_state["discretize"]),
                    "boundary", picture_width=475)
    with right:
        views.chart(views.throttled("loss_small", lambda: loss_curves(
            run.trainer.history, events=run.trainer.events,
            max_iterations=run.trainer.max_iterations)), "loss_small", picture_width=320)


def options():
    c1, c2, _ = st.columns([1, 1, 3])
    with c1:
        views.toggle("Show test data", "show_test")
    with c2:
        views.toggle("Discretize output", "discretize")


page.show(
    "Decision boundary",
    "θₜ₊₁ ← θₜ − η∇θₜ, with θ = W₁ … W_L, b₁ … b_L. Each update moves every weight and "
    "bias a little against its gradient; the colours show what the network predicts over the "
    "input plane (deeper colour: more confident), the dots are the data.",
    view, before=options)
