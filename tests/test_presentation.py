"""Presentation mode: large type, thick lines, fewer controls; on by toggle or by URL."""

from apptest import chart_specs, run, set_widget, stage_message, start, widget


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
    assert not chart_specs(at)                  # the live stage draws them, large
    plane, side = stage_message(at, "stage_plane")[0], stage_message(at, "stage_side")[0]
    assert plane["cfg"]["present"] and side["cfg"]["present"]
    # the boundary is the largest element; tests/test_browser_layout.py measures it at 1280x720
    assert plane["cfg"]["height"] > side["cfg"]["graph"] + 200
    assert not at.caption.values or all("θₜ₊₁" not in c for c in at.caption.values)
    assert at.query_params["present"] == "1"


def test_presentation_toggle_and_back():
    at = start()
    assert not stage_message(at, "stage_plane")[0]["cfg"]["present"]
    assert "Initialisation" in labels(at)
    set_widget(at, "toggle", "_present", True)
    assert stage_message(at, "stage_plane")[0]["cfg"]["present"]
    assert "Initialisation" not in labels(at)
    at.switch_page("pages/1_Training_curves.py")
    run(at)
    assert widget(at, "toggle", "_present").value is True        # survives the page switch
    set_widget(at, "toggle", "_present", False)
    assert "Initialisation" in labels(at)
