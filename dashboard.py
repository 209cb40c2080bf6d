"""Home page of the ffnn dashboard (`streamlit run dashboard.py`): the lecture at a glance.

The control row (Step, Play, Reset, η), the decision boundary, the network drawn with θ and
∇θ layer by layer, and the loss L(θ) against t, on one screen; the other pages hold the detail.
"""

import streamlit as st

from ffnn.app import controls, page, sidebar, stage, status, views
from ffnn.probe import at_start

# px at 1280x800 (sidebar open) and presented at 1280x720: the boundary never moves; a message
# takes its room from the network and the loss (docs/design.md, "Measurements behind the code").
SIZES = {False: {"boundary": 525, "numbers": 64, "graph": 250, "loss": 190},
         True: {"boundary": 530, "numbers": 70, "graph": 250, "loss": 190}}
MIN_PX = 150          # no chart smaller: a message takes its room from the network first
MESSAGE_PX = {"lesson": 45, "stage": 170, "said": 130}   # a lesson line, a run-through stage,
# a message: what each takes from the network and the loss


def view(run):
    ss = st.session_state
    tr = run.trainer
    present = bool(ss["present"])
    size = SIZES[present]
    player = controls.live_player()
    left, right = st.columns([1, 1.3] if present else [1.25, 1], gap="medium")
    with left:
        show_test, discretize = ss.get("show_test", False), ss.get("discretize", False)
        first = at_start(tr)
        info = stage.side_info(run, [first[f"grad_W{l}"] for l in range(1, run.net.L + 1)])
        player.feed("plane", lambda msg: stage.plane_static(
            msg, run.data, [run.net], show_test=show_test, discretize=discretize),
            stage.plane_rev(run.data, [run.net], show_test, discretize), info,
            {"height": size["boundary"], "present": present}, curves=[tr])
    with right:
        said = status.verdict(run)
        page.lesson_box(fold=said is not None)   # a message: the stage's sentences fold away
        status.alerts(run, said)
        # what the lesson line and the message take, the drawing and the loss give up
        lesson = "stage" if "stage" in ss else "lesson" if "lesson" in ss else None
        if lesson == "stage" and said:
            lesson = "lesson"                    # folded to its one line
        taken = MESSAGE_PX.get(lesson, 0) + MESSAGE_PX["said"] * bool(said)
        graph_h = max(MIN_PX, size["graph"] - taken)
        loss_h = max(MIN_PX, size["loss"] - max(taken - (size["graph"] - graph_h), 0))
        stage.mount(player.name, "side", "stage_side",
                    head={"cfg": {"graph": graph_h, "loss": loss_h, "present": present}},
                    height=size["numbers"] + graph_h + loss_h)   # fixed: nothing jumps


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
          places_status=True, browser_draws=True)
