"""Home page of the ffnn dashboard (`streamlit run dashboard.py`): the lecture at a glance.

The control row (Step, Play, Reset, η), the decision boundary, the network drawn with θ and
∇θ layer by layer, and the loss L(θ) against t, on one screen; the other pages hold the detail.
"""

import streamlit as st

from ffnn.app import page, sidebar, status, views
from ffnn.datasets import FEATURES
from ffnn.figures import loss_curves, network_graph
from ffnn.probe import at_start, probe

# px at a 1280-wide screen, with the sidebar open (1280x800) and in presentation mode
# (1280x720, 20 px type, sidebar closed): the boundary's height and its column's width, and
# the heights of the network and the loss when no message takes room above them. The boundary
# is the largest element, at least 400 px on each side, and never moves: the lesson line, the
# numbers and the messages sit in the right column. "side": the width the network and the loss
# are drawn at as pictures while playing, before views.chart widens it for presentation mode
# (x1.3): the right column's width (398 px; 670 presented), so that a picture, scaled to its
# column, keeps the height it was given (at 400 presented, the loss was scaled to 245 px tall
# and ended 110 px below a 720 px screen).
SIZES = {False: {"boundary": 525, "width": 505, "graph": 250, "loss": 190, "side": 400},
         True: {"boundary": 530, "width": 520, "graph": 250, "loss": 190, "side": 515}}
MESSAGE_PX = {"lesson": 45, "stage": 170, "said": 130}   # a lesson line, a run-through stage,
# a message: what each takes from the network and the loss


def view(run):
    ss = st.session_state
    tr = run.trainer
    size = SIZES[bool(ss["present"])]
    left, right = st.columns([1, 1.3] if ss["present"] else [1.25, 1], gap="medium")
    with left:
        fig = views.boundary_figure(run.data, run.net, show_test=ss.get("show_test", False),
                                    discretize=ss.get("discretize", False),
                                    height=size["boundary"])
        views.chart(fig, "boundary", picture_width=size["width"],
                    projector_height=size["boundary"])
    with right:
        said = status.verdict(run)
        page.lesson_box(fold=said is not None)   # a message: the stage's sentences fold away
        status.metrics(run)
        status.alerts(run, said)
        # what the lesson line and the message take, the drawing and the loss give up
        lesson = "stage" if "stage" in ss else "lesson" if "lesson" in ss else None
        if lesson == "stage" and said:
            lesson = "lesson"                    # folded to its one line
        taken = MESSAGE_PX.get(lesson, 0) + MESSAGE_PX["said"] * bool(said)
        graph_h = max(140, size["graph"] - taken // 2)
        loss_h = max(130, size["loss"] - taken // 2)
        now = probe(tr)
        L = run.net.L
        grads = [now[f"grad_W{l}"] for l in range(1, L + 1)]
        first = at_start(tr)
        grads_0 = [first[f"grad_W{l}"] for l in range(1, L + 1)]
        labels = [FEATURES[f][0] for f in run.data.features]
        graph = views.throttled("graph_small", lambda: network_graph(
            run.net.W, run.net.b, run.net.sizes, input_labels=labels,
            activations=run.net.activation, output=run.net.output, grads=grads,
            grads_0=grads_0, height=graph_h))
        views.chart(graph, "graph_small", picture_width=size["side"], projector_height=graph_h)
        loss = views.throttled("loss_small", lambda: loss_curves(      # the history's table
            tr.history, events=tr.events, max_iterations=tr.max_iterations, now=now,
            height=loss_h))                                           # only when redrawn
        views.chart(loss, "loss_small", picture_width=size["side"], projector_height=loss_h)


INTRO = (
    r"$\theta = W_1 \dots W_L, b_1 \dots b_L$. Each update moves every weight and bias a little "
    "against its "
    "gradient; the colours show what the network predicts over the input plane (deeper colour: "
    "more confident), the dots are the data. Under each layer of the network, ‖∇Wₗ‖: how large "
    "its gradient is now (grey: at θ₀).")


def options():
    """Below the fold: how the boundary is drawn, and what the page shows."""
    with st.container(horizontal=True, gap="medium", key="home_options"):
        views.toggle("Show test data", "show_test")
        views.toggle("Discretize output", "discretize")
    if not st.session_state["present"]:
        st.caption(INTRO)


def learning_rate():
    sidebar.lr_select("Learning rate η", "_lr_row", width=140, label_visibility="collapsed",
                      help="η in θ ← θ − η∇θ: pick one, or type any positive number")


page.show("Gradient descent: θₜ₊₁ ← θₜ − η∇θₜ", None, view, row=learning_rate, after=options,
          places_status=True)
