"""The repository installs: `pip wheel .` builds a wheel holding the ffnn package and nothing
else of the checkout, the engine needs NumPy and pandas only (the app's packages are the `app`
extra, the same as requirements.txt), and the README's Python blocks run as written."""

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest

from apptest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SKIP = shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", ".hypothesis",
                              ".pytest_cache", ".ruff_cache", ".benchmarks", "bench-out")


def _requirements(path):
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return {line for line in lines if line and not line.startswith("-r")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # Built from a copy, so that setuptools' build/ and egg-info never land in the checkout.
    src = tmp_path_factory.mktemp("src") / "ffnn"
    shutil.copytree(ROOT, src, ignore=SKIP)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w",
                           str(out)], cwd=src, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = out.glob("ffnn-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_holds_the_ffnn_package_and_nothing_else(wheel):
    names = wheel.namelist()
    assert {n.split("/")[0] for n in names} == {"ffnn", "ffnn-0.1.0.dist-info"}
    packaged = {n for n in names if n.startswith("ffnn/")}
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "ffnn").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert packaged == sources                     # every module, the stage's JS, CSS, icon
    assert {"ffnn/app/stage.js", "ffnn/app/stage.css", "ffnn/app/favicon.png"} <= packaged
    assert not any(n.startswith(("tests/", "pages/", "bench/", "deploy/", "dashboard"))
                   for n in names)


def test_the_wheel_needs_numpy_and_pandas_and_the_app_is_an_extra(wheel):
    meta = wheel.read("ffnn-0.1.0.dist-info/METADATA").decode()
    needs = re.findall(r"^Requires-Dist: (.+)$", meta, re.MULTILINE)
    plain = {n for n in needs if "extra ==" not in n}
    assert plain == {"numpy>=2.4", "pandas>=3.0"}
    assert {n.split(";")[0].strip() for n in needs if 'extra == "app"' in n} == set(
        PYPROJECT["project"]["optional-dependencies"]["app"])


def test_requirements_txt_is_the_engine_and_the_app_extra():
    project = PYPROJECT["project"]
    declared = {*project["dependencies"], *project["optional-dependencies"]["app"]}
    assert _requirements(ROOT / "requirements.txt") == declared


def test_the_engine_imports_neither_streamlit_nor_plotly_nor_torch():
    engine = sorted(p.stem for p in (ROOT / "ffnn").glob("*.py") if p.stem != "__init__")
    code = ("import importlib, json, sys; import ffnn\n"
            f"for m in {engine!r}: importlib.import_module('ffnn.' + m)\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert {"numpy", "pandas"} <= loaded
    assert not loaded & {"streamlit", "plotly", "torch", "sqlalchemy", "PIL", "psycopg"}


def test_the_readmes_python_blocks_run_as_written(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert blocks and any("make_dataset" in b and "Trainer(" in b for b in blocks)
    for block in blocks:
        done = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300, env={"PYTHONPATH": str(ROOT),
                                                           "PATH": "/usr/bin:/bin"}, check=False)
        assert done.returncode == 0, block + done.stderr
