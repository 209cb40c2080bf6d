"""The one message queue (ffnn/app/messages.py), in a real script run (AppTest): a message said
in a callback is shown once, on the next run, in the order said, at its place only; a topic
keeps the latest message of its kind; a kind the page cannot show is refused."""

from streamlit.testing.v1 import AppTest


def script():
    import streamlit as st

    from ffnn.app import messages

    def said():
        for kind, text, place, topic in st.session_state.get("to_say", []):
            messages.say(kind, text, place, topic)

    st.button("Say", on_click=said, key="say")
    places = st.session_state.get("places", ("page",))
    with st.container(key="here"):
        messages.show(*places)


def run(to_say, places=("page",)):
    at = AppTest.from_function(script)
    at.session_state["to_say"] = to_say
    at.session_state["places"] = places
    return at.run()


def texts(at):
    out = []
    for kind in ("info", "warning", "error", "success"):
        out += [(kind, e.value) for e in getattr(at, kind)]
    return sorted(out, key=lambda m: m[1])


def test_said_in_a_callback_shown_once_on_the_next_run_in_order():
    at = run([("warning", "1 first", "page", None), ("info", "2 second", "page", None),
              ("error", "3 third", "page", None)])
    assert texts(at) == []                       # nothing said yet
    at.button(key="say").click().run()
    assert texts(at) == [("warning", "1 first"), ("info", "2 second"), ("error", "3 third")]
    # the order said: the elements in the slot, top to bottom
    alerts = ("Info", "Warning", "Error", "Success")
    in_order = [e.value for e in at.main if type(e).__name__ in alerts]
    assert in_order == ["1 first", "2 second", "3 third"]
    at.session_state["to_say"] = []
    at.run()
    assert texts(at) == [], "shown twice"


def test_a_topic_keeps_the_latest_only_and_places_are_kept_apart():
    at = run([("warning", "old problem", "page", "problem"), ("info", "a notice", "page", None),
              ("warning", "new problem", "page", "problem"),
              ("error", "the board's", "board", "problem"),
              ("info", "the main run's", "main_run", "replay")])
    at.button(key="say").click().run()
    assert texts(at) == [("info", "a notice"), ("warning", "new problem")]
    at.session_state["to_say"] = []
    at.session_state["places"] = ("board", "main_run")      # kept for the page that shows them
    at.run()
    assert texts(at) == [("error", "the board's"), ("info", "the main run's")]


def test_a_kind_the_page_cannot_show_is_refused_when_said():
    at = run([("shout", "loud", "page", None)])
    at.button(key="say").click().run()
    assert at.exception and "no message kind 'shout'" in at.exception[0].value
    assert texts(at) == []
