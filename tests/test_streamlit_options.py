"""The hidden Streamlit option the app still sets, runner.postScriptGC (.streamlit/config.toml:
no full garbage collection after every script or fragment run, docs/design.md), keeps the
meaning the app relies on. A new Streamlit that renames it, changes its type or default, or
stops reading it fails here instead of silently bringing the collection back."""

import gc
import threading
import tomllib
from types import SimpleNamespace

import pytest
from streamlit import config
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner, ScriptRunnerEvent

from apptest import ROOT

OPTION = "runner.postScriptGC"


def test_the_app_turns_it_off():
    toml = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert toml["runner"]["postScriptGC"] is False


def test_streamlit_still_defines_it_as_the_app_relies_on():
    option = config._config_options_template.get(OPTION)
    assert option is not None, f"{OPTION} is gone from streamlit.config"
    assert (option.key, option.type, option.default_val) == (OPTION, bool, True)
    assert not option.deprecated
    assert "garbage collector after each script" in " ".join(option.description.split()).lower()


@pytest.fixture
def collections(monkeypatch):
    """Full collections, gc.collect(2), asked for while the patched name is in place."""
    seen = []
    real = gc.collect

    def counting(generation=2):
        seen.append(generation)
        return real(generation)

    monkeypatch.setattr(gc, "collect", counting)
    before = config.get_option(OPTION)
    yield seen
    config.set_option(OPTION, before)


@pytest.mark.parametrize("value", [True, False])
def test_the_end_of_a_run_collects_exactly_when_it_is_on(collections, value):
    # ScriptRunner's own end-of-run step (AppTest's runner skips it), called on a bare runner:
    # no session state to update (premature_stop) and no Runtime to clean (script not started).
    config.set_option(OPTION, value)
    runner = SimpleNamespace(_join_wake_lock=threading.Lock(), _join_wake_coordinator=None,
                             on_event=SimpleNamespace(send=lambda *a, **k: None))
    ctx = SimpleNamespace(has_script_started=False)
    collections.clear()
    ScriptRunner._on_script_finished(runner, ctx, ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS,
                                     premature_stop=True, run_descriptor=None)
    assert (2 in collections) is value
