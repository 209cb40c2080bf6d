"""The pages, in the lecture's order, grouped by the two questions it ends on: the one registry
of what the navigation shows.

Streamlit's own list of the pages/ folder names the home page after its file ("dashboard") and
folds pages behind "View more"; it is switched off (client.showSidebarNavigation in
.streamlit/config.toml) and these links are drawn instead, every page reachable at once. The
pages/ folder (multipage "v1") stays: with st.navigation beside it Streamlit 1.67 lost the first
click in a real browser (see docs/design.md).
"""

from pathlib import Path

import streamlit as st

# On a phone: a page link closes the sidebar; a formula too wide is set smaller (phone.js)
PHONE = st.components.v2.component(
    "ffnn_phone", js=(Path(__file__).with_name("phone.js")).read_text())
HOME = "dashboard.py"

# (section, [(file, label)]): every page of the app, once.
SECTIONS = [
    ("Gradient descent", [
        (HOME, "Gradient descent"),
        ("pages/1_Training_curves.py", "Training curves"),
        ("pages/9_Error_surface.py", "Error surface of one neuron"),
    ]),
    ("How to compute ∇θ", [
        ("pages/4_Theta_and_gradient.py", "θ and ∇θ"),
        ("pages/5_Backprop.py", "Backpropagation"),
        ("pages/6_Gradient_check.py", "Gradient check"),
    ]),
    ("How to choose the loss", [
        ("pages/8_Compare_losses.py", "Compare losses"),
    ]),
    ("In class", [
        ("pages/12_Lessons.py", "Lessons"),
        ("pages/14_Class_board.py", "Class board"),
        ("pages/13_Share_and_export.py", "Share and export"),
    ]),
]


def pages():
    """[(file, label)] of every page, in order."""
    return [page for _, group in SECTIONS for page in group]


def links():
    """The sections and their page links (the sidebar's top)."""
    for section, group in SECTIONS:
        st.caption(section)
        for path, label in group:
            st.page_link(path, label=label)
    PHONE(key="phone", height=0)
