"""Lessons: one click loads the settings, the seed and an explanation of what to watch; or the
whole lecture as a run-through, stage by stage, for a presentation clicker."""

import streamlit as st

from ffnn.app import lecture, page, state
from ffnn.app.controls import help_keys
from ffnn.app.guard import guarded
from ffnn.app.lessons import LECTURE, LESSONS


def card(key, lesson):
    with st.container(border=True):
        st.markdown(f"**{lesson.title}**")
        st.write(lesson.text)
        if st.button("Load this lesson", key=f"lesson_{key}", type="primary"):
            guarded(state.load_lesson, key)
            st.switch_page(lesson.page)


def run_through():
    with st.container(border=True, key="run_through"):
        st.markdown(f"**The lecture as a run-through: {len(LECTURE)} stages**, from θ and its "
                    "update rule to where gradient descent fails. Each stage loads its lesson; "
                    "PageDown (a presentation clicker's forward key) plays its run to the point "
                    "it makes, then moves on; PageUp goes back. Your own run is kept: Leave "
                    "brings it back.")
        st.markdown("  \n".join(f"{i}. {LESSONS[k].title}" for i, k in enumerate(LECTURE, 1)))
        st.button("Start the run-through", on_click=lecture.start, args=(1,), type="primary",
                  key="start_lecture")
        st.caption(help_keys())


page.frame(
    "Lessons",
    "Each lesson loads a whole configuration with its seed, so everyone in the room sees the "
    "same run; then press Play and read what to watch for.")
run_through()
cols = st.columns(2)
for i, (key, lesson) in enumerate(LESSONS.items()):
    with cols[i % 2]:
        card(key, lesson)
