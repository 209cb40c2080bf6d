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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test that used the app server shows what the server printed (its last 5,000
    characters): an exception or a stuck script is then in the report, not lost."""
    report = yield
    srv = getattr(item, "funcargs", {}).get("server")
    if report.failed and isinstance(srv, B.Server):
        report.sections.append(("app server output", srv.output() or "(nothing)"))
    return report
