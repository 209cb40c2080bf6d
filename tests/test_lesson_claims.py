"""Each lesson shows its claim where it sends you, on the figures' own data (tests/lesson_claims),
and its "Next" can be done; the run-through goes through the lecture's stages in order, keeps
the run built by hand, and a URL with a stage opens that stage (the real app, AppTest)."""

import pytest

from ffnn.app.lessons import LECTURE, LESSONS

import lesson_claims as C
from apptest import (
    advance,
    assert_clean,
    chart_specs,
    click,
    play,
    play_on,
    playing,
    run,
    run_state,
    stage_curves,
    start,
)


def shown(at):
    return C.Shown(chart_specs(at), [x.value for x in at.latex], run_state(at).trainer.t,
                   stage_curves(at))


def load(key):
    """The Lessons page, then "Load this lesson": the app lands on the lesson's page."""
    at = start()
    at.switch_page("pages/12_Lessons.py")
    run(at)
    at.button(key=f"lesson_{key}").click()
    run(at)                                   # the app switches to the lesson's page ...
    at.switch_page(LESSONS[key].page)         # ... which AppTest follows only when told
    return run(at)


def play_to(at, key):
    """The lesson's run to its `until` (what Play does, in one go)."""
    lesson = LESSONS[key]
    target = at.session_state["cmp_pair"] if lesson.player == "cmp_" else run_state(at).trainer
    now = min(target.t) if isinstance(target.t, tuple) else target.t
    return advance(at, lesson.until - now, target)


@pytest.mark.parametrize("key", list(LESSONS))
def test_each_lesson_shows_its_claim_where_it_sends_you(key):
    at = play_to(load(key), key)
    C.CLAIMS[key](shown(at))


def test_the_divergence_lesson_completes_its_next():
    """"Press Play, then use the suggested η": it diverges, one click applies η everywhere and
    the run goes on from the last finite θ."""
    at = load("diverge")
    play(at)
    play_on(at, 200)                              # batches of Play, until it stops by itself
    assert run_state(at).trainer.diverged
    assert not playing(at)
    d, t = run_state(at).trainer.diverged, run_state(at).trainer.t
    said = [e.value for e in at.error]                    # the promise: it names step and layer
    assert any(f"diverged at step {d.step}" in e and f"layer {d.layer}" in e
               and f"t = {t}" in e for e in said), said
    use = next(b for b in at.button if b.label.startswith("Use η"))
    t = run_state(at).trainer.t
    use.click()
    run(at)
    lr = run_state(at).trainer.lr
    assert lr < 3.0 and at.session_state["lr"] == lr
    assert at.sidebar.select_slider(key="_lr").value == lr            # the sidebar shows it
    assert at.selectbox(key="_lr_row").value == lr                    # the control row too
    assert at.query_params["lr"] == f"{lr:g}"                         # and the address bar
    assert playing(at) and run_state(at).trainer.diverged is None
    run(at)
    assert run_state(at).trainer.t > t                                 # it goes on


def test_the_overshoot_is_named_and_its_button_brings_l_down():
    at = play_to(load("eta_large"), "eta_large")
    assert any("not going down" in w.value for w in at.warning)
    use = next(b for b in at.button if b.label.startswith("Use η"))
    use.click()
    run(at)
    lr = run_state(at).trainer.lr
    assert lr < 30.0
    before = run_state(at).trainer.evaluate()["train_loss"]
    at = advance(at, 200)
    assert run_state(at).trainer.evaluate()["train_loss"] < 0.5 * before


@pytest.mark.parametrize("key, change, claim", [
    ("xor", {"_n_hidden": 1}, lambda s: C.train_loss(s)[-1] < 0.2),
    ("eta_small", {"_lr": 0.3}, lambda s: C.train_loss(s)[-1] < 0.25 * C.train_loss(s)[0]),
])
def test_next_does_what_it_says(key, change, claim):
    at = load(key)
    for widget_key, value in change.items():
        found = [w for kind in ("slider", "select_slider", "selectbox")
                 for w in getattr(at.sidebar, kind) if w.key == widget_key]
        found[0].set_value(value)
        run(at)
    at = advance(at, 1000 - run_state(at).trainer.t)
    assert claim(shown(at))


# ---------------------------------------------------------------- the run-through

def test_the_run_through_goes_stage_by_stage_and_keeps_the_run_built_by_hand():
    at = start()
    at = advance(at, 37)                            # a run built by hand
    own = run_state(at)
    at.switch_page("pages/12_Lessons.py")
    run(at)
    click(at, "Start the run-through")
    for n, key in enumerate(LECTURE, start=1):
        at.switch_page(LESSONS[key].page)           # the stage opened its page: follow it
        run(at)
        assert at.session_state["stage"] == n and at.session_state["lesson"] == key
        assert run_state(at).cfg == LESSONS[key].cfg() and run_state(at).trainer.t == 0
        assert at.query_params["stage"] == str(n)
        assert any(f"{n} / {len(LECTURE)}" in m.value for m in at.markdown)
        next_ = at.button(key="stage_next")
        next_.click()
        run(at)                                     # the first Next plays to the stage's point
        player = LESSONS[key].player
        assert playing(at, player)
        assert at.session_state["playback"].until == LESSONS[key].until
        play_on(at, 100, player)                    # the page plays it, batch by batch
        assert not playing(at, player)
        target = at.session_state["cmp_pair"] if player == "cmp_" else run_state(at).trainer
        assert (max(target.t) if player == "cmp_" else target.t) == LESSONS[key].until
        C.CLAIMS[key](shown(at))                    # the stage shows its point
        if n < len(LECTURE):
            at.button(key="stage_next").click()     # the next Next: the next stage
            run(at)
    at.button(key="stage_back").click()             # PageUp's move: the stage before
    run(at)
    at.switch_page(LESSONS[LECTURE[-2]].page)
    run(at)
    assert at.session_state["stage"] == len(LECTURE) - 1
    at.button(key="stage_leave").click()
    run(at)
    assert "stage" not in at.session_state and run_state(at) is own   # your run, as it was
    assert run_state(at).trainer.t == 37


def test_a_url_with_a_stage_opens_that_stage():
    at = run(start({"stage": "4"}))                 # then the stage's page (home, here)
    assert_clean(at)
    assert at.session_state["stage"] == 4
    assert at.session_state["lesson"] == LECTURE[3]
    assert run_state(at).cfg == LESSONS[LECTURE[3]].cfg()


def test_a_stage_beyond_the_lecture_is_refused_from_the_url():
    at = start({"stage": str(len(LECTURE) + 1)})
    assert "stage" not in at.session_state
    assert any("stage" in w.value for w in at.warning)


def test_reset_can_be_undone():
    at = advance(start(), 25)
    click(at, "Reset")
    assert run_state(at).trainer.t == 0
    click(at, "Undo: back to t = 25")
    assert run_state(at).trainer.t == 25
