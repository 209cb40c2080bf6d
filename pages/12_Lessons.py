"""Lessons: one click loads the settings, the seed and an explanation of what to watch."""

import streamlit as st

from ffnn.app import page, state
from ffnn.app.guard import guarded
from ffnn.app.lessons import LESSONS


def card(key, lesson):
    with st.container(border=True):
        st.markdown(f"**{lesson.title}**")
        st.write(lesson.text)
        if st.button("Load this lesson", key=f"lesson_{key}", type="primary"):
            guarded(state.load_lesson, key)
            st.switch_page(lesson.page)


page.frame(
    "Lessons",
    "Each lesson loads a whole configuration with its seed, so everyone in the room sees the "
    "same run; then press Play and read what to watch for.")
cols = st.columns(2)
for i, (key, lesson) in enumerate(LESSONS.items()):
    with cols[i % 2]:
        card(key, lesson)
