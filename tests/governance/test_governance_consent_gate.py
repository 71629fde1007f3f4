"""Consent at the point of use: after a revocation of ``ai_processing`` the very next agent run
uses none of the person's data, checked through its provenance and the memory retrievals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _consent import TEST_KEY
from _relationships_world import AS_OF, BEN, CAI, DAN, LOOP, World, build_world

from core.recommendation import Recommendation
from governance.consent import AI_PROCESSING, ConsentLedger
from graphs.event_intake import EventIntake
from graphs.registry import registered_graphs
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from llm.scripted import scripted_model
from memory import RetrievedChunk
from tools.consent_gate import ConsentGatedCRM, ConsentWithheld
from tools.services import AgentServices

pytestmark = pytest.mark.anyio
# Everything that identifies Dan Loop: his id, name and the activities and notes about him.
DAN_TRACES = (DAN, "Dan Loop", "EVT-990002", "EVT-990003")
BEN_TRACES = (BEN, "Ben Loop", "EVT-990001", "EVT-990006")


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


async def test_meetings_a_withheld_person_attended_or_that_name_them_are_left_out(
    services: AgentServices, ledger: ConsentLedger, retrievals: list[RetrievedChunk]
) -> None:
    # Ben attended Cai's pricing review (EVT-990001), which also names him in its notes.
    ledger.revoke(contact_id=BEN, purpose=AI_PROCESSING, notice_version="v2", source="phone")
    rec, state = await _map(services)
    assert _traces(rec, state, BEN_TRACES) == []
    assert _chunk_traces(retrievals, BEN_TRACES) == []
    cai = next(n for n in state["stakeholder_map"]["nodes"] if n["contact_id"] == CAI)
    assert cai["stats"]["meetings"] == 0  # the shared meeting is Ben's data too
    # Cai reported to Ben: the line is cut rather than naming him.
    assert all(BEN not in (e["source"], e["target"]) for e in state["stakeholder_map"]["edges"])


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
