"""The relationships agent's deterministic parts: cue reading, the org chart, scoring, engagement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.figures import ungrounded_numbers
from agents.relationships.evidence import Note, PeopleIndex, read_cues, split_sentences
from agents.relationships.grounding import draft_is_grounded, unknown_words
from agents.relationships.hierarchy import Person, build_org_chart
from agents.relationships.mapping import build_stakeholder_map
from agents.relationships.scoring import coverage_level, sentiment_of
from core.recommendation import Fact
from tools.stakeholders import AccountRef, ContactActivity, StakeholderContact

NOW = datetime(2026, 11, 1, tzinfo=UTC)
PEOPLE = PeopleIndex(
    [
        ("C1", "Xin Han", "Vice President, Operations"),
        ("C2", "Bo Du", "Head of Radiology"),
        ("C3", "Lihui Zhao", "President"),
        ("C4", "Min Li", "Biomedical Engineer"),
        ("C5", "Yun Ma", "Biomedical Engineer"),
    ]
)


def note(
    text: str, kind: str = "meeting", contact_id: str | None = "C2", record_id: str = "EVT-1"
) -> Note:
    return Note("activities", record_id, kind, NOW - timedelta(days=10), contact_id, text)


def cues_of(*notes: Note) -> list[tuple[str, str, str]]:
    return sorted((c.contact_id, c.kind, c.label) for c in read_cues(list(notes), PEOPLE))


def test_authority_goes_to_the_person_named_nearest_the_phrase() -> None:
    said = note("Bo Du said the purchase needs approval from the Vice President, Operations.")
    assert cues_of(said) == [("C1", "authority", "approval")]
    assert cues_of(note("Final sign-off rests with Xin Han, who did not attend.")) == [
        ("C1", "authority", "sign-off")
    ]


def test_longest_title_wins_and_shared_titles_name_nobody() -> None:
    # "President" inside "Vice President, Operations" is not Lihui Zhao.
    assert cues_of(note("The Vice President, Operations will sign off.")) == [
        ("C1", "authority", "sign-off")
    ]
    assert cues_of(note("The President will sign off.")) == [("C3", "authority", "sign-off")]
    assert cues_of(note("The Biomedical Engineer will sign off.")) == []


def test_first_person_counts_only_in_their_own_emails() -> None:
    theirs = note("We need the manual before I sign off.", kind="email_in", contact_id="C3")
    assert cues_of(theirs) == [("C3", "authority", "sign-off")]
    ours = note("We need the manual before I sign off.", kind="meeting", contact_id="C3")
    assert cues_of(ours) == []


def test_negation_and_asides_cancel_a_phrase() -> None:
    assert cues_of(note("Xin Han does not sign off on equipment.")) == []
    assert cues_of(note("Min Li checked alarms (cycle cancelled, door open) and was happy.")) == [
        ("C4", "positive", "positive")
    ]
    assert cues_of(note("Bo Du asked about certifications (SRRC radio type approval).")) == []


def test_sentiment_of_a_sentence_naming_nobody_goes_to_the_notes_contact() -> None:
    email = note(
        "The price is above our expectation. Thanks anyway.", kind="email_in", contact_id="C4"
    )
    assert cues_of(email) == [
        ("C4", "negative", "price above expectation"),
        ("C4", "positive", "thanks us"),
    ]
    # Our own e-mails carry no sentiment of theirs, but may still hint who decides.
    ours = note(
        "Thanks for your time. Please share it with Xin Han.", kind="email_out", contact_id="C2"
    )
    assert cues_of(ours) == [("C1", "authority", "offer forwarded to")]


def test_sentence_split_keeps_titles_and_spec_lists_whole() -> None:
    text = "Demo led by Bo Du (Head of Radiology). Min Li checked it (70% alcohol, wipes).\nNext step: trial."
    assert split_sentences(text) == [
        "Demo led by Bo Du (Head of Radiology).",
        "Min Li checked it (70% alcohol, wipes).",
        "Next step: trial.",
    ]


def test_sentiment_formula() -> None:
    cues = read_cues([note("Bo Du was impressed and thanks us.")], PEOPLE)
    assert sentiment_of(cues) == (0.5, 1)  # one positive sentence: (1 - 0) / (1 + 0 + 1)
    assert sentiment_of([]) == (0.0, 0)


@pytest.mark.parametrize(
    ("links", "dropped"),
    [
        ({"A": "A"}, [("A", "A", "cycle")]),
        ({"A": "C", "B": "A", "C": "B"}, [("A", "C", "cycle")]),
        ({"A": None, "B": "ZZ"}, [("B", "ZZ", "manager_not_in_account")]),
        ({"A": "B", "B": "A", "C": "D", "D": "C"}, [("A", "B", "cycle"), ("C", "D", "cycle")]),
    ],
)
def test_org_chart_cuts_cycles_at_the_most_senior_and_drops_outside_managers(
    links: dict[str, str | None], dropped: list[tuple[str, str, str]]
) -> None:
    seniority = {"A": "executive", "B": "director", "C": "executive", "D": "staff"}
    chart = build_org_chart([Person(p, seniority[p], boss) for p, boss in links.items()])
    assert [(d.source, d.target, d.reason) for d in chart.dropped] == dropped
    for person in chart.managers:  # every chain now ends
        seen, boss = set(), chart.managers[person]
        while boss is not None:
            assert boss not in seen
            seen.add(boss)
            boss = chart.managers[boss]


def test_reach_counts_everyone_below() -> None:
    chart = build_org_chart(
        [Person("A", "executive", None), Person("B", "director", "A"), Person("C", "staff", "B")]
    )
    assert chart.reach == {"A": 2, "B": 1, "C": 0}
    assert chart.reach_share("A") == 1.0 and chart.reach_share("C") == 0.0


def test_coverage_levels() -> None:
    assert coverage_level(None, NOW) == "none"
    assert coverage_level(ContactActivity(contact_id="x", emails_out=2), NOW) == "unanswered"
    old = ContactActivity(contact_id="x", meetings=1, last_contact=NOW - timedelta(days=400))
    assert coverage_level(old, NOW) == "lapsed"
    thin = ContactActivity(contact_id="x", meetings=1, two_way_recent=1, last_contact=NOW)
    assert coverage_level(thin, NOW) == "thin"
    busy = ContactActivity(contact_id="x", meetings=3, two_way_recent=3, last_contact=NOW)
    assert coverage_level(busy, NOW) == "active"


def _contacts() -> list[StakeholderContact]:
    return [
        StakeholderContact(
            contact_id="C1",
            name="Xin Han",
            title="Vice President, Operations",
            department="Administration",
            seniority="executive",
            reports_to="C3",
        ),
        StakeholderContact(
            contact_id="C2",
            name="Bo Du",
            title="Head of Radiology",
            department="Radiology",
            seniority="director",
            reports_to="C3",
        ),
        StakeholderContact(
            contact_id="C3",
            name="Lihui Zhao",
            title="President",
            department="Administration",
            seniority="executive",
            reports_to=None,
        ),
    ]


ACCOUNT = AccountRef(account_id="ACC-1", name="Test Hospital", industry="hospital", tier="key")


def test_without_wording_the_pick_is_a_labelled_guess() -> None:
    stakeholders = build_stakeholder_map(ACCOUNT, _contacts(), {}, [], as_of=NOW)
    assert stakeholders.decision_maker == "C1"  # executive with a purchasing title
    assert stakeholders.decision_maker_confidence == 0.15
    assert stakeholders.engage_next[0].contact_id == "C1"
    assert "no interaction" in stakeholders.engage_next[0].reason


def test_disagreeing_wording_lowers_confidence() -> None:
    agreed = [
        note("Bo Du will sign off.", record_id="E1"),
        note("Bo Du has the final decision.", record_id="E2"),
    ]
    split = [
        note("Bo Du will sign off.", record_id="E1"),
        note("Lihui Zhao will sign off.", record_id="E2"),
    ]
    one = build_stakeholder_map(ACCOUNT, _contacts(), {}, agreed, as_of=NOW)
    two = build_stakeholder_map(ACCOUNT, _contacts(), {}, split, as_of=NOW)
    assert (
        one.decision_maker == "C2" and one.decision_maker_confidence > two.decision_maker_confidence
    )


def test_a_champion_introduces_a_cold_decision_maker() -> None:
    activity = {
        "C2": ContactActivity(
            contact_id="C2",
            meetings=2,
            emails_in=1,
            two_way_recent=3,
            last_contact=NOW - timedelta(days=3),
            last_contact_activity_id="E9",
        ),
    }
    notes = [
        note(
            "Thanks for the demo, we are impressed.",
            kind="email_in",
            contact_id="C2",
            record_id="E8",
        ),
        note("Final sign-off rests with Xin Han.", record_id="E7"),
    ]
    stakeholders = build_stakeholder_map(ACCOUNT, _contacts(), activity, notes, as_of=NOW)
    assert stakeholders.decision_maker == "C1" and stakeholders.champions == ["C2"]
    first = stakeholders.engage_next[0]
    assert first.contact_id == "C1" and first.action.startswith("Ask Bo Du for an introduction")


def test_ungrounded_numbers_are_whole_tokens() -> None:
    facts = [Fact(source="activities", record_id="EVT-7", field="occurred_at", value="2026-07-17")]
    assert ungrounded_numbers("Last met on 2026-07-17.", facts) == []
    assert ungrounded_numbers("Call within 17 days.", facts) == ["17"]
    assert ungrounded_numbers("See EVT-7.", facts) == []


def test_invented_words_fail_the_draft() -> None:
    given = "Engage next: 1. Xin Han (Vice President, Operations) is the decision maker."
    assert unknown_words("Start with Xin Han, the decision maker: book a meeting.", given) == []
    assert unknown_words("Xin Han is a loyal team player.", given) == ["loyal", "team", "player"]
    facts = [Fact(source="contacts", record_id="C1", field="title", value="Vice President")]
    ok = "Start with Xin Han: the decision maker."
    assert draft_is_grounded(ok, first_name="Xin Han", facts_text=given, facts=facts)
    assert not draft_is_grounded(ok, first_name="Bo Du", facts_text=given, facts=facts)
    assert not draft_is_grounded(
        "Xin Han is the CEO.", first_name="Xin Han", facts_text=given, facts=facts
    )
    assert not draft_is_grounded(
        "x" * 900 + " Xin Han", first_name="Xin Han", facts_text=given, facts=facts
    )
    listed = "1. Xin Han (Vice President, Operations)\n2. Xin Han"
    assert draft_is_grounded(listed, first_name="Xin Han", facts_text=given, facts=facts)
