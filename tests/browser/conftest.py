"""Browser fixtures: the real app served on a free local port, driven by Playwright in the
system Chromium (``/usr/bin/chromium``, or ``QUIZAPP_CHROMIUM``).

In CI (``CI`` set) a missing Chromium fails the run instead of skipping the browser tests.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Chromium as root, headless, and with nothing that phones home (the network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium_path() -> str | None:
    configured = os.environ.get("QUIZAPP_CHROMIUM")
    if configured:
        return configured
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


class QuietHandler(WSGIRequestHandler):
    """Keep the request log out of the test output."""

    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


class LiveServer:
    """The app served by werkzeug in a background thread."""

    def __init__(self, app: Flask) -> None:
        self.server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The real app on a free port of 127.0.0.1, sharing the test database."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    path = _chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run must install Debian's chromium")
        pytest.skip("no system Chromium (install Debian's chromium to run the browser tests)")
    browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # bypass_csp lets the tests inject axe-core; the app's own pages never need it.
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under ``test-artifacts/`` and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


AXE_SCRIPT = (
    Path(__file__).resolve().parents[2]
    / ".venv"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script (installed from the npm registry by ``make test``)."""
    path = Path(os.environ.get("QUIZAPP_AXE", AXE_SCRIPT))
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is not installed at {path}: run `make install-test`")
        pytest.skip("axe-core is not installed (make install-test installs it with npm)")
    return path.read_text(encoding="utf-8")


def serious_violations(page: Page, axe_source: str) -> list[str]:
    """Run axe-core on the page; return its serious and critical violations, described."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} — {v['help']} ({len(v['nodes'])} element(s), e.g. "
        f"{v['nodes'][0]['target']})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
