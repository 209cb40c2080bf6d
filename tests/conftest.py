"""Fixtures the browser tests share: one app server and one headless Chromium per test module
(a module that needs another server, such as the class board's with its database, defines its
own `server`)."""

import pytest

import browser as B


@pytest.fixture(scope="module")
def server():
    """The app on a free loopback port (tests/browser.py's Server)."""
    with B.Server() as srv:
        yield srv


@pytest.fixture(scope="module")
def chromium():
    """The system Chromium, headless; the module is skipped without Playwright."""
    pytest.importorskip("playwright.sync_api")
    with B.chromium() as browser:
        yield browser
