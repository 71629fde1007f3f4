"""The chat page's context and approvals in Debian's Chromium against a live server: the account
chip (visible, removable, sent as the run's focus and never written into the message), the rep
chosen on the page (sent with every run, remembered), approvals a rep can judge (reasoning,
sources and the full draft before the decision; the stored decision names who decided), the
withheld-data notice, and the warm-up state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_web_chat import choose_account, pick_assistant, runs_shown, wait_for_run

from crm.actions import ActionStore
from crm.db import make_engine

pytestmark = pytest.mark.slow
REP = ("REP-003", "Wang Lei")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


def sent_runs(page: Any) -> list[dict[str, Any]]:
    """Record the body of every run the page starts (``page.runs``)."""
    page.runs = []

    def keep(request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/runs/stream"):
            page.runs.append(json.loads(request.post_data))

    page.on("request", keep)
    return page.runs


def shot(locator: Any, name: str) -> None:
    """A screenshot of one element (the log scrolls, so a page shot may miss it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = locator.page
    size = page.viewport_size
    # Tall enough for the whole element: the log is a scroll container and clips it otherwise.
    height = int(locator.bounding_box()["height"]) + 400
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(ARTIFACTS / f"context-{name}.png"))
    page.set_viewport_size(size)


def ask_and_wait(page: Any, text: str) -> None:
    before = runs_shown(page)
    page.fill("#message", text)
    page.click("#send")
    wait_for_run(page, before)


def choose_rep(page: Any, rep_id: str = REP[0]) -> None:
    page.wait_for_selector("#rep:not([disabled])")
    page.select_option("#rep", rep_id)


def test_the_account_chip_is_sent_as_focus_and_can_be_removed(
    web_server, open_page, screenshot
) -> None:
    page = open_page(web_server)
    runs = sent_runs(page)
    # The panel shows an account at start, but nothing is the question's context until chosen.
    assert page.locator("#account-chip").is_hidden()
    assert page.locator("#account-chip-add").is_visible()
    choose_account(page, "Foshan")
    chip = page.locator("#account-chip")
    assert chip.is_visible() and "Foshan Chest Hospital" in chip.inner_text()
    account_id = chip.inner_text().split("·")[-1].strip().rstrip("×").strip()
    assert account_id.startswith("ACC-")
    choose_rep(page)
    pick_assistant(page, "relationships")
    question = "Who is the decision maker, and who should I engage next?"
    ask_and_wait(page, question)
    screenshot(page, "chip")
    body = runs[-1]
    # The rep's words exactly as typed; the account travels as structured focus.
    assert body["input"]["messages"] == [{"role": "user", "content": question}]
    assert body["input"]["focus"] == {"account_id": account_id}
    assert body["config"]["configurable"]["rep_id"] == REP[0]
    assert page.locator(".msg.user .bubble").last.inner_text() == question
    card = page.locator(".rec-card").last
    shot(card.locator(".rec-actions"), "suggested-actions")
    assert "Foshan Chest Hospital" in card.inner_text()
    # No control to approve on this card, so it does not say it needs approval.
    assert "needs your approval" not in card.inner_text().lower()
    assert card.locator(".rec-actions li").count() >= 1

    page.get_by_role("button", name="Remove Foshan Chest Hospital from the question").click()
    assert chip.is_hidden() and page.locator("#no-account").is_visible()
    ask_and_wait(page, "Which of my accounts are hottest this week?")
    screenshot(page, "no-chip")
    body = runs[-1]
    assert "focus" not in body["input"]
    assert body["input"]["messages"][0]["content"] == "Which of my accounts are hottest this week?"
    # The panel still shows the account; one click puts it back as the context.
    page.locator("#account-chip-add").click()
    assert chip.is_visible()
    # The chosen rep is remembered for the next visit.
    page.reload()
    page.wait_for_selector("#rep:not([disabled])")
    assert page.locator("#rep").input_value() == REP[0]
    assert page.errors == []


def test_an_approval_shows_its_reasoning_before_the_rep_decides_and_stores_who(
    web_server, open_page, screenshot
) -> None:
    page = open_page(web_server)
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_selector("#rep:not([disabled])")
    # As open_page does: the reloaded page's own first account is shown before one is chosen,
    # else its panel answer can arrive after the chosen account's and replace it.
    page.wait_for_selector(".account-name", state="attached")
    choose_account(page, "Foshan")
    pick_assistant(page, "next_action")
    ask_and_wait(page, "What should I do next with this account? Draft the follow-up.")
    card = page.locator(".approval-card").first
    card.wait_for()
    # The decision is the signed-in user's: no rep needs choosing before deciding.
    page.wait_for_selector(".approval-reason")
    approve = card.get_by_role("button", name="Approve", exact=True)
    page.wait_for_function("document.querySelector('.approval-card').dataset.ready === 'true'")
    assert approve.is_enabled()
    # What the rep judges, on the card before deciding: why, the records, the whole draft.
    reason = card.locator(".approval-reason").inner_text()
    assert len(reason) > 20
    sources = card.locator(".approval-sources li")
    assert sources.count() >= 1
    state = web_server.api(
        "GET", f"/threads/{page.locator('.thread.current').get_attribute('data-thread')}/state"
    )
    pause = state["interrupts"][0]["value"]
    assert reason == pause["step"]["why"]
    assert sources.count() == len(pause["sources"])
    if pause["action"]["kind"] == "send_email":
        assert card.locator(".draft-body").inner_text().strip() == pause["draft"].strip()
    pat_id = page.evaluate("fetch('/auth/me').then((r) => r.json())")["user_id"]
    assert f"Deciding as Pat Admin ({pat_id})" in card.inner_text()
    assert card.locator(".notice.withheld").is_visible()  # what consent kept from the plan
    shot(card, "approval-card")
    screenshot(page, "approval")

    before = runs_shown(page)
    approve.click()
    wait_for_run(page, before)
    assert f"Approved by Pat Admin ({pat_id})" in card.locator(".approval-status").inner_text()
    store = ActionStore(make_engine(f"sqlite:///{web_server.data_dir / 'crm.db'}"))
    decision = store.decision(
        recommendation_id=pause["recommendation_id"], action_index=pause["index"]
    )
    assert decision is not None
    assert (decision.decision, decision.reviewer) == ("approve", pat_id)
    assert page.errors == []


def test_a_card_says_what_consent_withheld(web_server, open_page, screenshot) -> None:
    page = open_page(web_server)
    choose_account(page, "Foshan")
    pick_assistant(page, "next_action")
    ask_and_wait(page, "What should I do next with this account?")
    card = page.locator(".rec-card").last
    notice = card.locator(".notice.withheld")
    notice.wait_for()
    thread = page.locator(".thread.current").get_attribute("data-thread")
    rec = web_server.api("GET", f"/threads/{thread}/state")["values"]["recommendation"]
    withheld = rec["data"]["withheld"]
    text = notice.inner_text()
    # The counts the agent recorded, in words, and why.
    assert f"{withheld['records']['email']} e-mails" in text
    assert f"{withheld['people']} people without consent" in text
    assert "not consented to AI processing" in text
    shot(card, "withheld-card")
    screenshot(page, "withheld")


def test_a_chinese_question_keeps_the_chip_and_renders(web_server, open_page, screenshot):
    page = open_page(web_server)
    runs = sent_runs(page)
    choose_account(page, "Foshan")
    pick_assistant(page, "relationships")
    question = "这家医院的决策者是谁？下一步应该联系谁？"
    ask_and_wait(page, question)
    assert runs[-1]["input"]["messages"][0]["content"] == question
    assert page.locator(".msg.user .bubble").last.inner_text() == question
    page.locator(".msg.user").last.scroll_into_view_if_needed()
    screenshot(page, "chinese")
    assert page.errors == []


def test_the_page_says_when_the_agents_are_warming_up(web_server, open_page, screenshot):
    page = open_page(web_server)
    info = web_server.api("GET", "/info")
    assert info["agents_ready"] is True and info["warm_up"]["state"] == "ready"
    # The same server as it answers during its first seconds: still loading the memory.
    warming = {
        **info,
        "agents_ready": False,
        "warm_up": {"state": "warming", "pending": ["memory"], "done": {}, "failed": {}},
    }
    page.route("**/info", lambda route: route.fulfill(json=warming))
    page.reload()
    notice = page.locator("#warming")
    notice.wait_for()
    assert "Warming up the agents (memory and embeddings)" in notice.inner_text()
    assert page.locator("#connection").inner_text() == "Warming up…"
    screenshot(page, "warming")
    page.unroute("**/info")  # ready now: the page notices on its next poll
    page.wait_for_function("document.body.dataset.agents === 'ready'")
    assert notice.is_hidden() and page.locator("#connection").inner_text() == "Connected"
