"""The live stage in Chromium (ffnn/app/stage.js): what it draws is the engine's.

- The decision boundary the page computes from θ (the lecture's forward pass, in JavaScript)
  equals ffnn.grid.predict_grid to 1e-9, for every activation × output in the registries.
- Play at the defaults: the counter moves and the boundary changes; Pause stops at the t the
  page shows, Step goes on by one; θ, t and the picture agree with the trainer at that t, and
  with the θ the Share page exports.
- Hover after Pause: a point's class and the probability the network gives it.
"""

import contextlib
import io
import os
import re
from pathlib import Path

import numpy as np
import pytest

from ffnn.activations import ACTIVATIONS
from ffnn.app import settings as S
from ffnn.app.state import build_run
from ffnn.grid import predict_grid
from ffnn.losses import OUTPUTS

import browser as B

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON),
]

QUERY = "max_iterations=100000"

# The plane view's state in the page: its grid Z (G*G*k, from θ by stage.js's forward pass), the
# frame's θ and t, and where it draws (the canvas's box, the axes' geometry).
FIND_PLANE_JS = """() => {
  const walk = (root) => {
    for (const e of root.querySelectorAll('*')) {
      if (e.shadowRoot) {
        const v = e.shadowRoot.__ffnnView;
        if (v && v.kind === 'plane' && v.Z) return v;
        const inner = walk(e.shadowRoot);
        if (inner) return inner;
      }
    }
    return null;
  };
  return walk(document);
}"""
PLANE_JS = """() => {
  const v = (""" + FIND_PLANE_JS + """)();
  if (!v) return null;
  const b = v.cv.getBoundingClientRect();
  return {Z: Array.from(v.Z), theta: Array.from(v.theta), t: v.drawnFrame.t,
          box: [b.x, b.y], m: v.geom.m, S: v.geom.S, extent: v.geom.extent};
}"""


def combos():
    """Every activation × output, each with a loss and data set it trains with (a linear
    output: squared error on a regression set; a sigmoid on two classes is one unit)."""
    for activation in ACTIVATIONS:
        for output in OUTPUTS:
            cfg = {"activation": activation, "output": output}
            if output == "linear":
                cfg |= {"dataset": "plane", "loss": "squared_error", "lr": "0.01"}
            if output == "softmax" and activation == "relu":
                cfg |= {"dataset": "kclass", "n_classes": "4",
                        "features": "x1,x2,x1sq,sin_x2"}
            yield cfg


def plane(page, t=None):
    """The plane view's state once it has drawn (at t, if given)."""
    page.wait_for_function(
        f"""(t) => {{ const v = ({FIND_PLANE_JS})();
                     return !!v && (t === null || v.drawnFrame.t === t); }}""",
        arg=t, timeout=60_000, polling=100)
    return page.evaluate(PLANE_JS)


def trainer_at(params, t):
    """The run these URL settings build, trained to t in Python: the trainer the page's is."""
    from ffnn.app import urlstate
    values, warnings = urlstate.decode(params)
    assert not warnings, warnings
    values.pop("t", None)
    run = build_run({**S.DEFAULTS, **values})
    run.trainer.step(t) if t else None
    return run


def test_the_grid_the_page_draws_is_predict_grid(server, chromium):
    context = chromium.new_context(viewport=B.LAPTOP)
    page = context.new_page()
    errors = B.watch_console(page)
    worst = {}
    try:
        for cfg in combos():
            params = {k: str(v) for k, v in cfg.items()} | {"t": "7"}
            query = "&".join(f"{k}={v}" for k, v in params.items())
            page.goto(f"{server.url}/?{query}", wait_until="domcontentloaded")
            got = plane(page, 7)
            run = trainer_at(params, 7)
            np.testing.assert_array_equal(np.asarray(got["theta"]), run.net.theta)
            _, _, Z = predict_grid(run.net, run.data.features, 6.0, 80)
            worst[f"{cfg['activation']}/{cfg['output']}"] = float(
                np.max(np.abs(np.asarray(got["Z"]) - Z.ravel())))
    finally:
        context.close()
    print("largest |browser - predict_grid| per activation/output:", worst)
    assert len(worst) == len(ACTIVATIONS) * len(OUTPUTS)
    assert max(worst.values()) < 1e-9, worst
    assert errors == [], errors


def test_play_pause_step_agree_with_the_trainer_and_the_export(server, chromium):
    context = chromium.new_context(viewport=B.LAPTOP, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(B.TIMEOUT_MS)
    errors = B.watch_console(page)
    try:
        B.open_app(page, server.url, f"?{QUERY}")
        B.wait_ready(page)
        B.wait_heatmap(page)
        B.press(page, "play")
        B.wait_play_label(page, "Pause")
        pictures, counters = set(), set()
        for _ in range(20):                     # 2 s of play: the boundary changes with t
            page.wait_for_timeout(100)
            pictures.add(B.heatmap_print(page))
            counters.add(B.counter(page))
        assert len(counters) >= 10 and len(pictures) >= 10, (len(counters), len(pictures))
        B.press(page, "play")                   # Pause, at the t on screen
        B.wait_play_label(page, "Play")
        t = B.wait_counter_stable(page)
        shown = plane(page, t)
        run = trainer_at({"max_iterations": "100000"}, t)
        assert np.asarray(shown["theta"]).tobytes() == run.net.theta.tobytes()
        B.press(page, "step")
        B.wait_counter(page, f"{t + 1} / 100000")
        shown = plane(page, t + 1)
        run.trainer.step(1)
        assert np.asarray(shown["theta"]).tobytes() == run.net.theta.tobytes()
        _, _, Z = predict_grid(run.net, run.data.features, 6.0, 80)
        assert np.max(np.abs(np.asarray(shown["Z"]) - Z.ravel())) < 1e-9     # the picture
        B.goto_page(page, "Share and export")
        with page.expect_download() as info:
            B.click(page, "θ (NPZ)")
        exported = np.load(io.BytesIO(Path(info.value.path()).read_bytes()))
        W1 = exported[next(k for k in exported.files if k.startswith("W") and "1" in k)]
        np.testing.assert_array_equal(W1, run.net.W[0])
    finally:
        context.close()
    assert errors == [], errors


def test_hover_after_pause_shows_the_point_and_its_probability(server, chromium):
    context = chromium.new_context(viewport=B.LAPTOP)
    page = context.new_page()
    try:
        B.open_app(page, server.url, f"?{QUERY}&t=40")
        plane(page, 40)
        # where the square is once the layout has settled (the side column widens at load)
        got = B.settled(page, lambda: page.evaluate(PLANE_JS) | {"Z": None})
        run = trainer_at({"max_iterations": "100000"}, 40)
        x1, x2 = run.data.points_train[0]
        label = int(run.data.y_train[0])
        m, side, extent = got["m"], got["S"], got["extent"]
        px = got["box"][0] + m["l"] + (x1 + extent) / (2 * extent) * side
        py = got["box"][1] + m["t"] + (extent - x2) / (2 * extent) * side
        page.mouse.move(px, py)
        tip = page.locator(".tip").filter(visible=True)
        tip.wait_for()
        text = tip.inner_text()
        p = run.net.forward(run.data.X_train[:1])[0]
        probs = [1 - p[0], p[0]] if len(p) == 1 else list(p)
        at = f"x₁ {x1:.2f}, x₂ {x2:.2f}".replace("-", "−")
        assert at in text, (at, text)                      # the point hovered, not a neighbour
        assert f"class {label}" in text and f"p(class {label}) = {probs[label]:.3f}" in text, text
    finally:
        context.close()


def test_each_chart_says_what_it_shows_from_its_data(server, chromium):
    """The stage's charts, read by their role and name (what a screen reader gets): the t they
    name, the class the boundary names for the centre, the largest weight and the losses are
    the trainer's at that t."""
    context = chromium.new_context(viewport=B.LAPTOP)
    page = context.new_page()
    try:
        B.open_app(page, server.url, f"?{QUERY}&t=40")
        plane(page, 40)
        run = trainer_at({"max_iterations": "100000"}, 40)
        boundary = page.get_by_role("img", name=re.compile(r"^Decision boundary at t = 40: "))
        text = boundary.get_attribute("aria-label")
        _, _, Z = predict_grid(run.net, run.data.features, 6.0, 80)
        centre = int(np.argmax(Z[40, 40]))
        assert text.startswith(f"Decision boundary at t = 40: class {centre} ("), text
        acc = run.trainer.evaluate()["train_acc"]
        assert f"{100 * acc:.1f}% of training points" in text, text
        sizes = "-".join(map(str, run.net.sizes))
        network = page.get_by_role("img", name=re.compile(f"^Network {sizes}")).get_attribute(
            "aria-label")
        W = [np.abs(w) for w in run.net.W]
        l = int(np.argmax([w.max() for w in W]))
        i, j = np.unravel_index(np.argmax(W[l]), W[l].shape)
        assert f"W{'₁₂₃'[l]}[{i + 1}, {j + 1}] = " in network, network
        loss = page.get_by_role("img", name=re.compile(r"^Loss L\(θ\) against t")).get_attribute(
            "aria-label")
        L0, L40 = run.trainer.first()["train_loss"], run.trainer.evaluate()["train_loss"]
        shown = [float(f"{v:.4g}") for v in (L0, L40)]          # 4 significant digits
        assert f"train loss from {shown[0]:g} at t = 0 to {shown[1]:g} at t = 40" in loss, loss
        B.press(page, "play")
        status = page.get_by_role("status").filter(has_text="Playing from t = 40")
        status.wait_for()
    finally:
        context.close()


HIDE_JS = """(hide) => {
  const v = (""" + FIND_PLANE_JS + """)();
  v.box.style.display = hide ? 'none' : '';
  return v.box.clientWidth;
}"""


def test_a_hidden_stage_draws_nothing_and_draws_again_when_shown(server, chromium):
    """A column with no width yet (hidden, or not laid out) is skipped, not drawn on a canvas of
    width 0 (the browser throws on that), and drawn as soon as it has its width again."""
    context = chromium.new_context(viewport=B.LAPTOP)
    page = context.new_page()
    page.set_default_timeout(B.TIMEOUT_MS)
    errors = B.watch_console(page)
    try:
        B.open_app(page, server.url, f"?{QUERY}")
        B.wait_ready(page)
        B.wait_heatmap(page)
        assert page.evaluate(HIDE_JS, True) == 0
        B.press(page, "step")
        B.wait_counter(page, "1 / 100000")
        page.wait_for_timeout(300)
        assert page.evaluate(HIDE_JS, False) > 0
        page.wait_for_function("() => (" + PLANE_JS + ")().t === 1", timeout=B.TIMEOUT_MS)
    finally:
        context.close()
    assert errors == [], errors


@contextlib.contextmanager
def asking_tab(server, chromium):
    """A laptop tab on the app (QUERY), ready, and the list its websocket's sent frames go
    to -> (page, sent)."""
    context = chromium.new_context(viewport=B.LAPTOP)
    page = context.new_page()
    page.set_default_timeout(B.TIMEOUT_MS)
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(f)))
    try:
        B.open_app(page, server.url, f"?{QUERY}")
        B.wait_ready(page)
        yield page, sent
    finally:
        context.close()


def test_a_stage_left_by_a_page_switch_asks_nothing_more(server, chromium):
    """While a run plays, the stage asks for each next batch. Once the address shows another
    page (a page switch: the old page's elements stay on screen until the new page has drawn),
    it asks nothing: an ask then would run the old page's fragment after the new page, and
    Streamlit's page would drop what the new page drew (a blank page, seen leaving Compare
    losses while it played)."""
    with asking_tab(server, chromium) as (page, sent):
        B.press(page, "play")
        B.wait_play_label(page, "Pause")
        page.wait_for_timeout(3000)
        assert len(sent) >= 2, sent                 # asks for batches while it plays
        page.evaluate("() => history.pushState({}, '', '/Compare_losses')")
        page.wait_for_timeout(300)                  # an ask on its way may still go
        sent.clear()
        page.wait_for_timeout(3000)                 # four batches' time at the defaults
        assert sent == []


# A link to `href` in the page, whose click is noted by the page (stage.js listens at the
# document, in the capture phase, as for the sidebar's links) but goes nowhere.
LINK_JS = """([href, id, target, left]) => {
  const a = Object.assign(document.createElement('a'), { href, id, target, textContent: id });
  a.style.cssText = `position:fixed;z-index:2000000;bottom:0;left:${left}px`;
  a.addEventListener('click', (e) => e.preventDefault());
  document.body.append(a);
}"""


def test_a_click_on_a_link_to_another_page_stops_the_asks_at_once(server, chromium):
    """The address shows the new page only once its run has begun: an ask sent between the
    click and then reaches the server after the switch (a blank page, as above). So from the
    click on a link to another page the stage asks nothing; a link to this same page, or one
    opened in a new tab (Ctrl+click, target=_blank), changes nothing: the stage goes on asking."""
    with asking_tab(server, chromium) as (page, sent):
        path = page.evaluate("location.pathname")
        page.evaluate(LINK_JS, [path, "same", "", 0])
        page.evaluate(LINK_JS, ["/Compare_losses", "other", "", 80])
        page.evaluate(LINK_JS, ["/Compare_losses", "blank", "_blank", 160])
        B.press(page, "play")
        B.wait_play_label(page, "Pause")
        for how, link, keys in (("same", "#same", []), ("Ctrl", "#other", ["Control"]),
                                ("_blank", "#blank", [])):
            page.click(link, modifiers=keys)
            page.wait_for_timeout(300)
            sent.clear()
            page.wait_for_timeout(3000)
            assert len(sent) >= 2, how          # still asking for its batches
        page.click("#other")
        page.wait_for_timeout(300)                  # an ask on its way may still go
        sent.clear()
        page.wait_for_timeout(3000)
        assert sent == []
        assert page.evaluate("location.pathname") == path    # the link went nowhere
