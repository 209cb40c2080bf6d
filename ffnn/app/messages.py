"""The one queue of what the app tells a person: a callback, a check or a replay says it
(`say`), and the page shows each message once on its next run (`show`), in the order said.

A message's place is where it is shown:
- "page": the messages slot at the top of whatever page is drawn next (page.messages);
- "main_run": the same, on a page that shows the main run only (a page that trains a run of
  its own keeps it for the next one that does);
- a page's own place ("board", "upload"): where that page answers the control it belongs to.
A message with a topic replaces a queued one of the same topic and place: one problem, the
latest, is said once.
"""

import streamlit as st

KEY = "queued_messages"      # [(kind, text, place, topic)]
SHOW = {"info": st.info, "warning": st.warning, "error": st.error, "success": st.success}


def say(kind, text, place="page", topic=None):
    """Queue `text`, shown as `kind` (a key of SHOW) at `place`."""
    if kind not in SHOW:
        raise ValueError(f"no message kind {kind!r}: {sorted(SHOW)}")
    queue = st.session_state.setdefault(KEY, [])
    if topic is not None:
        queue[:] = [m for m in queue if (m[2], m[3]) != (place, topic)]
    queue.append((kind, text, place, topic))


def take(*places):
    """[(kind, text)] queued for `places`, in the order said; they leave the queue."""
    queue = st.session_state.get(KEY, [])
    st.session_state[KEY] = [m for m in queue if m[2] not in places]
    return [(kind, text) for kind, text, place, _ in queue if place in places]


def show(*places):
    """Draw what is queued for `places`, once."""
    for kind, text in take(*places):
        SHOW[kind](text)
