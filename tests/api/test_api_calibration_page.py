"""The reviewers' page in a real browser: a reviewer scores and skips items with the keyboard."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from crm.db import make_engine, migrate
from tests.support.calibration_world import fill_log
from tests.support.credentials import headers_for, provision, sign_in_page

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")


REVIEWER = "ann@example.com"
PASSWORD = "a reviewer's password"


@pytest.fixture
def filled(settings: Settings) -> None:
    """A month of recommendations in the database the live server will open, and Ann, an
    evaluator who signs in on the page."""
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    fill_log(engine, months=1)
    engine.dispose()
    provision(settings, user=REVIEWER, roles=("evaluator",), password=PASSWORD)


@pytest.fixture
def page(filled: None, live_server: str) -> Iterator[Any]:
    if shutil.which(str(CHROMIUM)) is None:
        pytest.skip("Debian's Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.set_default_timeout(30_000)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        yield page
        browser.close()


def test_a_reviewer_scores_and_skips_with_the_keyboard(page: Any, live_server: str) -> None:
    admin = headers_for(live_server)
    batch = httpx.post(
        f"{live_server}/calibration/batches", json={"period": "2026-10"}, headers=admin, timeout=30
    ).json()
    sign_in_page(
        page, live_server, REVIEWER, PASSWORD, then=f"/calibration/review?batch={batch['id']}"
    )
    # Ann reviews as herself: the page names her and asks nobody to type a reviewer.
    page.wait_for_selector("#reviewer:has-text('Reviewing as ann@example.com')")
    page.wait_for_selector("#meta:has-text('#1 ')")
    first_text = page.text_content("#content")
    page.keyboard.press("4")
    page.keyboard.press("c")
    assert page.get_attribute("[data-score='4']", "aria-pressed") == "true"
    assert page.get_attribute("#correct", "aria-pressed") == "true"
    page.keyboard.press("Enter")
    page.wait_for_selector("#meta:has-text('#2 ')")
    assert page.text_content("#status") == "Saved."
    assert page.text_content("#content") != first_text
    page.keyboard.press("s")
    page.wait_for_selector("#meta:has-text('#3 ')")
    # Saving without a score says what is missing and sends nothing.
    page.keyboard.press("Enter")
    assert "Give a score" in page.text_content("#status")
    items = httpx.get(
        f"{live_server}/calibration/batches/{batch['id']}/queue",
        params={"limit": 2},  # the admin's own queue: nothing reviewed, so from the start
        headers=admin,
        timeout=30,
    ).json()
    first = httpx.get(
        f"{live_server}/calibration/batches/{batch['id']}/items/{items[0]['id']}",
        headers=admin,
        timeout=30,
    ).json()
    second = httpx.get(
        f"{live_server}/calibration/batches/{batch['id']}/items/{items[1]['id']}",
        headers=admin,
        timeout=30,
    ).json()
    ann = page.evaluate("fetch('/auth/me').then((r) => r.json())")["user_id"]
    assert [(r["reviewer"], r["score"], r["correct"]) for r in first["reviews"]] == [(ann, 4, True)]
    assert [(r["reviewer"], r["skipped"]) for r in second["reviews"]] == [(ann, True)]
    # Her own progress: one scored, one skipped; Bob's reviews would not count.
    items = batch["items"]
    assert page.text_content("#progress") == (
        f"You: 1 scored, 1 skipped, {items - 2} left of {items} items"
    )
    assert page.is_hidden("#empty") and page.is_visible("#rubric-title")
    assert page.errors == []


def test_with_no_batch_the_page_says_how_to_start_one(page: Any, live_server: str) -> None:
    sign_in_page(page, live_server, REVIEWER, PASSWORD, then="/calibration/review")
    page.wait_for_selector("#empty", state="visible")
    text = page.text_content("#empty")
    assert "crm-agents calibrate sample" in text
    assert f"curl -X POST {live_server}/calibration/batches" in text and "-d '{}'" in text
    assert "No batch yet" in page.text_content("#content")
    assert "5 · Excellent" in page.text_content(".rubric")
    # Following the instructions starts a batch; reloading shows it instead of the help.
    assert httpx.post(f"{live_server}/calibration/batches", json={"period": "2026-10"},
                      headers=headers_for(live_server), timeout=30).status_code == 201  # fmt: skip
    page.reload()
    page.wait_for_selector("#batch option", state="attached")
    assert page.is_hidden("#empty")
    assert page.errors == []
