"""Withheld data, said and never hidden, on the seeded demo as ``crm-agents seed`` builds it.

Anzhen Hospital has contacts without AI-processing consent, some of whom attended meetings
with consenting colleagues, and customer e-mails nobody answered. What the agents must see is
derived here from the plain (ungated) store and the consent ledger, so the test follows the
demo's data rather than a copy of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from agents.next_action.history import ANSWERS, LOOKBACK, PERSON_KINDS
from core.recommendation import Recommendation
from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.records import ActivityRecord
from crm.scope import AccountScope
from crm.store import CRMStore
from governance.consent import AI_PROCESSING, ConsentLedger
from governance.consent_demo import seed_demo_consent
from governance.consent_gate import ConsentGatedCRM, collect_withheld
from graphs.registry import registered_graphs
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from llm.scripted import scripted_model
from memory import HashingEmbeddingFunction, Memory
from tests.support.consent import TEST_KEY
from tools.agent_services import AgentServices
from tools.behaviour import data_clock

pytestmark = pytest.mark.anyio
ANZHEN = "Anzhen Hospital"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentServices]:
    """The full demo with its consent, as ``crm-agents seed`` makes it (memory not indexed)."""
    register_providers()
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("withheld-demo"),
        model="scripted/test",
        model_max_retries=0,
    )
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    seed_demo(engine, seed=settings.seed, scale=1.0)
    ledger = ConsentLedger(engine, key=TEST_KEY)
    seed_demo_consent(ledger, seed=settings.seed)
    bundle = AgentServices(
        settings=settings,
        crm=CRMStore(engine),
        # These graphs run for no user: every account, in runs and out of them.
        crm_scope_outside_runs=AccountScope.unrestricted(),
        crm_scope_unscoped_runs=AccountScope.unrestricted(),
        memory=Memory.from_settings(settings, embedding_function=HashingEmbeddingFunction()),
        chat_model=chat_model(settings),
        model_info=model_info(settings),
        consent=ledger,
        _closers=[engine.dispose],
    )
    yield bundle
    bundle.close()


@pytest.fixture(scope="module")
def anzhen(services: AgentServices) -> dict[str, Any]:
    """What the plain store says of Anzhen: who withheld consent, its meetings and e-mails."""
    plain = CRMStore(services.crm.engine)
    account = next(a for a in plain.list_accounts(limit=100_000) if a.name == ANZHEN)
    contacts = plain.contacts_for_account(account_id=account.id)
    assert services.consent is not None
    missing = services.consent.contacts_without(AI_PROCESSING, [c.id for c in contacts])
    records = plain.activities_for_account(account_id=account.id, kinds=PERSON_KINDS, limit=5000)
    records = [r for r in records if r.occurred_at <= data_clock(plain)]
    return {
        "account_id": account.id,
        "missing": missing,
        "records": records,
        "names": {c.id: c.full_name for c in contacts},
    }


def _people(record: ActivityRecord) -> set[str]:
    return {record.contact_id or "", *(record.meta.get("attendees") or [])} - {""}


def _unanswered_from_consenting(records: list[ActivityRecord], missing: set[str]) -> set[str]:
    """Inbound e-mails of consenting contacts that nothing after them reached the sender."""
    bulk = {r.id for r in records if r.meta.get("bulk") or r.meta.get("campaign")}
    found = set()
    for record in records:
        if record.kind != "email_in" or record.contact_id in missing or record.id in bulk:
            continue
        answered = any(
            r.kind in ANSWERS
            and r.id not in bulk
            and r.occurred_at > record.occurred_at
            and record.contact_id in _people(r)
            for r in records
        )
        if not answered:
            found.add(record.id)
    return found


def test_the_demo_has_the_case(anzhen: dict[str, Any]) -> None:
    # Some contacts withheld consent; some of them attended meetings with consenting people.
    missing = anzhen["missing"]
    assert missing
    shared = [
        r
        for r in anzhen["records"]
        if r.kind == "meeting" and _people(r) & missing and _people(r) - missing
    ]
    assert shared


def test_the_gate_keeps_the_consenting_part_of_a_shared_meeting(
    services: AgentServices, anzhen: dict[str, Any]
) -> None:
    missing, names = anzhen["missing"], anzhen["names"]
    meetings = [r for r in anzhen["records"] if r.kind == "meeting"]
    latest = max(meetings, key=lambda r: r.occurred_at)
    assert _people(latest) & missing and _people(latest) - missing  # the demo's last meeting
    crm = services.crm
    assert isinstance(crm, ConsentGatedCRM)
    with collect_withheld() as tally:
        seen = {
            a.id: a
            for a in crm.activities_for_account(
                account_id=anzhen["account_id"], kinds=PERSON_KINDS, limit=5000
            )
        }
    kept = seen[latest.id]
    assert kept.occurred_at == latest.occurred_at and kept.kind == "meeting"
    assert set(kept.meta["attendees"]) == set(latest.meta["attendees"]) - missing
    text = f"{kept.subject} {kept.body}"
    assert not any(names[m] in text for m in missing)
    # Records only withheld people took part in are gone and counted; shared ones are partial.
    only_theirs = [r for r in anzhen["records"] if _people(r) and _people(r) <= missing]
    assert only_theirs and not any(r.id in seen for r in only_theirs)
    data = tally.as_data()
    assert data is not None and data["people"] == len(missing)
    assert sum(data["records"].values()) == len(only_theirs)
    assert data["partial"]["meeting"] >= 1


async def test_next_action_says_what_was_withheld_and_finds_the_unanswered_emails(
    services: AgentServices, anzhen: dict[str, Any]
) -> None:
    graph = registered_graphs()["next_action"].build(services=services)
    with scripted_model(responses=["x"]):
        state = await graph.ainvoke(
            {"account_id": anzhen["account_id"]}, {"configurable": {"thread_id": "anzhen"}}
        )
    rec = Recommendation.model_validate(state["recommendation"])
    content = rec.content
    # The last meeting is there, with its date: no claim that there was none.
    meetings = [r for r in anzhen["records"] if r.kind == "meeting"]
    latest = max(meetings, key=lambda r: r.occurred_at)
    assert f"Last meeting: {latest.occurred_at.date()}" in content
    assert "no meeting on record." not in content
    # Withheld records are said, with their counts, and kept in the data for the page.
    withheld = rec.data["withheld"]
    assert withheld["people"] == len(anzhen["missing"])
    emails = withheld["records"]["email"]
    assert emails > 0 and f"{emails} e-mails" in content
    assert "have not consented to AI processing" in content
    # Every unanswered e-mail of a consenting customer is found and drives a reply step.
    expected = _unanswered_from_consenting(anzhen["records"], anzhen["missing"])
    lookback = {t["activity_id"] for t in state["history"]["unanswered_emails"]}
    assert expected and expected <= lookback | _older_than_lookback(anzhen, state)
    steps = rec.data["next_action"]["steps"]
    replies = [s for s in steps if s["title"].startswith("Reply to")]
    assert replies and replies[0]["action"]["kind"] == "send_email"
    cited = {f["record_id"] for s in replies for f in s["provenance"]}
    assert cited and cited <= lookback
    assert f"Unanswered customer e-mails: {len(lookback)} (" in content
    # The count is of what it could see, and says so.
    assert f"among the records I may use; {emails} e-mails are withheld." in content
    # Confidence is lowered for what could not be seen.
    assert rec.confidence < 0.75


def _older_than_lookback(anzhen: dict[str, Any], state: dict[str, Any]) -> set[str]:
    """Unanswered e-mails outside the plan's look-back window (not the plan's to answer)."""
    as_of = datetime.fromisoformat(state["history"]["as_of"])
    return {r.id for r in anzhen["records"] if r.occurred_at < as_of - LOOKBACK}


@pytest.mark.parametrize(
    ("agent", "inputs"),
    [
        pytest.param("lead_scoring", {"narrate": False}, marks=pytest.mark.slow),  # win model
        ("relationships", {}),
        ("next_action", {}),
    ],
)
async def test_each_agent_reading_people_records_what_was_withheld(
    services: AgentServices, anzhen: dict[str, Any], agent: str, inputs: dict[str, Any]
) -> None:
    graph = registered_graphs()[agent].build(services=services)
    with scripted_model(responses=["x"] * 4):
        state = await graph.ainvoke(
            {"account_id": anzhen["account_id"], **inputs},
            {"configurable": {"thread_id": f"withheld-{agent}"}},
        )
    rec = Recommendation.model_validate(state["recommendation"])
    withheld = rec.data["withheld"]
    assert withheld["people"] == len(anzhen["missing"])
    assert withheld["records"] and "Withheld: " in rec.content
    assert any(f.source == "consent" for f in rec.provenance)
    # No unqualified claim that something is absent: notes and meetings were withheld.
    assert "no note says" not in rec.content and "no meeting on record." not in rec.content


async def test_budget_says_which_notes_it_could_not_read(
    services: AgentServices, anzhen: dict[str, Any]
) -> None:
    deals = CRMStore(services.crm.engine).deals_for_account(account_id=anzhen["account_id"])
    deal = next(d for d in deals if d.outcome == "open")
    graph = registered_graphs()["budget"].build(services=services)
    with scripted_model(responses=["x"]):
        state = await graph.ainvoke({"deal_id": deal.id}, {"configurable": {"thread_id": "b"}})
    rec = Recommendation.model_validate(state["recommendation"])
    withheld = rec.data["withheld"]
    # Only the conversations a budget reads (stated budgets) count, not comparables' contacts.
    assert set(withheld["records"]) | set(withheld["partial"]) <= {"meeting", "email", "call"}
    assert "Withheld: " in rec.content


@pytest.mark.slow  # the router's examples are embedded first
async def test_the_supervisor_carries_its_specialists_withheld_data(
    services: AgentServices, anzhen: dict[str, Any]
) -> None:
    graph = registered_graphs()["supervisor"].build(services=services)
    question = f"Who are the stakeholders at {ANZHEN}?"
    with scripted_model(responses=["x"] * 4):
        state = await graph.ainvoke(
            {"messages": [{"role": "user", "content": question}]},
            {"configurable": {"thread_id": "supervisor"}},
        )
    rec = Recommendation.model_validate(state["recommendation"])
    assert rec.data["route"]["routes"] == ["relationships"]
    assert rec.data["withheld"]["people"] == len(anzhen["missing"])
    assert "have not consented to AI processing" in rec.content
