"""Nothing user-controlled reaches eval, exec, pickle loading or unsafe_allow_html: checked on
the source itself, so a future change that adds one fails here."""

import re

from apptest import ROOT

FORBIDDEN = {
    "eval(": re.compile(r"(?<![\w.])eval\("),
    "exec(": re.compile(r"(?<![\w.])exec\("),
    "pickle": re.compile(r"\bpickle\b|allow_pickle\s*=\s*True"),
    "unsafe_allow_html": re.compile(r"unsafe_allow_html\s*=\s*True"),
    "components.html": re.compile(r"components\.v1|components\.html"),
}


def app_sources():
    return [p for p in ROOT.rglob("*.py")
            if not {".git", "tests", "bench"} & set(p.parts) and p.name != "bench.py"]


def test_no_dangerous_calls_in_the_app():
    found = [(str(p.relative_to(ROOT)), name) for p in app_sources()
             for name, pattern in FORBIDDEN.items() if pattern.search(p.read_text())]
    assert not found, found


def test_st_html_only_gets_constant_css():
    # st.html renders HTML: its one use is the presentation mode's constant style sheet.
    uses = [(p.name, line.strip()) for p in app_sources() for line in p.read_text().splitlines()
            if "st.html(" in line]
    assert uses == [("sidebar.py", "st.html(PROJECTOR_CSS)")], uses
    sidebar = (ROOT / "ffnn" / "app" / "sidebar.py").read_text()
    assert re.search(r'^PROJECTOR_CSS = """<style>', sidebar, re.MULTILINE)
