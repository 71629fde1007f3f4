"""Signing in and out in Debian's Chromium: the chat page sends a visitor to the sign-in page,
a wrong password is told as such, the account menu says who is signed in, and signing out
ends the session."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.slow


def test_sign_in_account_menu_and_sign_out(web_server: Any, browser: Any, screenshot: Any) -> None:
    user, password = web_server.credentials.user_name, web_server.credentials.password
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(web_server.url)
        page.wait_for_selector("#sign-in")
        assert page.url == f"{web_server.url}/sign-in?next=/"

        page.fill("#name", user)
        page.fill("#password", "not the password")
        page.click("#sign-in-submit")
        page.wait_for_selector("#sign-in-error:not([hidden])")
        assert "wrong password" in page.text_content("#sign-in-error")
        screenshot(page, "refused")

        page.fill("#password", password)
        page.click("#sign-in-submit")
        page.wait_for_selector("#account-menu:not([hidden])")
        assert page.url == f"{web_server.url}/"
        assert page.text_content("#signed-in-as") == "Pat Admin · admin"
        # The session cookie is out of the page scripts' reach.
        assert page.evaluate("document.cookie") == ""
        page.wait_for_selector("#assistant:not([disabled])")
        screenshot(page, "signed-in")

        page.click("#sign-out")
        page.wait_for_selector("#sign-in")
        page.goto(web_server.url)
        page.wait_for_selector("#sign-in")
        assert errors == []
    finally:
        context.close()
