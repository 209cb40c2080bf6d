"""Presentation mode: large type, thick lines, fewer controls; on by toggle or by URL."""

from apptest import chart_specs, run, set_widget, start, widget


def labels(at):
    return {w.label for kind in ("selectbox", "select_slider", "slider", "number_input",
                                 "multiselect", "text_input", "radio")
            for w in getattr(at.sidebar, kind)}


def test_presentation_from_the_url():
    at = start({"present": "1"})
    assert at.session_state["present"]
    shown = labels(at)
    assert {"Dataset", "Noise (%)", "Hidden layers", "Activation", "Loss", "Learning rate",
            "Optimizer"} <= shown
    assert not shown & {"Initialisation", "Data seed", "Batch size", "Max iterations",
                        "L2 regularisation λ", "Input features"}
    boundary, graph, loss = chart_specs(at)
    # the boundary is the largest element; tests/test_browser.py checks it fits 1280x720
    assert boundary["layout"]["font"]["size"] == 20
    assert boundary["layout"]["height"] > graph["layout"]["height"] + 200
    train = next(t for t in loss["data"] if t.get("name") == "train loss")
    assert train["line"]["width"] >= 4                      # twice the normal 2 px
    assert not at.caption.values or all("θₜ₊₁" not in c for c in at.caption.values)
    assert at.query_params["present"] == "1"


def test_presentation_toggle_and_back():
    at = start()
    normal = chart_specs(at)[0]["layout"]["font"]["size"]
    assert normal < 20 and "Initialisation" in labels(at)
    set_widget(at, "toggle", "_present", True)
    assert chart_specs(at)[0]["layout"]["font"]["size"] == 20
    assert "Initialisation" not in labels(at)
    at.switch_page("pages/1_Training_curves.py")
    run(at)
    assert widget(at, "toggle", "_present").value is True        # survives the page switch
    set_widget(at, "toggle", "_present", False)
    assert "Initialisation" in labels(at)


def test_the_phone_clips_the_boundary_to_its_square():
    # The square's side is the chart's width less the left and right margins; with the legend
    # above it and the x axis below, the chart needs the width + t + b - l - r px, the figure
    # of the phone rule in COMPACT_CSS (measured in Chromium: tests/test_browser_layout.py).
    from ffnn.app.page import COMPACT_CSS
    from ffnn.figures.boundary import MARGIN
    extra = MARGIN["t"] + MARGIN["b"] - MARGIN["l"] - MARGIN["r"]
    assert f".st-key-boundary {{ max-height: calc(100vw - 3rem + {extra}px)" in COMPACT_CSS
