"""The pages under their Content-Security-Policy in Debian's Chromium: the chat page and the
calibration review page run (scripts from this server, the review page's inline script by its
hash) and the browser reports no violation. The other browser tests bypass the policy only
because Playwright's polling evaluates strings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.credentials import sign_in_page

pytestmark = pytest.mark.slow


def _violations(page: Any) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "#assistant:not([disabled])"),
        ("/calibration/review", "#empty:not([hidden]), #batch option"),
    ],
)
def test_the_pages_run_under_their_policy(
    web_server: Any, browser: Any, path: str, ready: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        violations = _violations(page)
        credentials = web_server.credentials
        sign_in_page(page, web_server.url, credentials.user_name, credentials.password, then=path)
        answer = page.request.get(f"{web_server.url}{path}")
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        # Only a script that ran can have filled these in.
        page.wait_for_selector(ready, state="attached")
        assert violations == []
    finally:
        context.close()
