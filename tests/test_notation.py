"""One notation, as docs/design.md pins it (Notation): every page and view of the real app read
through AppTest, and the sources scanned.

- page titles are h1 headings and equal their menu entries (the home page's title adds its
  rule after a colon);
- a subscript is rendered: no raw "H_1,j" in text (outside LaTeX and code);
- the loss is L(θ), in LaTeX L(\\theta): never 𝓛 or \\mathcal{L};
- a range W_1 … W_L is one notation, not Unicode "W₁" beside an italic LaTeX "$W_L$";
- matrix subtitles in words: "colour scale ±0.017".
"""

import json
import re
from pathlib import Path

import pytest

from ffnn.app import nav

from apptest import VIEWS, advance, goto, run, start

ROOT = Path(__file__).resolve().parents[1]
RAW_SUBSCRIPT = re.compile(r"[A-Za-zδθηλ∇]_[\w{(]")
MIXED_RANGE = re.compile(r"[₀-₉ₗₜ]\s*(…|\\dots|\.\.\.)\s*\$")
CALLIGRAPHIC = re.compile(r"𝓛|\\mathcal\s*\{?\s*L")


def plain(text):
    """`text` without its LaTeX ($…$, $$…$$) and code (`…`): what is read as plain text."""
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.DOTALL)
    text = re.sub(r"\$[^$]*\$", "", text)
    return re.sub(r"`[^`]*`", "", text)


def shown(at):
    """[(what, text)]: every text the page shows, widgets' labels and help included."""
    out = []
    for kind in ("title", "markdown", "caption", "info", "warning", "error", "success",
                 "latex", "subheader", "header"):
        out += [(kind, m.value) for m in getattr(at, kind)]
    out += [("metric", m.label) for m in at.metric]
    for kind in ("button", "toggle", "selectbox", "radio", "number_input", "slider",
                 "select_slider", "checkbox", "text_input"):
        for w in getattr(at, kind):
            out.append((kind, w.label))
            if getattr(w, "help", None):
                out.append((f"{kind} help", w.help))
    return out


def chart_texts(at):
    """Titles, axis titles, annotations and legend names of every chart (Plotly has no LaTeX:
    these are plain text)."""
    out = []

    def walk(o, key=""):
        if isinstance(o, dict):
            for k, v in o.items():
                if (k in ("text", "name") or key == "title") and isinstance(v, str):
                    out.append(v)
                walk(v, k)
        elif isinstance(o, list):
            for v in o:
                walk(v, key)

    for el in at.get("plotly_chart"):
        walk(json.loads(el.proto.spec))
    return out


def places():
    return [path for path, _ in nav.pages()] + list(VIEWS)


@pytest.fixture(scope="module")
def at():
    a = start()
    advance(a, 3)
    return a


@pytest.mark.parametrize("where", places())
def test_one_notation_on_every_page_and_view(at, where):
    goto(at, where)
    for kind, text in shown(at):
        assert not CALLIGRAPHIC.search(text), (where, kind, text)
        if kind == "latex":
            continue
        assert not RAW_SUBSCRIPT.search(plain(text)), (where, kind, text)
        assert not MIXED_RANGE.search(text), (where, kind, text)
    for text in chart_texts(at):
        assert not RAW_SUBSCRIPT.search(text) and not CALLIGRAPHIC.search(text), (where, text)


@pytest.mark.parametrize("path,label", nav.pages())
def test_page_title_is_an_h1_equal_to_its_menu_entry(at, path, label):
    at.switch_page(path)
    run(at)
    # the page's one h1: markdown "# …" (st.title's heading element made Streamlit draw the
    # control row's Reset twice after a Reset, losing its focus: tests/test_browser_a11y.py)
    titles = [m.value[2:] for m in at.markdown if m.value.startswith("# ")]
    assert len(titles) == 1, titles
    assert not [m.value for m in at.markdown if m.value.startswith("#### ")]
    if path == nav.HOME:
        assert titles[0].startswith(f"{label}: "), (titles, label)
    else:
        assert titles[0] == label


def test_matrix_subtitles_are_in_words(at):
    goto(at, "pages/4_Theta_and_gradient.py")
    notes = [t for t in chart_texts(at) if "<br><span" in t]          # the matrices' titles
    assert notes
    for note in notes:
        assert re.search(r"<br><span[^>]*>colour scale ±[\d.e+-]+</span>$", note), note
        assert "·" not in note and "ⁿ" not in note


def test_sources_write_the_loss_as_L():
    files = [*ROOT.glob("pages/*.py"), ROOT / "dashboard.py", *ROOT.glob("ffnn/app/**/*.py"),
             *ROOT.glob("ffnn/app/*.js"), *ROOT.glob("ffnn/figures/*.py")]
    found = [(f.name, n) for f in files
             for n, line in enumerate(f.read_text().splitlines(), 1) if CALLIGRAPHIC.search(line)]
    assert not found


EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]")


def test_no_emoji_carries_meaning():
    """Emoji show as empty boxes where no emoji font is installed: icons are Material icons
    (:material/…:, drawn from Streamlit's own font) beside words."""
    files = [*ROOT.glob("pages/*.py"), ROOT / "dashboard.py", *ROOT.glob("ffnn/app/**/*.py")]
    found = [(f.name, n, line.strip()) for f in files
             for n, line in enumerate(f.read_text().splitlines(), 1) if EMOJI.search(line)]
    assert not found
