"""How the code is put together, checked on its syntax tree: no module reads another module's
private names (a leading underscore), and no page runs the engine's passes itself. Each check is
also run on a made-up offender, so it is shown to fail."""

import ast

from apptest import ROOT

# Underscored by their library, documented as public: SQLAlchemy's Row._mapping (underscored so
# that it cannot clash with a column's name).
PUBLIC_UNDERSCORED = {"_mapping"}
# The engine's passes: pages ask ffnn.backprop (trace, deltas, hidden_activations) instead.
PASSES = {"forward_cache", "backward", "layers", "gradients_into"}


def app_sources():
    return sorted([*ROOT.glob("ffnn/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "dashboard.py"])


def pages():
    return sorted([*ROOT.glob("pages/*.py"), ROOT / "dashboard.py"])


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def _package(rel):
    """'ffnn/figures/boundary.py' -> 'ffnn.figures'; 'pages/1_X.py' -> 'pages'."""
    return ".".join(rel.split("/")[:-1])


def _module(package, node):
    """The absolute module name of an ImportFrom node, relative imports resolved."""
    if not node.level:
        return node.module
    base = package.split(".")[:len(package.split(".")) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _outside(package, module):
    """True if `module` (or a private name in it) is private to a package `package` is not in:
    a private module may be used inside the package that holds it, by no one else."""
    parts = module.split(".")
    return any(_private(p) and not f"{package}.".startswith(".".join(parts[:i]) + ".")
               for i, p in enumerate(parts))


def private_reads(rel, source):
    """[(line, text)] where the file `rel` reads a private name of another module or object."""
    package, found = _package(rel), []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            mine = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not mine and node.attr not in PUBLIC_UNDERSCORED:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.ImportFrom):
            module = _module(package, node)
            names = [a.name for a in node.names]
            if _outside(package, module) or any(
                    _private(n) and _outside(package, f"{module}.{n}") for n in names):
                found.append((node.lineno, f"from {module} import {', '.join(names)}"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names
                      if _outside(package, a.name)]
    return found


def pass_calls(source):
    """[(line, text)] of calls to the engine's passes."""
    return [(node.lineno, ast.unparse(node.func)) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in PASSES]


def test_no_module_reads_another_modules_private_names():
    found = {p.relative_to(ROOT).as_posix(): private_reads(p.relative_to(ROOT).as_posix(),
                                                            p.read_text())
             for p in app_sources()}
    assert not {k: v for k, v in found.items() if v}


def test_the_private_name_check_can_fail():
    offender = """
from ffnn import _validate as check            # a page may not use the engine's private module
from ffnn.figures._layout import sub
from ffnn.datasets import _split
import ffnn._validate
loss = net._loss.value(net._out, A, Y, T)
"""
    assert [line for line, _ in private_reads("pages/1_X.py", offender)] == [2, 3, 4, 5, 6, 6]
    inside = """
from .. import _validate as check              # inside ffnn, its private module may be used
from ._layout import sub                       # inside ffnn.figures, _layout may
self._state = {}
"""
    assert private_reads("ffnn/figures/boundary.py", inside) == []
    outside = "from .figures._layout import sub\nfrom .datasets import _split\n"
    assert private_reads("ffnn/trainer.py", outside) == [
        (1, "from ffnn.figures._layout import sub"), (2, "from ffnn.datasets import _split")]


def test_no_page_runs_the_passes_itself():
    found = {p.name: pass_calls(p.read_text()) for p in pages()}
    assert not {k: v for k, v in found.items() if v}
    assert pass_calls("Hs, As, Y = net.forward_cache(X)\nnet.backward(Hs, As, Y, T, dW, db)\n"
                      ) == [(1, "net.forward_cache"), (2, "net.backward")]


def own_player(source):
    """[(line, text)] where a page plays by itself: a fragment (st.fragment), a `_set_playing`
    or a frame constant (FRAME), all of which live in ffnn.app.controls, or a playing flag of its
    own (a session key that ends in "playing", or "play_until"): who plays is
    ffnn.app.playback's Playback alone."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "fragment":
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.FunctionDef) and node.name == "_set_playing":
            found.append((node.lineno, f"def {node.name}"))
        elif isinstance(node, ast.Name) and node.id == "FRAME" and isinstance(node.ctx, ast.Store):
            found.append((node.lineno, node.id))
        elif (key := _session_key(node)) and key.endswith(("playing", "play_until")):
            found.append((node.lineno, repr(key)))
    return found


def _session_key(node):
    """The text of a constant key read or written as x["key"], x.get("key"), .pop, .setdefault
    (a key in session state, most likely), or of an f-string key's constant end."""
    if isinstance(node, ast.Subscript):
        key = node.slice
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
          and node.func.attr in ("get", "pop", "setdefault") and node.args):
        key = node.args[0]
    else:
        return None
    if isinstance(key, ast.JoinedStr) and key.values:
        key = key.values[-1]
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def test_only_the_playback_object_says_who_plays():
    """No module of the app but ffnn/app/playback.py names a playing flag."""
    app = [p for p in (ROOT / "ffnn" / "app").rglob("*.py") if p.name != "playback.py"]
    found = {p.name: [x for x in own_player(p.read_text()) if x[1].startswith("'")]
             for p in [*app, ROOT / "dashboard.py"]}
    assert not {k: v for k, v in found.items() if v}


def test_no_page_has_a_player_or_fragment_of_its_own():
    found = {p.name: own_player(p.read_text()) for p in pages()}
    assert not {k: v for k, v in found.items() if v}
    offender = ("FRAME = 0.05\n@st.fragment(run_every=FRAME)\ndef live():\n    pass\n"
                "def _set_playing(value):\n    pass\nss['cmp_playing'] = True\n"
                "ss.pop(f'{key}play_until')\nhead = {'playing': True}\n")
    assert sorted(line for line, _ in own_player(offender)) == [1, 2, 5, 7, 8]
