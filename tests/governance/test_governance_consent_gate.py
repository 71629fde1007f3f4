"""Consent at the point of use: after a revocation of ``ai_processing`` the very next agent run
uses none of the person's data, checked through its provenance and the memory retrievals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from core.recommendation import Recommendation
from crm.enums import NOTE_KINDS
from crm.records import ContactRecord
from crm.scope import AccountScope
from governance.consent import AI_PROCESSING, ConsentLedger
from governance.consent_gate import (
    ConsentGatedCRM,
    ConsentWithheld,
    WithheldPeople,
    collect_withheld,
)
from graphs.registry import registered_graphs
from intake.event_intake import EventIntake
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from llm.scripted import scripted_model
from memory import RetrievedChunk
from tests.support.consent import TEST_KEY
from tests.support.relationships_world import ANN, AS_OF, BEN, CAI, DAN, LOOP, World, build_world
from tools.agent_services import AgentServices

pytestmark = pytest.mark.anyio
# Everything that identifies Dan Loop: his id, name and the activities and notes about him.
DAN_TRACES = (DAN, "Dan Loop", "EVT-990002", "EVT-990003")
# Ben's: his id and name, and the future meeting with Ann (EVT-990006). The pricing review he
# attended with Cai (EVT-990001) is Cai's too: it stays usable without Ben and his words.
BEN_TRACES = (BEN, "Ben Loop", "Director of Operations", "EVT-990006")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    register_providers()
    built = build_world(tmp_path_factory.mktemp("consent-gate"))
    yield built
    built.engine.dispose()


@pytest.fixture
def ledger(world: World) -> Iterator[ConsentLedger]:
    ledger = ConsentLedger(world.engine, key=TEST_KEY)
    yield ledger
    for contact_id in (BEN, CAI, DAN):  # every test leaves everyone consenting again
        if not ledger.allowed(contact_id, AI_PROCESSING):
            ledger.grant(contact_id=contact_id, purpose=AI_PROCESSING, notice_version="t",
                         source="test")  # fmt: skip


@pytest.fixture
def services(world: World, ledger: ConsentLedger) -> AgentServices:
    # A plain store, as create_services passes it: the bundle puts the gate in front of it.
    from crm.store import CRMStore

    return AgentServices(
        settings=world.settings,
        crm=CRMStore(world.engine),
        # These graphs run for no user: every account, in runs and out of them.
        crm_scope_outside_runs=AccountScope.unrestricted(),
        crm_scope_unscoped_runs=AccountScope.unrestricted(),
        memory=world.memory,
        chat_model=chat_model(world.settings),
        model_info=model_info(world.settings),
        consent=ledger,
    )


@pytest.fixture
def retrievals(world: World, monkeypatch: pytest.MonkeyPatch) -> list[RetrievedChunk]:
    """Every chunk the memory hands out during the test (a spy on the real search)."""
    seen: list[RetrievedChunk] = []
    search = world.memory.search_account_notes

    def spy(*args: Any, **kwargs: Any) -> list[RetrievedChunk]:
        found = search(*args, **kwargs)
        seen.extend(found)
        return found

    monkeypatch.setattr(world.memory, "search_account_notes", spy)
    return seen


async def _map(services: AgentServices) -> tuple[Recommendation, dict[str, Any]]:
    graph = registered_graphs()["relationships"].build(services=services)
    with scripted_model(responses=["x"]):
        state = await graph.ainvoke({"account_id": LOOP, "as_of": AS_OF})
    return Recommendation.model_validate(state["recommendation"]), state


def _traces(rec: Recommendation, state: dict[str, Any], traces: tuple[str, ...]) -> list[str]:
    """Provenance facts, stakeholder nodes and text that mention any of ``traces``."""
    found = [
        f"{f.source}:{f.record_id}"
        for f in rec.provenance
        if any(t in f"{f.record_id} {f.value}" for t in traces)
    ]
    found += [
        n["contact_id"] for n in state["stakeholder_map"]["nodes"] if n["contact_id"] in traces
    ]
    return found + [t for t in traces if t in rec.content]


def _chunk_traces(chunks: list[RetrievedChunk], traces: tuple[str, ...]) -> list[str]:
    return [
        c.chunk_id
        for c in chunks
        if c.contact_id in traces or any(t in f"{c.chunk_id} {c.text}" for t in traces)
    ]


async def test_a_revocation_counts_from_the_next_run(
    services: AgentServices, ledger: ConsentLedger, retrievals: list[RetrievedChunk]
) -> None:
    before, state = await _map(services)
    assert _traces(before, state, DAN_TRACES)  # with consent, Dan's data is used
    assert _chunk_traces(retrievals, DAN_TRACES)
    retrievals.clear()

    ledger.revoke(contact_id=DAN, purpose=AI_PROCESSING, notice_version="2026-11", source="email")
    after, state = await _map(services)  # the same services: nothing was cached
    assert _traces(after, state, DAN_TRACES) == []
    assert retrievals and _chunk_traces(retrievals, DAN_TRACES) == []  # never even retrieved
    assert {n["contact_id"] for n in state["stakeholder_map"]["nodes"]} == {"CON-90001", BEN, CAI}

    ledger.grant(contact_id=DAN, purpose=AI_PROCESSING, notice_version="2026-11", source="email")
    again, state = await _map(services)
    assert _traces(again, state, DAN_TRACES)


async def test_a_meeting_with_a_withheld_person_is_kept_without_them(
    services: AgentServices, ledger: ConsentLedger, retrievals: list[RetrievedChunk]
) -> None:
    # Ben attended Cai's pricing review (EVT-990001), which also names him in its notes.
    ledger.revoke(contact_id=BEN, purpose=AI_PROCESSING, notice_version="v2", source="phone")
    rec, state = await _map(services)
    assert _traces(rec, state, BEN_TRACES) == []
    assert _chunk_traces(retrievals, BEN_TRACES) == []
    cai = next(n for n in state["stakeholder_map"]["nodes"] if n["contact_id"] == CAI)
    assert cai["stats"]["meetings"] == 1  # the shared meeting counts for Cai, without Ben
    # Cai reported to Ben: the line is cut rather than naming him.
    assert all(BEN not in (e["source"], e["target"]) for e in state["stakeholder_map"]["edges"])
    withheld = rec.data["withheld"]
    # Counted as read: the pricing review, and Ben's later meeting with Ann (read, then left
    # out as after ``as_of``), both used in part.
    assert withheld["people"] == 1 and withheld["partial"] == {"meeting": 2}
    assert "2 meetings are used without the parts about people who have not consented" in (
        rec.content
    )
    assert "1 contact has not consented to AI processing" in rec.content


def test_the_gate_keeps_only_what_is_not_theirs(
    services: AgentServices, ledger: ConsentLedger
) -> None:
    crm = services.crm
    assert isinstance(crm, ConsentGatedCRM)
    ledger.revoke(contact_id=BEN, purpose=AI_PROCESSING, notice_version="v2", source="phone")
    with collect_withheld() as tally:
        found = {a.id: a for a in crm.activities_for_account(account_id=LOOP, limit=5000)}
    review = found["EVT-990001"]  # Cai's pricing review, which Ben attended
    assert review.meta["attendees"] == [CAI] and review.contact_id == CAI
    assert review.occurred_at.isoformat().startswith("2026-09-01") and review.kind == "meeting"
    assert "Ben" not in (review.body or "") and "sign off" not in (review.body or "")
    # Of a conversation he was in, only sentences attributed to a consenting person remain.
    assert review.body == (
        "Reviewed the quotation with Cai Loop (Procurement Manager). [withheld] Cai Loop raised"
        " concerns about the service contract and objected to the delivery terms."
    )
    assert "EVT-990006" in found  # Ben's meeting with Ann: Ann's part stays
    assert found["EVT-990006"].meta["attendees"] == [ANN] and found["EVT-990006"].contact_id is None
    assert found["EVT-990006"].body == "Ann Loop will make the final call."
    data = tally.as_data()
    assert data is not None and data["people"] == 1
    assert data["partial"] == {"meeting": 2} and data["records"] == {}


def test_a_record_only_withheld_people_took_part_in_is_withheld_whole_and_counted(
    services: AgentServices, ledger: ConsentLedger
) -> None:
    crm = services.crm
    ledger.revoke(contact_id=DAN, purpose=AI_PROCESSING, notice_version="v2", source="phone")
    with collect_withheld() as outer:
        with collect_withheld() as inner:
            first = crm.activities_for_account(account_id=LOOP, limit=5000)
        again = crm.activities_for_account(account_id=LOOP, limit=5000)  # counted once
    ids = {a.id for a in first}
    assert "EVT-990002" not in ids and "EVT-990003" not in ids  # his e-mail and his call
    assert [a.id for a in again] == [a.id for a in first]
    for tally in (inner, outer):
        data = tally.as_data()
        assert data is not None
        assert data["people"] == 1 and data["records"] == {"email": 1, "call": 1}
    with collect_withheld() as nothing:
        ledger.grant(contact_id=DAN, purpose=AI_PROCESSING, notice_version="v2", source="phone")
        crm.activities_for_account(account_id=LOOP, limit=5000)
    assert nothing.as_data() is None and not nothing


def test_direct_reads_of_a_withheld_contact_are_refused(
    services: AgentServices, ledger: ConsentLedger
) -> None:
    crm = services.crm
    assert isinstance(crm, ConsentGatedCRM)
    assert crm.get_contact(contact_id=DAN).id == DAN
    ledger.revoke(contact_id=DAN, purpose=AI_PROCESSING, notice_version="v2", source="api")
    with pytest.raises(ConsentWithheld, match="not consented"):
        crm.get_contact(contact_id=DAN)
    with pytest.raises(ConsentWithheld):
        crm.activities_for_contact(contact_id=DAN)
    assert DAN not in {c.id for c in crm.contacts_for_account(account_id=LOOP)}
    assert all(a.contact_id != DAN for a in crm.activities_for_account(account_id=LOOP, limit=5000))
    assert crm.ungated.get_contact(contact_id=DAN).id == DAN  # existence checks still work


async def test_lead_scoring_of_a_withheld_contact_uses_nothing_of_theirs(
    services: AgentServices, ledger: ConsentLedger
) -> None:
    ledger.revoke(contact_id=DAN, purpose=AI_PROCESSING, notice_version="v2", source="api")
    graph = registered_graphs()["lead_scoring"].build(services=services)
    with scripted_model(responses=[], strict=True) as script:
        state = await graph.ainvoke({"contact_id": DAN, "as_of": AS_OF})
    assert not state.get("recommendation") and not state.get("features")
    assert "not consented" in state["messages"][-1].content
    assert script.calls == []  # no model saw anything


def test_events_of_a_withheld_contact_are_stored_but_not_scored(
    services: AgentServices, ledger: ConsentLedger
) -> None:
    ledger.revoke(contact_id=DAN, purpose=AI_PROCESSING, notice_version="v2", source="api")
    intake = EventIntake.from_services(services)
    event = {
        "id": "EVT-995001", "account_id": LOOP, "contact_id": DAN, "kind": "email_in",
        "occurred_at": services.crm.latest_activity_at(), "subject": "Dan Loop asks for a quote",
        "body": "Please send the price.", "product_id": None, "url": None, "duration_s": None,
        "meta": {},
    }  # fmt: skip
    result = intake.ingest([event])
    assert [o.status for o in result.events] == ["created"]
    assert intake.scores.stored_activities(["EVT-995001"])  # the CRM records it
    score = result.scores[0]
    assert "EVT-995001" not in str(score.assessment) and DAN not in str(score.recommendation)


def test_redaction_removes_their_sentences_and_what_goes_on_about_them() -> None:
    def contact(cid: str, first: str, title: str) -> ContactRecord:
        return ContactRecord(
            id=cid, account_id="ACC-1", first_name=first, last_name="Xie", title=title,
            department="Operations", seniority="director", reports_to=None,
            email=f"{first.lower()}@example.org", phone=None, created_at=datetime.now(UTC),
        )  # fmt: skip

    people = WithheldPeople.of(
        [contact("CON-1", "Lan", "Vice President, Operations")],
        others=[contact("CON-2", "Bo", "Buyer")],
    )
    text = (
        "Please share the offer with Lan Xie. She will approve it. The price is fine."
        " The Vice President, Operations wants a longer warranty. Bo Xie asked for a trial."
    )
    assert (
        people.redact(text) == "[withheld] The price is fine. [withheld] Bo Xie asked for a trial."
    )
    # Of a conversation Lan took part in, only what is attributed to a consenting contact.
    assert people.attributed(text) == "[withheld] Bo Xie asked for a trial."
    assert people.redact_phrase("Call with lan@example.org") == "Call with [withheld]"


def test_account_notes_read_through_the_gate_are_screened_as_their_activities(
    services: AgentServices, ledger: ConsentLedger
) -> None:
    crm = services.crm
    assert isinstance(crm, ConsentGatedCRM)
    ledger.revoke(contact_id=BEN, purpose=AI_PROCESSING, notice_version="v2", source="phone")
    ledger.revoke(contact_id=DAN, purpose=AI_PROCESSING, notice_version="v2", source="phone")
    with collect_withheld() as tally:
        notes = {n.id: n for n in crm.iter_account_notes() if n.account_id == LOOP}
    activities = crm.activities_for_account(account_id=LOOP, kinds=NOTE_KINDS, limit=5000)
    assert set(notes) == {a.id for a in activities if a.body is not None}
    for activity in activities:
        if activity.id in notes:
            note = notes[activity.id]
            assert (note.contact_id, note.subject, note.body) == (
                activity.contact_id,
                activity.subject,
                activity.body,
            )
    # Dan's e-mails (EVT-990002, and any an earlier test of this module stored), withheld whole.
    everything = crm.ungated.activities_for_account(account_id=LOOP, kinds=NOTE_KINDS, limit=5000)
    dans = {a.id for a in everything if a.contact_id == DAN and a.kind.startswith("email")}
    assert "EVT-990002" in dans and not dans & set(notes)
    assert "Ben" not in (notes["EVT-990001"].body or "")  # the review he attended, kept in part
    data = tally.as_data()
    assert data is not None and data["people"] == 2 and data["records"] == {"email": len(dans)}
