"""The data passport after real agent runs: the relationships agent maps two accounts of the
demo-style CRM through the signing, auditing recorder; each person's passport lists exactly
the ledger entries that used their data, and only their own data in each."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from agents.deps import AgentDeps
from agents.relationships import build_relationships_graph
from core.recommendation import Recommendation
from crm import models as m
from crm.db import session_factory
from crm.recommendations import RecommendationLog
from governance.audit_errors import ContactUnknown
from governance.audit_services import AuditServices, open_audit_services
from governance.model_calls import register_model_call_audit, unregister_model_call_audit
from governance.passport import render_passport_html
from governance.recorder import SignedAuditedRecorder
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from llm.scripted import scripted_model
from tests.support.relationships_world import (
    ANN,
    AS_OF,
    BEN,
    CAI,
    DAN,
    LAB_HEAD,
    LOOP,
    World,
    build_world,
)

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
DEMO = "ACC-0001"


class Ran:
    def __init__(self, world: World, audit: AuditServices, log: RecommendationLog) -> None:
        self.world = world
        self.audit = audit
        self.log = log
        self.recommendations: list[Recommendation] = []


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ran]:
    register_providers()
    world = build_world(tmp_path_factory.mktemp("passport"))
    audit = open_audit_services(world.settings)
    log = RecommendationLog(world.engine)
    recorder = SignedAuditedRecorder(
        log, ledger=audit.ledger, signed_output=audit.signed_output, crm_engine=world.engine
    )
    graph = build_relationships_graph(
        AgentDeps(
            tools=world.tools,
            model=chat_model(world.settings),
            model_info=model_info(world.settings),
            recorder=recorder,
        )
    )
    result = Ran(world, audit, log)
    handler = register_model_call_audit(audit.ledger)

    async def run_all() -> None:
        for account_id in (LOOP, DEMO):
            with scripted_model(responses=["A short summary of the stakeholder map."]):
                state = await graph.ainvoke({"account_id": account_id, "as_of": AS_OF})
            result.recommendations.append(Recommendation.model_validate(state["recommendation"]))
        # The model-call entries are written by litellm's async callback after the call.
        for _ in range(200):
            if len(audit.ledger.entries(kind="model_call")) >= 2:
                break
            await asyncio.sleep(0.05)

    try:
        asyncio.run(run_all())
        yield result
    finally:
        unregister_model_call_audit(handler)
        audit.close()
        world.engine.dispose()


def _owner(ran: Ran, source: str, record_id: str) -> str | None:
    if source == "contacts":
        return record_id
    if source == "activities":
        with session_factory(ran.world.engine)() as session:
            return session.scalar(select(m.Activity.contact_id).where(m.Activity.id == record_id))
    return None


def _expected(ran: Ran, contact_id: str) -> dict[str, set[tuple[str, str, str]]]:
    """recommendation id -> the person's data it used, computed from the stored records."""
    expected: dict[str, set[tuple[str, str, str]]] = {}
    for rec in ran.recommendations:
        stored = ran.log.get(recommendation_id=rec.id)
        mine = {
            (f.source, f.record_id, f.field)
            for f in stored.provenance
            if _owner(ran, f.source, f.record_id) == contact_id
        }
        if mine or stored.subject.get("contact_id") == contact_id:
            expected[rec.id] = mine
    return expected


@pytest.mark.parametrize("contact_id", [ANN, BEN, CAI, DAN])
def test_each_passport_lists_exactly_the_persons_uses(ran: Ran, contact_id: str) -> None:
    passport = ran.audit.passport(contact_id=contact_id)
    expected = _expected(ran, contact_id)
    assert expected, "the Loop account's map uses every one of its people"
    got = {
        use.recommendation_id: {(d.source, d.record_id, d.field) for d in use.data_used}
        for use in passport.uses
    }
    assert got == expected
    assert {use.entry_kind for use in passport.uses} == {"recommendation"}
    assert passport.agents == ["relationships"]
    for use in passport.uses:
        stored = ran.log.get(recommendation_id=str(use.recommendation_id))
        # The model and prompt are those of the recommendation (none when code wrote the text).
        assert use.model == (stored.model.name if stored.model else None)
        assert use.prompt_id == (stored.prompt.id if stored.prompt else None)
        assert use.purpose == "ai_processing" and use.use == stored.kind
    assert passport.models == sorted({u.model for u in passport.uses if u.model})


def test_people_of_another_account_see_only_their_own_uses(ran: Ran) -> None:
    with session_factory(ran.world.engine)() as session:
        demo_people = session.scalars(
            select(m.Contact.id).where(m.Contact.account_id == DEMO)
        ).all()
    loop_rec = ran.recommendations[0].id
    for contact_id in demo_people:
        passport = ran.audit.passport(contact_id=contact_id)
        assert loop_rec not in {u.recommendation_id for u in passport.uses}
        assert set(_expected(ran, contact_id)) == {u.recommendation_id for u in passport.uses}


def test_an_unused_person_has_an_empty_passport_and_a_stranger_none(ran: Ran) -> None:
    assert ran.audit.passport(contact_id=LAB_HEAD).uses == []
    with pytest.raises(ContactUnknown):
        ran.audit.passport(contact_id="CON-00000-nobody")


def test_the_ledger_holds_signed_recommendations_and_model_calls(ran: Ran) -> None:
    assert ran.audit.verify().ok
    recommendation_entries = ran.audit.ledger.entries(kind="recommendation")
    assert [e.payload["recommendation_id"] for e in recommendation_entries] == [
        r.id for r in ran.recommendations
    ]
    for rec in ran.recommendations:
        assert rec.signature and rec.status == "final"
        verdict = ran.audit.signed_output.verify_text(rec.content)
        assert verdict.ours and verdict.unmodified and verdict.manifest is not None
        assert verdict.manifest.recommendation_id == rec.id
        assert rec.signature.startswith(verdict.manifest.id + ".")
    calls = ran.audit.ledger.entries(kind="model_call")
    assert len(calls) >= 2
    assert all(c.payload["model"] and len(c.payload["input_sha256"]) == 64 for c in calls)
    assert {c.payload["prompt_id"] for c in calls} == {"relationships.explain"}
    # Entries hold ids and hashes: no name or e-mail of anyone appears in the ledger.
    text = " ".join(str(e.payload) for e in ran.audit.ledger.entries(limit=1000))
    assert "Loop" not in text and "@" not in text


def test_the_passport_page_is_plain_html(ran: Ran) -> None:
    page = render_passport_html(ran.audit.passport(contact_id=CAI))
    assert page.startswith("<!doctype html>") and CAI in page
    assert "<script" not in page and "http" not in page
