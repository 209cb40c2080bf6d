"""How often a playing session redraws (ffnn.app.pace), and what it draws while playing.

The interval ladder is worked by hand from pace's rule: the first of LEVELS at or above
n / REQUESTS_PER_SECOND, never below FRAME. The app tests check the live view's form: the
decision boundary and the loss as pictures (SVG) while playing, Plotly charts when paused, and
Plotly charts while playing wherever a picture cannot show the figure (a regression surface).
"""

import base64
import xml.etree.ElementTree as ET

import pytest

from ffnn.app import controls, pace

from apptest import click, run, set_widget, start


@pytest.fixture(autouse=True)
def empty_pace():
    """Every test starts and ends with nobody playing in this process."""
    pace._last_frame.clear()
    yield
    pace._last_frame.clear()


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(("n", "expected"), [
    (0, 0.05), (1, 0.05),          # 1/60 = 0.017 -> FRAME
    (3, 0.05),                     # 3/60 = 0.05 exactly
    (4, 0.075),                    # 4/60 = 0.067
    (6, 0.1),                      # 0.1 exactly
    (7, 0.15),                     # 0.117
    (12, 0.2),                     # 0.2 exactly
    (13, 0.3),                     # 0.217
    (20, 0.4),                     # 0.333: 20 students at 2.5 frames/s each
    (30, 0.5),                     # 0.5 exactly: 2 frames/s each
    (31, 0.6),                     # 0.517
    (60, 1.0), (500, 1.0),         # the top of the ladder
])
def test_interval_ladder(n, expected):
    assert pace.interval(n) == pytest.approx(expected)


def test_twenty_sessions_ask_at_most_the_budget():
    n = 20
    assert n / pace.interval(n) <= pace.REQUESTS_PER_SECOND
    assert 1 / pace.interval(n) >= 2                       # the 2 redraws/s each


def test_playing_counts_recent_frames_and_forgets_old_ones():
    pace.note_frame("a", now=100.0)
    pace.note_frame("b", now=101.0)
    assert pace.playing(now=102.0) == 2
    assert pace.playing(now=102.0, also="c") == 3          # about to start: counted once
    assert pace.playing(now=102.0, also="a") == 2          # already counted
    assert pace.playing(now=100.0 + pace.RECENT + 0.5) == 1   # a is stale now, b is not
    assert "a" not in pace._last_frame
    pace.forget("b")
    assert pace.playing(now=102.0) == 0


def test_new_pace_slows_at_once_and_speeds_up_only_when_clearly_fewer_play():
    for i in range(20):
        pace.note_frame(f"s{i}")
    assert controls._new_pace(0.05) == pytest.approx(0.4)   # 20 playing: slow down now
    assert controls._new_pace(0.4) is None                  # already right
    pace.forget("s0")                                        # 19: 19*1.25 = 23.75 -> 0.4
    assert controls._new_pace(0.4) is None                  # not clearly fewer: keep
    for i in range(1, 10):
        pace.forget(f"s{i}")                                 # 10: 12.5/60 = 0.21 -> 0.3
    assert controls._new_pace(0.4) == pytest.approx(0.3)


# ---------------------------------------------------------------- the app


def _pictures(at):
    """The SVG documents of the page's pictures (st.image of an SVG), in page order."""
    out = []
    for image in at.get("image"):
        url = image.proto.imgs[0].url
        assert url.startswith("data:image/svg+xml;base64,"), url[:40]
        out.append(base64.b64decode(url.split(",", 1)[1]).decode())
    return out


def test_play_sets_the_interval_from_the_sessions_playing():
    at = start()
    click(at, "Play")
    assert at.session_state["_frame_every"] == pytest.approx(0.05)    # alone
    click(at, "Pause")
    for i in range(19):                                               # 19 others playing
        pace.note_frame(f"other{i}")
    click(at, "Play")
    assert at.session_state["_frame_every"] == pytest.approx(0.4)     # 20 in all
    assert at.session_state["_pace_token"] in pace._last_frame         # counted as playing
    click(at, "Pause")
    assert at.session_state["_pace_token"] not in pace._last_frame    # no longer


def test_a_session_playing_on_compare_losses_counts_and_is_paced():
    """Compare's pair plays through the same player as the main run: it counts in the class's
    size, and it takes the interval the pace gives (no frame constant of its own)."""
    at = start()
    at.switch_page("pages/8_Compare_losses.py")
    run(at)
    for i in range(11):                                               # 11 others playing
        pace.note_frame(f"other{i}")
    click(at, "Play")
    assert at.session_state["cmp_playing"]
    assert at.session_state["_pace_token"] in pace._last_frame         # counted as playing
    assert at.session_state["_frame_every"] == pytest.approx(pace.interval(12)) == 0.2
    click(at, "Pause")
    assert at.session_state["_pace_token"] not in pace._last_frame


def test_while_playing_the_home_page_draws_pictures_and_plotly_charts_when_paused():
    at = start()
    assert len(at.get("plotly_chart")) == 3 and not at.get("image")
    click(at, "Play")
    assert not at.get("plotly_chart")
    boundary, graph, loss = _pictures(at)
    root = ET.fromstring(boundary)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # the square and its margins would be about 505 px wide; the home page's boundary column
    # is 505 at 1280 px (dashboard.SIZES), and the picture is drawn that wide
    assert (root.get("width"), root.get("height")) == ("505", "525")
    n_train = len(at.session_state["run"].data.y_train)
    paths = root.iter("{http://www.w3.org/2000/svg}path")
    markers = sum(p.get("d").count("M") for p in paths if p.get("fill", "").startswith("#")
                  and "a" in p.get("d"))                              # circles: arcs
    assert markers >= n_train                                         # every training point
    assert "‖∇W₁‖" in graph and "train loss" in loss
    run(at)                                                           # the next frame
    assert _pictures(at)[0] != boundary                               # the regions moved on
    click(at, "Pause")
    assert len(at.get("plotly_chart")) == 3 and not at.get("image")


@pytest.mark.parametrize("path", ["pages/8_Compare_losses.py"])
def test_pages_without_the_live_area_keep_plotly_charts_while_the_run_plays(path):
    """Compare draws no live area of the main run (nothing of its own moves with it), so a
    main run left playing must not turn its charts into pictures."""
    at = start()
    at.switch_page(path)
    run(at)
    n_charts = len(at.get("plotly_chart"))
    at.session_state["playing"] = True
    run(at)
    assert not at.get("image")
    assert len(at.get("plotly_chart")) == n_charts > 0


def test_a_regression_surface_stays_a_plotly_chart_while_playing():
    at = start()
    set_widget(at, "selectbox", "_dataset", "plane")
    click(at, "Play")
    charts = at.get("plotly_chart")
    assert len(charts) == 1                                           # the heatmap surface
    assert '"heatmap"' in charts[0].proto.spec
    assert len(_pictures(at)) == 2                                    # the network, the loss


# ---------------------------------------------------------------- a real server, many sessions


def test_a_real_server_slows_every_session_down_as_the_class_grows():
    """Eight sessions on one `streamlit run` server, through Streamlit's own websocket protocol
    (bench/student.py, no browser): each first asks every 0.05 s; once all eight play, the
    server tells each to ask every pace.interval(8) = 0.15 s (8/60 = 0.133 -> 0.15), and every
    session keeps receiving frames."""
    import asyncio
    import sys
    import time

    import browser as B

    sys.path.insert(0, str(B.ROOT / "bench"))
    from student import Student

    n = 8
    students = [Student(query="max_iterations=1000000") for _ in range(n)]

    async def play(url):
        stop = asyncio.Event()
        tasks = [asyncio.ensure_future(s.run(url, stop)) for s in students]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(
                s.auto and s.auto[0] == pytest.approx(pace.interval(n)) for s in students):
            await asyncio.sleep(0.2)
        before = [s.frames for s in students]
        await asyncio.sleep(4.0)           # at 0.15 s, ~25 frames each if the server keeps up
        after = [s.frames for s in students]
        stop.set()
        await asyncio.gather(*tasks)
        return before, after

    with B.Server() as server:
        before, after = asyncio.run(play(server.url))
    assert not [s.error for s in students if s.error]
    assert [s.auto[0] for s in students] == pytest.approx([0.15] * n)
    assert all(b > a for a, b in zip(before, after)), (before, after)   # frames keep coming
