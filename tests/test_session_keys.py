"""Every session key is declared once, in ffnn/app/keys.py (the settings in settings.py), and
written only by its owner (or a second writer keys.py names): read from the code's syntax
trees (tests/session_keys.py), so a key added without its row, or written from a new place,
fails here."""

import re

import pytest
import session_keys as K

from ffnn.app import keys
from ffnn.app import settings as S

SETTINGS = set(S.table()) | {"_" + name for name in S.table()}
PICKERS = {"{}_view"}          # a page's picked view (nav.Page.picker), written by page.show_views


def pattern(name):
    return re.sub(r"\{[^}]*\}", "{}", name)


def module(owner):
    return owner if owner.startswith("pages.") or owner == "dashboard" else f"ffnn.app.{owner}"


DECLARED = {pattern(k.name): k for k in keys.KEYS.values()}


@pytest.fixture(scope="module")
def used():
    """{key: uses} of the keys the code names (helpers' parameters left out: their callers
    name the keys)."""
    return {k: v for k, v in K.scan().items() if not k.startswith("?")}


def in_session(uses):
    return uses["read"] or uses["write"]


def test_the_scan_finds_what_the_code_says(used):
    """Hand-read lines: state.py writes ss["run"]; controls.py reads f"{self.key}play";
    board.py's CHECKED = "board_key_checked" is resolved; bound(…, "es_w0") is a write."""
    assert "ffnn.app.state" in used["run"]["write"]
    assert "ffnn.app.controls" in used["{}play"]["read"]
    assert "ffnn.app.board" in used["board_key_checked"]["write"]
    assert "pages.9_Error_surface" in used["es_w0"]["write"]


def test_every_key_the_code_keeps_is_declared(used):
    undeclared = sorted(k for k, v in used.items() if in_session(v)
                        and k not in DECLARED and k not in SETTINGS and k not in PICKERS)
    assert undeclared == [], f"session keys with no row in ffnn/app/keys.py: {undeclared}"


def test_each_key_is_written_by_its_owner_only(used):
    wrong = {}
    for name, uses in used.items():
        row = DECLARED.get(name)
        if row is None:
            continue
        allowed = {module(row.owner)} | {module(m) for m, _ in row.also}
        if uses["write"] - allowed:
            wrong[name] = sorted(uses["write"] - allowed)
    assert wrong == {}, f"written outside their owner (keys.py): {wrong}"


def test_every_declared_key_is_used_and_declared_once(used):
    names = [pattern(k.name) for k in keys.KEYS.values()]
    assert len(names) == len(set(names))
    assert not set(names) & SETTINGS, "a setting is settings.py's row"
    unused = sorted(n for n, row in DECLARED.items()
                    if not (n in used and in_session(used[n]))
                    and not ("{}" in n and n in K.built(module(row.owner))))
    assert unused == [], f"declared in keys.py, never used: {unused}"
    for row in keys.KEYS.values():
        assert row.holds and all(why for _, why in row.also), row


def test_a_lesson_sets_declared_keys_only():
    """A lesson's page_state (state.load_lesson writes it for the page) names declared keys."""
    from ffnn.app.lessons import LESSONS

    def declared(name):
        return name in SETTINGS or any(
            re.fullmatch(re.escape(p).replace(r"\{\}", ".+"), name) for p in DECLARED)

    named = {k for lesson in LESSONS.values() for k in lesson.page_state}
    assert named and all(declared(k) for k in named), sorted(k for k in named if not declared(k))
