"""The app's CSS hooks into Streamlit's page in three ways only: the theme
(.streamlit/config.toml), `.st-key-*` classes of the app's own keyed elements, and, where
Streamlit has no documented hook (the main area's side padding, the gap between elements, the
sidebar drawn over the page when presented, a metric's digits), its elements' `data-testid`
names. A new Streamlit that renames one of those names fails here, with the name, instead of
silently dropping a rule (the layout tests would then only see sizes change)."""

import re
from pathlib import Path

import pytest
import streamlit

from ffnn.app import page, status

from apptest import ROOT

SHEETS = {"COMPACT_CSS": page.COMPACT_CSS, "PROJECTOR_CSS": page.PROJECTOR_CSS,
          "METRIC_WIDTHS": status.METRIC_WIDTHS}
BUNDLE = Path(streamlit.__file__).parent / "static" / "static" / "js"


def named_testids(css):
    return set(re.findall(r'data-testid="(\w+)"', css))


def keys(css):
    """The keys named by `.st-key-x` rules; a number at the end is a width (metric_t7 is
    key "metric_t" and a width of 7, status.numbers_row)."""
    return {re.sub(r"\d+$", "", k) for k in re.findall(r"\.st-key-(\w+)", css)}


@pytest.fixture(scope="module")
def frontend():
    """Streamlit's frontend code, as shipped: where its elements get their data-testid."""
    files = sorted(BUNDLE.rglob("*.js"))
    assert files, f"no frontend bundle under {BUNDLE}"
    return "\n".join(p.read_text(errors="ignore") for p in files)


def test_the_sheets_name_few_testids():
    """The list of Streamlit names the CSS relies on, written out: a new one is a choice."""
    assert set().union(*map(named_testids, SHEETS.values())) == {
        "stAlertContainer", "stButtonGroup", "stCaptionContainer", "stColumn",
        "stMain", "stMainBlockContainer", "stMarkdown", "stMarkdownContainer", "stMetric",
        "stMetricLabel", "stMetricValue", "stSidebar", "stSidebarUserContent",
        "stVerticalBlock"}


@pytest.mark.parametrize("name", sorted(set().union(*map(named_testids, SHEETS.values()))))
def test_streamlit_still_names_its_element(frontend, name):
    # the name as a string literal in the bundle (`…` or "…"): a data-testid or class there
    assert re.search(rf"[`\"']{name}[`\"' ]", frontend), f"Streamlit no longer names {name}"


def test_a_bundle_without_the_name_would_fail(frontend):
    """The check above can fail: a name Streamlit never had is not found."""
    assert not re.search(r"[`\"']stNoSuchElement[`\"' ]", frontend)


def test_every_key_class_is_a_key_the_app_gives():
    """A `.st-key-x` rule for a key no code gives any more is dead CSS."""
    code = "\n".join(p.read_text() for p in [*ROOT.glob("ffnn/app/**/*.py"), ROOT / "dashboard.py",
                                             *ROOT.glob("pages/*.py")])
    for sheet, css in SHEETS.items():
        for key in keys(css):
            assert re.search(rf"""key=f?["']{key}["'{{]""", code), (sheet, key)


def test_the_theme_sets_what_it_can():
    """The numbers' size is the theme's (metricValueFontSize), not a rule on st.metric."""
    toml = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r'^metricValueFontSize = "1.3rem"', toml, re.MULTILINE)
    assert "font-size: 1.3rem" not in page.COMPACT_CSS
