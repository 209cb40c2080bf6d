"""Per-user state lives only in st.session_state: two sessions at once never see each other's
data, settings or parameters, and the same settings give the same run, bit for bit."""

import hashlib
import json
import re
import subprocess
import sys

import numpy as np

from ffnn.app import settings as S
from ffnn.app.state import build_run

from apptest import ROOT, click, counter, run_state, set_widget, start


def test_two_sessions_at_once_are_independent():
    alice, bob = start(), start()
    set_widget(alice, "selectbox", "_dataset", "spiral")
    set_widget(alice, "select_slider", "_lr", 0.3)
    click(alice, "Step ×10")
    set_widget(bob, "slider", "_n_hidden", 3)
    click(bob, "Step")
    click(alice, "Step")                  # interleaved: alice again after bob acted
    assert counter(alice) == 11 and counter(bob) == 1
    a, b = run_state(alice), run_state(bob)
    assert a.data.name == "spiral" and b.data.name == "circle"
    assert a.trainer.lr == 0.3 and b.trainer.lr == S.DEFAULTS["lr"]
    assert a.net.sizes != b.net.sizes
    assert a.trainer is not b.trainer and not np.shares_memory(a.net.theta, b.net.theta)
    assert bob.session_state["dataset"] == "circle" and alice.session_state["n_hidden"] == 2


def test_no_per_user_object_in_a_shared_cache():
    # st.cache_resource is shared by every visitor of a hosted demo: the app must not use it.
    sources = [p for p in ROOT.rglob("*.py") if ".git" not in p.parts and "tests" not in p.parts]
    used = re.compile(r"@st\.cache_resource|cache_resource\(|import cache_resource")
    offenders = [str(p) for p in sources if used.search(p.read_text())]
    assert not offenders, offenders


SNIPPET = """
import hashlib, json, sys
from ffnn.app.state import build_run
cfg = json.loads(sys.argv[1])
run = build_run(cfg)
run.trainer.step(200)
print(hashlib.sha256(run.net.theta.tobytes()).hexdigest())
"""


def trajectory_hash(cfg):
    run = build_run(cfg)
    run.trainer.step(200)
    return hashlib.sha256(run.net.theta.tobytes()).hexdigest()


def test_same_settings_same_trajectory_bit_for_bit():
    cfg = {**S.DEFAULTS, "dataset": "moons", "n_hidden": 2, "width_1": 8, "width_2": 5,
           "optimizer": "adam", "batch_size": 10, "lr": 0.03, "noise": 20, "seed": 3}
    here = trajectory_hash(cfg)
    assert here == trajectory_hash(cfg)
    # ... and in a fresh Python process, as a student opening a shared link would get.
    out = subprocess.run([sys.executable, "-c", SNIPPET, json.dumps(cfg)], cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == here
    assert trajectory_hash({**cfg, "seed": 4}) != here
