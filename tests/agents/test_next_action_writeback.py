"""Approved next-step actions are written to the CRM once; rejected ones never are.

The graph runs over a real SQLite demo CRM with the services' action writer
(``tools.actions``): approvals create tasks and queue e-mails in the outbox table, edits write
the edited version, rejections write nothing but the decision, and a run resumed on a graph
rebuilt over the same checkpointer (a server restart) writes exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command
from sqlalchemy import func, select

from agents.deps import AgentDeps
from agents.next_action import build_next_action_graph
from core.recommendation import Action
from core.settings import Settings
from crm.actions import ActionDecisionRow, ActionNotPerformed, ActionStore
from crm.db import make_engine, migrate, session_factory
from crm.demo import seed_demo
from crm.recommendations import RecommendationLog
from crm.store import CRMStore
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from llm.scripted import scripted_model
from tools.actions import ActionWriter, payload_sha256
from tools.stakeholders import StakeholderTools

pytestmark = pytest.mark.anyio
BUSY = "ACC-0004"  # demo account with an unanswered e-mail, a missed call and an open deal


class Audit:
    """An audit sink that keeps what was appended."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, Any]]] = []

    def append(
        self, kind: str, payload: Mapping[str, Any], *, actor: Mapping[str, Any] | None = None
    ) -> None:
        self.entries.append((kind, dict(payload)))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[SimpleNamespace]:
    register_providers()
    settings = Settings(
        _env_file=None, data_dir=tmp_path, model="scripted/test", model_max_retries=0
    )
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    seed_demo(engine, seed=settings.seed, scale=0.05)
    crm = CRMStore(engine)
    audit = Audit()
    store = ActionStore(engine)
    yield SimpleNamespace(
        settings=settings,
        crm=crm,
        stakeholders=StakeholderTools(crm),
        log=RecommendationLog(engine),
        actions=ActionWriter(store, audit=audit),
        store=store,
        audit=audit,
        engine=engine,
        data=tmp_path,
    )
    engine.dispose()


def graph_for(world: SimpleNamespace, checkpointer: Any) -> Any:
    return build_next_action_graph(
        AgentDeps(
            tools=world,
            model=chat_model(world.settings),
            model_info=model_info(world.settings),
            recorder=world.log,
        ),
        checkpointer=checkpointer,
    )


def config(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def signed_in(thread: str) -> dict[str, Any]:
    """A run's config as the API writes it for a signed-in rep who resumes it."""
    user = {"identity": "u-rita", "roles": ["rep"], "via": "session", "credential_id": "s-9"}
    return {"configurable": {"thread_id": thread, "langgraph_auth_user": user}}


def count(world: SimpleNamespace, table: str) -> int:
    with session_factory(world.engine)() as session:
        return session.execute(select(func.count()).select_from(_table(table))).scalar_one()


def _table(name: str) -> Any:
    from crm.actions import EFFECT_ROWS

    return (
        ActionDecisionRow.__table__ if name == "action_decisions" else EFFECT_ROWS[name].__table__
    )


async def _start(graph: Any, thread: str) -> dict[str, Any]:
    with scripted_model(rule=lambda messages: "Thank you, let us meet to review the next steps."):
        return await graph.ainvoke({"account_id": BUSY}, config(thread))


async def test_approval_writes_rejection_does_not_and_edit_writes_the_edit(
    world: SimpleNamespace,
) -> None:
    async with AsyncSqliteSaver.from_conn_string(str(world.data / "cp.db")) as saver:
        graph = graph_for(world, saver)
        paused = await _start(graph, "t")
        rec = paused["recommendation"]
        kinds = [a["kind"] for a in rec["actions"]]
        assert kinds[0] == "send_email" and "create_task" in kinds[1:]
        edited = {"payload": {"subject": "Your enquiry", "body": "Dear Sir, thank you."}}
        # The resume names someone else: the decision is still the signed-in user's.
        edit = {"decision": "edit", "action": edited, "reviewer": "rep-7"}
        await graph.ainvoke(Command(resume=edit), signed_in("t"))
        await graph.ainvoke(
            Command(resume={"decision": "reject", "reviewer": "rep-7"}), signed_in("t")
        )
        done = {"decision": "approve"}
        for _ in kinds[2:]:
            done = await graph.ainvoke(Command(resume=done), signed_in("t"))
    outbox = world.store.effects("email_outbox", account_id=BUSY)
    assert [(e["subject"], e["body"], e["status"]) for e in outbox] == [
        ("Your enquiry", "Dear Sir, thank you.", "queued")
    ]
    tasks = world.store.effects("crm_tasks", account_id=BUSY)
    assert len(tasks) == len(kinds) - 2  # the rejected one is not there
    assert all(t["status"] == "open" and t["due_on"] is not None for t in tasks)
    assert count(world, "action_decisions") == len(kinds)
    rejected = world.store.decision(recommendation_id=rec["id"], action_index=1)
    assert rejected.decision == "reject" and rejected.effect_id is None
    # Every decision audited once: ids, decision, kind, reviewer and a hash; no text.
    assert [k for k, _ in world.audit.entries] == ["action_decision"] * len(kinds)
    first = world.audit.entries[0][1]
    assert first["decision"] == "edit" and first["reviewer"] == "u-rita"
    assert world.store.decision(recommendation_id=rec["id"], action_index=0).reviewer == "u-rita"
    assert first["recommendation_id"] == rec["id"] and first["action_index"] == 0
    assert len(first["payload_sha256"]) == 64 and first["effect_table"] == "email_outbox"
    assert "Dear Sir" not in str(world.audit.entries)


async def test_resume_after_a_restart_writes_exactly_once(world: SimpleNamespace) -> None:
    path = str(world.data / "restart.db")
    async with AsyncSqliteSaver.from_conn_string(path) as saver:
        paused = await _start(graph_for(world, saver), "r")
    assert count(world, "email_outbox") == 0 and count(world, "action_decisions") == 0
    async with AsyncSqliteSaver.from_conn_string(path) as saver:  # a new process
        graph = graph_for(world, saver)
        await graph.ainvoke(Command(resume={"decision": "approve"}), config("r"))
    assert count(world, "email_outbox") == 1
    # A node replayed after a crash decides the same action again: nothing more is written.
    action = Action.model_validate(paused["recommendation"]["actions"][0])
    again = world.actions.perform(
        recommendation_id=paused["recommendation"]["id"], index=0, action=action, decision="approve"
    )
    assert again.effect_table == "email_outbox"
    assert count(world, "email_outbox") == 1 and len(world.audit.entries) == 1


async def test_an_edit_naming_another_accounts_contact_is_not_performed(
    world: SimpleNamespace,
) -> None:
    other = world.crm.contacts_for_account(account_id="ACC-0001")[0].id
    async with AsyncSqliteSaver.from_conn_string(str(world.data / "bad.db")) as saver:
        graph = graph_for(world, saver)
        await _start(graph, "b")
        edit = {"decision": "edit", "action": {"payload": {"contact_id": other}}}
        out = await graph.ainvoke(Command(resume=edit), config("b"))
    assert out["outbox"] == []
    assert out["skipped"][0]["reason"].startswith("not performed: contact_id")
    assert count(world, "email_outbox") == 0 and count(world, "action_decisions") == 0


def test_update_grade_sets_the_accounts_grade(world: SimpleNamespace) -> None:
    grade = Action(
        kind="update_grade", description="Set grade A", payload={"grade": "A", "score": 71}
    )
    world.actions.perform(
        recommendation_id="rec-1", index=1, action=grade, decision="approve", account_id=BUSY
    )
    (row,) = world.store.effects("account_grades", account_id=BUSY)
    assert (row["grade"], row["score"]) == ("A", 71)


@pytest.mark.parametrize(
    ("kind", "payload", "problem"),
    [
        ("update_grade", {"grade": "Z"}, "grade"),
        ("create_task", {"title": ""}, "title"),
        ("send_email", {"subject": "Hi"}, "body"),
        ("create_task", {"title": "Call", "deal_id": "DEAL-9999"}, "deal_id"),
        ("create_task", {"title": "Call", "account_id": "ACC-9999"}, "no account"),
    ],
)
def test_bad_payloads_write_nothing(
    world: SimpleNamespace, kind: str, payload: dict[str, Any], problem: str
) -> None:
    action = Action(kind=kind, description="x", payload=payload)
    with pytest.raises(ActionNotPerformed, match=problem):
        world.actions.perform(
            recommendation_id="rec-2", index=0, action=action, decision="approve", account_id=BUSY
        )
    assert count(world, "action_decisions") == 0 and world.audit.entries == []


def test_advice_only_actions_record_the_decision_alone(world: SimpleNamespace) -> None:
    action = Action(
        kind="activate_agent", description="Activate budget", payload={"agent": "budget"}
    )
    done = world.actions.perform(
        recommendation_id="rec-3", index=0, action=action, decision="approve", account_id=BUSY
    )
    assert done.effect_table is None and done.payload_sha256 == payload_sha256(action)
    assert count(world, "action_decisions") == 1


async def test_the_pause_carries_reasoning_sources_and_the_full_draft(
    world: SimpleNamespace,
) -> None:
    async with AsyncSqliteSaver.from_conn_string(str(world.data / "cp.db")) as saver:
        graph = graph_for(world, saver)
        await _start(graph, "t")
        state = await graph.aget_state(config("t"))
    (pause,) = [i.value for task in state.tasks for i in task.interrupts]
    rec = state.values["recommendation"]
    step = rec["data"]["next_action"]["steps"][0]
    # The rep judges the step where they decide: its title and why, its own records, the
    # whole e-mail (not a preview) and the plan's confidence.
    assert pause["index"] == 0 and pause["recommendation_id"] == rec["id"]
    assert pause["step"] == {"title": step["title"], "why": step["why"]}
    assert pause["step"]["why"] and pause["sources"] == step["provenance"]
    assert pause["sources"] and pause["confidence"] == rec["confidence"]
    draft = rec["data"]["next_action"]["draft"]
    assert draft and pause["draft"] == rec["actions"][0]["payload"]["body"] == draft
    assert pause["decisions"] == ["approve", "reject", "edit"]


async def test_the_decision_records_the_runs_rep_when_the_resume_names_nobody(
    world: SimpleNamespace,
) -> None:
    as_rep = {"configurable": {"thread_id": "t", "rep_id": "REP-003"}}
    async with AsyncSqliteSaver.from_conn_string(str(world.data / "cp.db")) as saver:
        graph = graph_for(world, saver)
        rec = (await _start(graph, "t"))["recommendation"]
        await graph.ainvoke(Command(resume={"decision": "approve"}), as_rep)
        after = await graph.ainvoke(Command(resume="reject"), as_rep)
    approved = world.store.decision(recommendation_id=rec["id"], action_index=0)
    rejected = world.store.decision(recommendation_id=rec["id"], action_index=1)
    assert (approved.decision, approved.reviewer) == ("approve", "REP-003")
    assert (rejected.decision, rejected.reviewer) == ("reject", "REP-003")
    assert after["outbox"][0]["reviewer"] == "REP-003"
    assert after["skipped"][0]["reviewer"] == "REP-003"
