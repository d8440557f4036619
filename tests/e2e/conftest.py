"""Browser tests: Debian's Chromium driven by Playwright, every page checked by axe-core.

The app is served from a thread (werkzeug) on a free loopback port, on its own SQLite file
with the demo data, CSRF on. Without /usr/bin/chromium the tests are skipped with that reason,
unless MVI_REQUIRE_BROWSER=1 (CI), where a missing browser fails the run.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from mvi_community import create_app
from mvi_community.extensions import db

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", "test-artifacts"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser_available() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("MVI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium not installed at {CHROMIUM}; install Debian's chromium to run browser tests")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, browser_available):
    from mvi_community.demo.services import seed

    database = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    app = create_app({
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "LOGIN_RATE_LIMIT": "200 per minute",
        "RESET_RATE_LIMIT": "200 per minute",
        "ACCOUNT_REQUEST_RATE_LIMIT": "200 per minute",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })
    with app.app_context():
        db.create_all()
        seed("small")
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield type("LiveServer", (), {"url": app.config["BASE_URL"], "app": app})()
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


def _wait_before_is_visible() -> None:
    """Tests assert `locator.is_visible()` right after a click that loads the next page; on a busy
    machine the new document may not be parsed yet. Let `is_visible` first wait (up to 5 s) for
    the element to appear, so the assertion checks the page, not the machine's speed. An element
    that should be absent costs that wait once; a strict-mode error still surfaces."""
    from playwright.sync_api import Locator, TimeoutError as PlaywrightTimeout

    if getattr(Locator.is_visible, "_waits", False):
        return
    original = Locator.is_visible

    def is_visible(self, timeout=None):
        try:
            self.wait_for(state="visible", timeout=5000)
        except PlaywrightTimeout:
            pass
        return original(self)

    is_visible._waits = True
    Locator.is_visible = is_visible


@pytest.fixture(scope="session")
def browser(browser_available):
    from playwright.sync_api import sync_playwright

    _wait_before_is_visible()

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    csp = [e for e in errors if "Content Security Policy" in e]
    assert not csp, f"CSP violations in the browser: {csp}"


def check_accessibility(page, name: str | None = None) -> None:
    """Run axe-core (WCAG 2.1 A/AA) on the current page; fail with a readable report."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    if os.environ.get("E2E_SCREENSHOTS") == "1" and name:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert results.violations_count == 0, f"axe violations on {page.url}:\n{results.generate_report()}"


def sign_in(page, email: str, password: str = "Demo-MVI-2026") -> None:
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/")
    # The live server is shared by all browser tests: a test that switched this account to
    # English must not change the language of the next one.
    if page.locator("html").get_attribute("lang") != "nl":
        page.get_by_role("button", name="Nederlands").click()
        page.wait_for_url("**/")
