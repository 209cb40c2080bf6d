"""Nothing user-controlled reaches eval, exec, pickle loading or unsafe_allow_html: checked on
the source itself, so a future change that adds one fails here."""

import ast
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
            if not {".git", "tests", "bench"} & set(p.parts)]


def test_no_dangerous_calls_in_the_app():
    found = [(str(p.relative_to(ROOT)), name) for p in app_sources()
             for name, pattern in FORBIDDEN.items() if pattern.search(p.read_text())]
    assert not found, found


def html_calls(source):
    """[(line, is_constant)] for each st.html(...) call in `source`. Constant: one argument made
    only of string literals and names that the module binds to string literals and nothing else,
    joined with + or chosen by `if ... else` (the condition is not rendered)."""
    tree = ast.parse(source)
    bound = {}
    for node in ast.walk(tree):
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else [])
        for t in targets:
            if isinstance(t, ast.Name):
                literal = (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                           and isinstance(node.value.value, str))
                bound[t.id] = bound.get(t.id, True) and literal
    constants = {name for name, literal in bound.items() if literal}

    def constant(e):
        if isinstance(e, ast.Constant):
            return isinstance(e.value, str)
        if isinstance(e, ast.Name):
            return e.id in constants
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
            return constant(e.left) and constant(e.right)
        if isinstance(e, ast.IfExp):
            return constant(e.body) and constant(e.orelse)
        return False

    return [(node.lineno, len(node.args) == 1 and not node.keywords and constant(node.args[0]))
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "html" and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "st"]


def test_st_html_only_gets_constant_css():
    # st.html renders HTML: the app uses it only for constant style sheets.
    calls = {p.relative_to(ROOT).as_posix(): html_calls(p.read_text()) for p in app_sources()}
    calls = {path: found for path, found in calls.items() if found}
    assert calls, "st.html is used (the presentation mode's style sheet): the check must see it"
    assert all(ok for found in calls.values() for _, ok in found), calls


def test_the_html_check_can_fail():
    source = """
CSS = "<style>p { color: red }</style>"
LATER = "<style></style>"
st.html(CSS)
st.html(CSS + (LATER if wide else ""))
st.html(f"<b>{name}</b>")
st.html(CSS + name)
st.html(LATER)
LATER = uploaded.read()
"""
    assert html_calls(source) == [(4, True), (5, False), (6, False), (7, False), (8, False)]
    assert html_calls(source.replace("LATER = uploaded.read()", "")) == [
        (4, True), (5, True), (6, False), (7, False), (8, True)]
