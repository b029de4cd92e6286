"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

Screenshots go to test-artifacts/screenshots/ (not committed) for a person to look at.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "screenshots"

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make between
# browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that fails the test if the Content-Security-Policy blocked anything on it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert blocked == [], blocked


@pytest.fixture
def screenshot(page, request):
    """screenshot("step") saves test-artifacts/screenshots/<test>-<step>.png (of=another page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(step: str, of=None) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        (of or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(user, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/**")

    return sign_in_as
