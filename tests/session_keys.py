"""Which session-state keys the app's code uses, read from its syntax trees (no import): for
each key, the modules that write it (ss[k] = …, del, setdefault, a widget bound to it) and those
that read it (ss[k], get, pop, `in`). A key named by a constant (board.CHECKED, RESUMABLE) is
resolved to the constant's string; one built at run time (an f-string) becomes its pattern,
"{}play"; one handed to a helper as a parameter is "?" and the parameter's source (bound's
"?key": its callers' keys are read at the call, BINDERS)."""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSION_NAMES = {"ss"}                 # the local alias every module gives st.session_state
BINDERS = {"bound": 2, "toggle": 1}    # helpers that bind a widget to a key: the key's argument


def app_files():
    files = sorted((ROOT / "ffnn" / "app").rglob("*.py")) + sorted((ROOT / "pages").glob("*.py"))
    return files + [ROOT / "dashboard.py"]


def module_of(path):
    """'ffnn/app/board.py' -> 'ffnn.app.board'; 'pages/x.py' -> 'pages.x'."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def constants(tree):
    """{NAME: "string"} of a module's top-level string constants."""
    out = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = [(target, node.value)]
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = zip(target.elts, node.value.elts)        # CODE, KEY = "…", "…"
            for name, value in pairs:
                if isinstance(name, ast.Name) and isinstance(value, ast.Constant) \
                        and isinstance(value.value, str):
                    out[name.id] = value.value
    return out


def imported(tree, module):
    """{local name: module} of `from . import x`, `from ffnn.app import x` and
    {local name: (module, NAME)} of `from .x import NAME`."""
    package = module.rsplit(".", 1)[0]
    mods, names = {}, {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                local = alias.asname or alias.name
                mods[local] = f"{base}.{alias.name}"
                names[local] = (base, alias.name)
    return mods, names


def is_session(node):
    return (isinstance(node, ast.Name) and node.id in SESSION_NAMES) or (
        isinstance(node, ast.Attribute) and node.attr == "session_state")


def _called(call):
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def scan():
    """{key: {"write": {module, …}, "read": {module, …}, "widget": {module, …}}}: "widget",
    a widget or container given the key (key=…)."""
    trees = {module_of(p): ast.parse(p.read_text()) for p in app_files()}
    consts = {m: constants(t) for m, t in trees.items()}
    uses = defaultdict(lambda: {"write": set(), "read": set(), "widget": set()})
    for module, tree in trees.items():
        mods, names = imported(tree, module)
        for node in ast.walk(tree):
            for name, mode in _uses(node):
                uses[_key(name, module, consts, mods, names)][mode].add(module)
    return dict(uses)


def _uses(node):
    """[(key expression, mode)] of one syntax node."""
    if isinstance(node, ast.Subscript) and is_session(node.value):
        return [(node.slice, "read" if isinstance(node.ctx, ast.Load) else "write")]
    out = []
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Attribute) and is_session(f.value) and node.args:
            out.append((node.args[0], "write" if f.attr == "setdefault" else "read"))
        elif _called(node) in BINDERS and len(node.args) > BINDERS[_called(node)]:
            out.append((node.args[BINDERS[_called(node)]], "write"))      # a bound widget
        out += [(kw.value, "widget") for kw in node.keywords if kw.arg == "key"]
    if isinstance(node, ast.Compare) and any(is_session(c) for c in node.comparators):
        out.append((node.left, "read"))
    return out


def _key(node, module, consts, mods, names):
    """The key a syntax node names (see the module's docstring)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):                      # f"{self.key}play": "{}play"
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.Name):
        if node.id in consts[module]:
            return consts[module][node.id]
        base, name = names.get(node.id, (None, None))
        if base in consts and name in consts[base]:
            return consts[base][name]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        other = mods.get(node.value.id)
        if other in consts and node.attr in consts[other]:
            return consts[other][node.attr]
    return "?" + ast.unparse(node)


def built(module):
    """The f-string patterns a module builds anywhere ("cmp_{}_{}" of f"cmp_{side}_{setting}"):
    a key made by a helper function (the Compare page's side_key) is used where the helper is."""
    path = ROOT / (module.replace(".", "/") + ".py")
    return {"".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.JoinedStr)}
