"""A coordinator creates an API token in the browser, a client uses it, then it is revoked."""

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def api_status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_token_made_on_the_page_works_until_it_is_revoked(
    page, live_server, sign_in, screenshot, coordinator, evaluation
):
    sign_in(coordinator)
    page.click("text=API tokens")
    page.fill("#token-name", "Ministry dashboard")
    page.fill("#token-days", "90")
    page.click("text=Create token")

    secret = page.locator("code.token").inner_text()
    screenshot("created")
    assert secret.startswith("ahp_")
    url = f"{live_server.url}/api/v1/evaluations/"
    assert api_status(url, secret) == 200

    page.click("button:has-text('Revoke')")
    assert page.locator("td:has-text('revoked')").count() == 1
    assert secret not in page.content()
    screenshot("revoked")
    assert api_status(url, secret) == 401


def test_the_api_docs_render_under_the_content_security_policy(page, live_server, screenshot, db):
    page.goto(f"{live_server.url}/api/docs/")

    page.wait_for_selector("text=ahpanel API")
    page.wait_for_selector("text=/api/v1/evaluations/")
    screenshot("docs")
