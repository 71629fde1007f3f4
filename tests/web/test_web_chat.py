"""The chat page in Debian's Chromium against a live server: streamed answers, sources, the
stakeholder map, approvals, stopping a run, the server going away, a phone, the keyboard."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crm.db import make_engine
from crm.store import CRMStore

pytestmark = pytest.mark.slow
ACCOUNT = "Foshan"


def choose_account(page: Any, text: str = ACCOUNT) -> None:
    page.fill("#account-search", text)
    page.wait_for_selector("#account-results li[data-account]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "text => document.querySelector('.account-name')?.textContent.includes(text)", arg=text
    )


def runs_shown(page: Any) -> int:
    return int(page.evaluate("Number(document.body.dataset.runsFinished || 0)"))


def wait_for_run(page: Any, before: int) -> None:
    """Until a run started after ``before`` runs were shown has been shown."""
    page.wait_for_function(
        f"Number(document.body.dataset.runsFinished || 0) > {before}", timeout=60_000
    )


def ask(page: Any, text: str) -> int:
    """Send ``text``; returns how many runs were shown before it (for wait_for_run)."""
    before = runs_shown(page)
    page.fill("#message", text)
    page.click("#send")
    return before


def ask_and_wait(page: Any, text: str) -> None:
    wait_for_run(page, ask(page, text))


def pick_assistant(page: Any, graph_id: str) -> None:
    page.select_option("#assistant", graph_id)


def test_a_question_streams_and_its_sources_open(web_server, open_page, screenshot) -> None:
    page = open_page(web_server)
    choose_account(page)
    before = ask(page, "Who is the decision maker, and who should I engage next?")
    # Tokens show while the run is still going: at least two token events before the end.
    page.wait_for_function(
        "() => { const b = document.querySelector('.bubble.streaming');"
        " return b && Number(b.dataset.tokens) >= 2 && b.querySelector('.live-text').textContent; }"
    )
    screenshot(page, "streaming")
    wait_for_run(page, before)
    answer = page.locator(".msg.assistant .bubble").last
    assert "Decision maker" in answer.inner_text()
    assert int(answer.get_attribute("data-tokens")) > 1
    card = page.locator(".rec-card").first
    meter = card.locator("[role=meter]")
    assert 0 < int(meter.get_attribute("aria-valuenow")) <= 100
    assert "Model:" in card.locator(".versions").get_attribute("title")
    card.locator(".sources summary").click()
    fact = card.locator(".fact", has_text="activities").first
    fact.click()
    record = card.locator(".source-record").first
    record.wait_for()
    assert "activity EVT-" in record.inner_text()
    screenshot(page, "source")
    card.get_by_role("button", name="Accept").click()
    page.wait_for_selector(".feedback-status:has-text('Accepted')")
    assert page.errors == []


def test_the_stakeholder_map_is_drawn_with_legend_and_table(web_server, open_page, screenshot):
    page = open_page(web_server)
    choose_account(page)
    pick_assistant(page, "relationships")
    ask_and_wait(page, "Map the stakeholders of this account.")
    figure = page.locator("figure.stakeholder-map").last
    figure.wait_for()
    people = figure.locator("svg .sm-node")
    rows = figure.locator(".sm-table tbody tr")
    assert people.count() >= 2 and people.count() == rows.count()
    assert figure.locator("svg .sm-edge").count() >= 1
    assert figure.locator(".sm-dm").count() == 1  # one decision maker, highlighted
    assert "Decision maker" in figure.locator(".sm-table").text_content()
    assert figure.locator(".sm-legend").is_visible()
    figure.scroll_into_view_if_needed()
    screenshot(page, "map")


def test_an_approval_resumes_the_run_until_it_finishes(web_server, open_page, screenshot) -> None:
    page = open_page(web_server)
    page.wait_for_selector("#rep:not([disabled])")
    page.select_option("#rep", "REP-001")  # a decision records who made it
    choose_account(page)
    pick_assistant(page, "next_action")
    ask(page, "What should I do next with this account? Draft the follow-up.")
    first = page.locator(".approval-card").first
    first.wait_for()
    screenshot(page, "approval")
    before = runs_shown(page)
    first.get_by_role("button", name="Approve", exact=True).click()
    wait_for_run(page, before)
    assert "Approved" in first.locator(".approval-status").inner_text()
    assert first.get_attribute("data-outcome") in {"send_email", "create_task"}
    # Further proposed actions: reject them one by one until the run ends.
    for _ in range(5):
        pending = page.locator(".approval-card:not(.settled)")
        if not pending.count():
            break
        before = runs_shown(page)
        pending.first.get_by_role("button", name="Reject").click()
        wait_for_run(page, before)
    assert "Rejected" in page.locator(".approval-card").last.inner_text()
    assert page.locator(".approval-card:not(.settled)").count() == 0
    thread_id = page.locator(".thread.current").get_attribute("data-thread")
    assert web_server.api("GET", f"/threads/{thread_id}")["status"] == "idle"
    screenshot(page, "finished")


def test_the_stop_button_cancels_the_run(web_server, open_page, screenshot) -> None:
    product = CRMStore(make_engine(f"sqlite:///{web_server.data_dir / 'crm.db'}")).list_products()[
        0
    ]
    page = open_page(web_server)
    pick_assistant(page, "technical_qa")
    before = ask(page, f"LONG ANSWER please: how long does the battery of the {product.name} last?")
    page.wait_for_function(
        "Number(document.querySelector('.bubble.streaming')?.dataset.tokens) >= 3"
    )
    page.click("#stop")
    page.wait_for_selector(".bubble.stopped")
    wait_for_run(page, before)
    bubble = page.locator(".bubble.stopped")
    assert "Stopped" in bubble.inner_text()
    thread_id = page.locator(".thread.current").get_attribute("data-thread")
    runs = web_server.api("GET", f"/threads/{thread_id}/runs")
    assert runs[0]["status"] == "interrupted"
    screenshot(page, "stopped")


def test_escape_stops_and_enter_sends_without_a_mouse(web_server, open_page) -> None:
    page = open_page(web_server)
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "message"
    page.keyboard.type("LONG ANSWER: who should I engage next at Foshan Chest Hospital?")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg.user")
    page.wait_for_selector("body.running")
    page.keyboard.press("Escape")
    page.wait_for_selector(".bubble.stopped")
    assert page.locator(".msg.user .bubble").last.inner_text().startswith("LONG ANSWER")
    # Focus is visible: the focused control gets the focus ring.
    page.keyboard.press("Shift+Tab")
    shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert shadow != "none"


def test_a_stopped_server_shows_a_clear_error(start_server, open_page, screenshot) -> None:
    with start_server() as server:
        page = open_page(server)
        server.stop()
        ask(page, "What should I do next?")
        error = page.locator(".bubble.error")
        error.wait_for()
        assert "cannot be reached" in error.inner_text()
        assert page.locator("#banner").is_visible()
        assert page.locator("#connection").inner_text() == "Offline"
        screenshot(page, "offline")


def test_a_phone_sized_screen_collapses_the_side_panel(web_server, open_page, screenshot) -> None:
    page = open_page(web_server, width=390, height=844)
    panel = page.locator("#account")
    assert not panel.is_visible() or panel.bounding_box()["x"] >= 390
    screenshot(page, "closed")
    page.click("#toggle-account")
    page.wait_for_function(
        "document.getElementById('account').getBoundingClientRect().right <= 390"
    )
    assert page.locator(".account-name").is_visible()
    screenshot(page, "panel")
    page.keyboard.press("Escape")
    page.click("#account-chip-add")  # the account shown becomes the question's context
    ask_and_wait(page, "Who is the decision maker at this account?")
    screenshot(page, "answer")
    page.locator(".rec-card").last.scroll_into_view_if_needed()
    assert page.locator(".rec-card").last.is_visible()
    for selector in (".rec-card", ".composer", ".msg.assistant .bubble"):  # all on screen
        box = page.locator(selector).last.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, selector


def test_enter_right_after_typing_chooses_what_was_typed(web_server, open_page) -> None:
    page = open_page(web_server)
    page.click("#account-search")
    page.fill("#account-search", "")
    # The list for the empty box is showing; the rep types a name and presses Enter at once,
    # before the list for the new text has come back.
    page.wait_for_selector("#account-results li[data-account]")
    first = page.locator("#account-results li[data-account]").first.inner_text()
    assert ACCOUNT not in first
    page.keyboard.type(ACCOUNT)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "text => document.querySelector('.account-name')?.textContent.includes(text)", arg=ACCOUNT
    )
    assert page.errors == []


def test_the_page_loading_does_not_overwrite_what_the_rep_types(web_server, open_page) -> None:
    page = open_page(web_server)
    held: list[Any] = []
    # The account the page shows to start from is held back until the rep has started typing.
    page.route(re.compile(r"/crm/accounts\?limit=1$"), lambda route: held.append(route))
    page.reload()
    page.wait_for_selector("#rep:not([disabled])")
    page.fill("#account-search", ACCOUNT)
    while not held:
        page.wait_for_timeout(50)
    with page.expect_response(re.compile(r"/crm/accounts\?limit=1$")):
        held[0].continue_()
    page.wait_for_timeout(200)  # the page's own continuation after the answer
    assert page.input_value("#account-search") == ACCOUNT
    choose_account(page)
    assert page.errors == []


def test_a_late_overview_does_not_replace_the_chosen_account(web_server, open_page) -> None:
    page = open_page(web_server)
    first = web_server.api("GET", "/crm/accounts?limit=1")[0]
    assert ACCOUNT not in first["name"]
    held: list[Any] = []
    # The starting account's overview is held back until the rep has chosen another account.
    page.route(f"**/crm/accounts/{first['id']}", lambda route: held.append(route))
    page.reload()
    while not held:
        page.wait_for_timeout(50)
    choose_account(page)
    with page.expect_response(f"**/crm/accounts/{first['id']}"):
        held[0].continue_()
    page.wait_for_timeout(200)  # the page's own continuation after the answer
    assert ACCOUNT in page.locator(".account-name").inner_text()
    assert page.errors == []
