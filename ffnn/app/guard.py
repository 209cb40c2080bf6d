"""One place where an unexpected error becomes a message on the page, never a traceback."""

import logging

import streamlit as st

log = logging.getLogger("ffnn.app")
FAILED = "Something went wrong here"


def guarded(fn, *args):
    """Run fn; an unexpected error becomes a message (the traceback goes to the server log)."""
    try:
        return fn(*args)
    except Exception as err:       # Streamlit's rerun/stop signals are BaseExceptions: not caught
        log.exception("unexpected error in %s", getattr(fn, "__name__", fn))
        st.error(f"{FAILED}: {err}. The trained state is kept; try another setting, or Reset.")
        return None
