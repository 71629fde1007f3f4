"""Saying what consent withheld: the sentences, the confidence it costs, the plan's wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.next_action.history import AccountHistory, Person, Touch, _unanswered
from agents.next_action.planning import plan_context, plan_steps
from agents.withheld import (
    kinds_phrase,
    merge_withheld,
    not_seen,
    note_withheld,
    restricted,
    withheld_confidence,
    withheld_sentences,
)
from core.recommendation import Fact, Recommendation
from governance.consent_tally import REASON, WithheldTally

NOW = datetime(2026, 11, 1, tzinfo=UTC)
WITHHELD = {
    "people": 2,
    "records": {"meeting": 3, "email": 6},
    "partial": {"meeting": 1},
    "reason": REASON,
}


def recommendation(confidence: float = 0.9) -> Recommendation:
    return Recommendation(
        kind="next_action",
        agent="next_action",
        subject={"account_id": "ACC-1"},
        content="Book a meeting.",
        confidence=confidence,
        provenance=[Fact(source="accounts", record_id="ACC-1", field="name", value="North")],
    )


def test_the_counts_in_plain_words() -> None:
    assert kinds_phrase({"email": 6, "meeting": 3}) == "3 meetings and 6 e-mails"
    assert kinds_phrase({"call": 1}) == "1 call"
    assert kinds_phrase({"meeting": 1, "email": 2, "call": 0, "web_visit": 4}) == (
        "1 meeting, 2 e-mails and 4 web visits"
    )
    assert withheld_sentences(WITHHELD) == [
        "3 meetings and 6 e-mails are withheld: the people in them have not consented to AI"
        " processing.",
        "1 meeting is used without the parts about people who have not consented (their"
        " names, titles and words).",
        "2 contacts have not consented to AI processing and are left out.",
    ]
    assert withheld_sentences(None) == [] and not_seen(None, "meeting") == ""
    assert not_seen(WITHHELD, "meeting") == "; 3 meetings are withheld"
    assert not_seen(WITHHELD, "call") == ""  # nothing of that kind was withheld


def test_a_note_says_it_cites_the_counts_and_lowers_the_confidence() -> None:
    noted = note_withheld(recommendation(), WITHHELD, used=10)
    assert noted.content.startswith("Book a meeting.\n\nWithheld: 3 meetings and 6 e-mails are")
    assert noted.data["withheld"] == WITHHELD
    # Every count the sentence states has a provenance fact (the figure check needs one).
    counts = {f.field: f.value for f in noted.provenance if f.source == "consent"}
    assert counts == {
        "withheld.people": 2,
        "withheld.meeting": 3,
        "withheld.email": 6,
        "withheld_in_part.meeting": 1,
    }
    # 9 of 19 records withheld whole: 0.9 x (1 - 0.6 x 9/19 - 0.2 x 1/19)
    assert noted.confidence == round(0.9 * (1 - 0.6 * 9 / 19 - 0.2 / 19), 3)
    plain = recommendation()  # nothing withheld: nothing to say, nothing changed
    assert note_withheld(plain, None) is plain and note_withheld(plain, {}) is plain


def test_the_more_is_withheld_the_lower_the_confidence() -> None:
    few = {"people": 1, "records": {"email": 1}, "partial": {}}
    many = {"people": 5, "records": {"email": 30}, "partial": {}}
    assert withheld_confidence(0.9, many, used=30) < withheld_confidence(0.9, few, used=30) < 0.9
    # Any withholding costs something, even a contact alone.
    assert withheld_confidence(0.9, {"people": 1, "records": {}, "partial": {}}) == 0.85
    assert withheld_confidence(0.9, None) == 0.9
    assert withheld_confidence(0.06, many, used=1) == 0.05  # never below the floor


def test_tallies_count_each_record_once_and_whole_over_part() -> None:
    tally = WithheldTally()
    tally.add_record("email_in", "EVT-1", whole=True)
    tally.add_record("email_out", "EVT-1", whole=True)
    tally.add_record("meeting", "EVT-2", whole=False)
    other = WithheldTally(people={"CON-1"})
    other.add_record("email_in", "EVT-1", whole=False)  # whole in one read, part in another
    tally.merge(other)
    assert tally.as_data() == {
        "people": 1,
        "records": {"email": 1},
        "partial": {"meeting": 1},
        "reason": REASON,
    }
    assert WithheldTally().as_data() is None


def test_merged_and_restricted_summaries() -> None:
    merged = merge_withheld(
        [WITHHELD, None, {"people": 4, "records": {"email": 2, "call": 1}, "partial": {}}]
    )
    assert merged == {
        "people": 4,
        "records": {"meeting": 3, "email": 6, "call": 1},
        "partial": {"meeting": 1},
        "reason": REASON,
    }
    assert merge_withheld([None, None]) is None
    only = restricted({"people": 9, "records": {}, "partial": {"deal": 80, "email": 2}}, "email")
    assert only is not None and only["partial"] == {"email": 2} and only["records"] == {}
    assert restricted({"people": 9, "records": {}, "partial": {"deal": 80}}, "email") is None


def touch(kind: str, days_ago: int, contact: str | None, ident: str, **extra: object) -> Touch:
    return Touch.model_validate(
        {
            "activity_id": ident,
            "kind": kind,
            "occurred_at": NOW - timedelta(days=days_ago),
            "contact_id": contact,
            "contact_name": None,
            "subject": "Quote",
            "people": [contact] if contact else [],
            **extra,
        }
    )


def history(**changes: object) -> AccountHistory:
    people = {
        "CON-1": Person(contact_id="CON-1", name="Ann Lee", title="Buyer", email=None),
        "CON-2": Person(contact_id="CON-2", name="Bo Wu", title="Engineer", email=None),
    }
    base = dict(
        account_id="ACC-1",
        account_name="North Clinic",
        as_of=NOW,
        stage="evaluation",
        stage_signals=["visits", "downloads"],
        people=people,
        open_deals=[
            {
                "deal_id": "DEAL-1",
                "name": "CT",
                "stage": "proposal",
                "amount": "10",
                "currency": "CNY",
                "close_date": "2027-03-01",
                "primary_contact_id": "CON-1",
            }
        ],
        recent=[],
        unanswered_emails=[],
        missed_calls=[],
        last_meeting=None,
        last_two_way=None,
    )
    return AccountHistory.model_validate({**base, **changes})


def test_an_absence_is_claimed_only_of_what_the_agent_could_see() -> None:
    plain = plan_steps(history())
    assert "there has been no meeting on record." in plain[0].why
    withheld = plan_steps(history(withheld=WITHHELD))
    meeting = next(s for s in withheld if s.title.startswith("Book a meeting"))
    assert meeting.why.endswith(
        "no meeting on record among the records I may use; 3 meetings are withheld."
    )
    assert plan_context(history(withheld=WITHHELD))[0] == (
        "Last meeting: none on record among the records I may use; 3 meetings are withheld."
    )


def test_every_unanswered_email_is_found_and_each_sender_gets_a_reply_step() -> None:
    touches = [  # newest first, as the history reads them
        touch("email_in", 1, "CON-2", "E5"),
        touch("meeting", 3, "CON-9", "M1", people=["CON-9", "CON-1"]),  # Ann attended
        touch("email_in", 4, "CON-1", "E4"),
        touch("email_in", 5, "CON-2", "E3"),
        touch("email_out", 6, "CON-7", "O1", in_reply_to="E2"),  # replied by id
        touch("email_in", 8, "CON-3", "E2"),
        touch("email_in", 9, "CON-2", "E1"),
    ]
    unanswered = _unanswered(touches, "email_in")
    assert [t.activity_id for t in unanswered] == ["E5", "E3", "E1"]
    steps = plan_steps(history(unanswered_emails=unanswered, recent=touches))
    assert steps[0].title == "Reply to Bo Wu"
    assert [f.record_id for f in steps[0].provenance] == ["E5", "E3", "E1"]
    assert "none of the 3 has had a reply" in steps[0].why
    assert plan_context(history(unanswered_emails=unanswered))[1].startswith(
        "Unanswered customer e-mails: 3 (Bo Wu on "
    )
