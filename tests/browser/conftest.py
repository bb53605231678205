"""Browser fixtures: the app served on a free port, and Playwright driving Debian's Chromium.

Playwright cannot download its own browser here, so it launches the system Chromium
(`/usr/bin/chromium`, from Debian's `chromium` package, installed by scripts/test when run
as root). Without it the browser tests skip, unless REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.services import free_port

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture()
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The test app served over real HTTP in a thread; yields its base URL."""
    port = free_port()
    app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """One headless Chromium for the session."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(
                f"REQUIRE_SERVICES=1 but Chromium is not installed at {CHROMIUM}", pytrace=False
            )
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture()
def page(browser):  # type: ignore[no-untyped-def]
    """A fresh browser context and page (its own cookies) for one test."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
