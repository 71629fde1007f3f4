"""Planning rules, draft grounding and approval decisions of the next best action agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.next_action.drafting import draft_is_grounded, facts_text, template_draft
from agents.next_action.execution import edited_action, execute, read_review
from agents.next_action.history import AccountHistory, OpenDeal, Person, Touch
from agents.next_action.planning import plan_steps, primary_contact
from core.recommendation import Action

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def touch(kind: str, days_ago: int, contact: str = "CON-1", ident: str = "ACT-1") -> Touch:
    return Touch(
        activity_id=ident,
        kind=kind,
        occurred_at=NOW - timedelta(days=days_ago),
        contact_id=contact,
        contact_name="Ann Lee",
        subject="Quote",
    )


def history(**changes: object) -> AccountHistory:
    base = dict(
        account_id="ACC-1",
        account_name="North Clinic",
        as_of=NOW,
        stage="research",
        stage_signals=["visits"],
        people={"CON-1": Person(contact_id="CON-1", name="Ann Lee", title="Buyer", email=None)},
        open_deals=[],
        recent=[],
        unanswered_emails=[],
        missed_calls=[],
        last_meeting=None,
        last_two_way=None,
    )
    return AccountHistory.model_validate({**base, **changes})


def test_unanswered_email_comes_first_with_its_record() -> None:
    email = touch("email_in", 2)
    steps = plan_steps(history(unanswered_emails=[email], last_two_way=email, recent=[email]))
    assert steps[0].action.kind == "send_email"
    assert steps[0].action.payload["in_reply_to"] == "ACT-1"
    assert steps[0].provenance[0].record_id == "ACT-1"
    assert "no reply" in steps[0].why and steps[0].action.requires_approval


def test_deal_rules_and_late_stage_without_deal() -> None:
    deal = OpenDeal(
        deal_id="DEAL-1",
        name="CT",
        stage="proposal",
        amount="10",
        currency="CNY",
        close_date=(NOW - timedelta(days=3)).date().isoformat(),
        primary_contact_id="CON-1",
    )
    steps = plan_steps(history(open_deals=[deal], last_two_way=touch("meeting", 1)))
    assert steps[0].title.startswith("Confirm the timeline") and steps[0].deal_id == "DEAL-1"
    far = deal.model_copy(update={"close_date": None})
    steps = plan_steps(history(open_deals=[far], last_meeting=touch("meeting", 40)))
    assert steps[0].title.startswith("Book a meeting")
    steps = plan_steps(history(stage="negotiation", last_two_way=touch("meeting", 1)))
    assert (
        steps[0].title.startswith("Open a deal") and steps[0].provenance[0].value == "negotiation"
    )


def test_quiet_account_gets_a_follow_up_and_plans_are_capped() -> None:
    steps = plan_steps(history())
    assert [s.action.kind for s in steps] == ["send_email"] and steps[0].contact_id is None
    many = plan_steps(
        history(
            unanswered_emails=[touch("email_in", 2)],
            missed_calls=[touch("call_missed", 3, ident="ACT-2")],
            stage="evaluation",
        )
    )
    assert len(many) == 3 and primary_contact(history(), many) == "CON-1"


def test_draft_grounding() -> None:
    h = history(unanswered_emails=[touch("email_in", 2)])
    steps = plan_steps(h)
    facts = facts_text(h, steps, "CON-1")
    assert draft_is_grounded("Dear Ann Lee,\nThank you. We will reply about North Clinic.", facts)
    assert not draft_is_grounded("Dear Ann Lee, we offer 20% off.", facts)
    assert not draft_is_grounded("Dear Ann Lee, Bob Stone will call you.", facts)
    assert not draft_is_grounded("Please see DEAL-77.", facts)
    assert not draft_is_grounded("   ", facts)
    assert draft_is_grounded(template_draft(h, steps, "CON-1"), facts)


def test_reviews_are_strict_and_edits_keep_the_kind() -> None:
    assert read_review({"decision": "approve"})[0] is not None
    assert read_review("reject")[0].decision == "reject"  # type: ignore[union-attr]
    for bad in ({"decision": "yes"}, None, 3, {"action": {}}):
        review, problem = read_review(bad)
        assert review is None and problem
    original = Action(kind="send_email", description="d", payload={"subject": "a", "body": "b"})
    review, _ = read_review(
        {"decision": "edit", "action": {"kind": "update_grade", "payload": {"subject": "c"}}}
    )
    assert review is not None
    changed = edited_action(original, review)
    assert changed.kind == "send_email" and changed.payload == {"subject": "c", "body": "b"}
    assert execute(changed, index=0)["status"] == "queued"
    assert execute(Action(kind="create_task", description="t"), index=1)["status"] == "done"


def test_a_reply_subject_says_re_once() -> None:
    from agents.next_action.planning import reply_subject

    assert reply_subject("RE: PulseGuard C1 technical questions") == (
        "RE: PulseGuard C1 technical questions"
    )
    assert reply_subject("Quotation for LabCore H50") == "Re: Quotation for LabCore H50"
    assert reply_subject(None) == "Re:"


def test_a_draft_that_names_its_reader_again_is_caught() -> None:
    from agents.next_action.drafting import reader_named_again

    written_about = (
        "Dear Minfang Lin,\n\nI am writing about the call made to Minfang Lin on 2026-06-25."
        "\n\nBest regards,\n\nMinfang Lin"
    )
    assert reader_named_again(written_about)
    assert not reader_named_again(
        "Dear Minfang Lin,\n\nThank you for your call on 2026-06-25.\n\nBest regards"
    )
    assert not reader_named_again("Thank you for your message.")
