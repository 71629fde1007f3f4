"""The next best action graph over a real SQLite demo CRM with the scripted model.

Approval-gated actions: rejected ones never run, approved and edited ones run once, and a run
paused for approval resumes on a graph rebuilt over the same SQLite checkpointer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command

from agents.deps import AgentDeps
from agents.next_action import build_next_action_graph
from core.recommendation import Recommendation
from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.recommendations import RecommendationLog
from crm.store import CRMStore
from graphs.registry import registered_graphs
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from llm.scripted import scripted_model
from tools.stakeholders import StakeholderTools

pytestmark = pytest.mark.anyio
BUSY = "ACC-0004"  # demo account with an unanswered e-mail, a missed call and an open deal


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    register_providers()
    data = tmp_path_factory.mktemp("next-action")
    settings = Settings(_env_file=None, data_dir=data, model="scripted/test", model_max_retries=0)
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    seed_demo(engine, seed=settings.seed, scale=0.05)
    crm = CRMStore(engine)
    yield SimpleNamespace(
        settings=settings,
        crm=crm,
        stakeholders=StakeholderTools(crm),
        actions=None,  # no action writer: approved actions are recorded in the state only
        log=RecommendationLog(engine),
        data=data,
    )
    engine.dispose()


def graph_for(world: SimpleNamespace, **options: Any) -> Any:
    return build_next_action_graph(
        AgentDeps(
            tools=world,
            model=chat_model(world.settings),
            model_info=model_info(world.settings),
            recorder=world.log,
        ),
        **options,
    )


def config(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


async def start(graph: Any, thread: str, **inputs: Any) -> dict[str, Any]:
    with scripted_model(rule=lambda messages: "Thank you, let us meet to review the next steps."):
        return await graph.ainvoke(inputs or {"account_id": BUSY}, config(thread))


async def test_plan_pauses_before_any_gated_action(world: SimpleNamespace) -> None:
    graph = graph_for(world, checkpointer=InMemorySaver())
    result = await start(graph, "pause")
    rec = Recommendation.model_validate(result["recommendation"])
    assert rec.agent == "next_action" and rec.status == "final"
    assert 0.0 <= rec.confidence <= 1.0 and rec.provenance
    kinds = [a.kind for a in rec.actions]
    assert "send_email" in kinds and "create_task" in kinds
    assert all(a.requires_approval for a in rec.actions)
    for fact in rec.provenance:  # every cited record exists
        if fact.source == "activities":
            assert any(
                a.id == fact.record_id
                for a in world.crm.activities_for_account(account_id=BUSY, limit=5000)
            )
        if fact.source == "deals":
            assert world.crm.get_deal(deal_id=fact.record_id).account_id == BUSY
    assert result["__interrupt__"][0].value["index"] == 0
    assert result.get("outbox", []) == [] and result.get("executed", []) == []
    assert world.log.get(recommendation_id=rec.id).id == rec.id


async def test_reject_path_runs_nothing(world: SimpleNamespace) -> None:
    graph = graph_for(world, checkpointer=InMemorySaver())
    result = await start(graph, "reject")
    pending = len(result["recommendation"]["actions"])
    for _ in range(pending):
        result = await graph.ainvoke(Command(resume={"decision": "reject"}), config("reject"))
    assert "__interrupt__" not in result
    assert result["outbox"] == [] and result["executed"] == []
    assert len(result["skipped"]) == pending


async def test_invalid_decision_is_a_rejection(world: SimpleNamespace) -> None:
    graph = graph_for(world, checkpointer=InMemorySaver())
    await start(graph, "invalid")
    result = await graph.ainvoke(Command(resume={"decision": "yes please"}), config("invalid"))
    assert result["outbox"] == [] and result["executed"] == []
    assert "invalid decision" in result["skipped"][0]["reason"]


async def test_approve_and_edit_paths_execute_once(world: SimpleNamespace) -> None:
    graph = graph_for(world, checkpointer=InMemorySaver())
    result = await start(graph, "approve")
    actions = result["recommendation"]["actions"]
    assert actions[0]["kind"] == "send_email" and actions[0]["payload"]["body"]
    edited = {"payload": {"subject": "Your enquiry"}, "description": "Send my edited reply."}
    result = await graph.ainvoke(
        Command(resume={"decision": "edit", "action": edited}), config("approve")
    )
    assert result["outbox"][0]["payload"]["subject"] == "Your enquiry"
    assert result["outbox"][0]["status"] == "queued" and result["outbox"][0]["decision"] == "edit"
    result = await graph.ainvoke(Command(resume={"decision": "approve"}), config("approve"))
    assert [r["kind"] for r in result["executed"]] == ["create_task"]
    while "__interrupt__" in result:
        result = await graph.ainvoke(Command(resume="reject"), config("approve"))
    assert len(result["outbox"]) == 1 and len(result["executed"]) == 1


async def test_resume_after_server_restart(world: SimpleNamespace) -> None:
    path = Path(world.data) / "checkpoints.sqlite"
    async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
        paused = await start(graph_for(world, checkpointer=saver), "restart")
        assert "__interrupt__" in paused
    # A new process: a new saver and a newly built graph over the same file.
    async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
        graph = graph_for(world, checkpointer=saver)
        state = await graph.aget_state(config("restart"))
        assert state.next == ("review_action",) and state.values["outbox"] == []
        result = await graph.ainvoke(Command(resume={"decision": "approve"}), config("restart"))
        assert len(result["outbox"]) == 1 and result["outbox"][0]["index"] == 0


async def test_ungrounded_draft_falls_back_to_template(world: SimpleNamespace) -> None:
    graph = graph_for(world, checkpointer=InMemorySaver())
    with scripted_model(rule=lambda messages: "We can offer 37% off if Dr Zhivago signs today."):
        result = await graph.ainvoke({"account_id": BUSY}, config("ungrounded"))
    rec = Recommendation.model_validate(result["recommendation"])
    assert rec.data["next_action"]["drafted_by_model"] is False
    assert "37" not in rec.content and rec.model is None and rec.prompt is None


async def test_grounded_draft_is_used(world: SimpleNamespace) -> None:
    graph = graph_for(world, checkpointer=InMemorySaver())
    result = await start(graph, "grounded")
    rec = Recommendation.model_validate(result["recommendation"])
    assert rec.data["next_action"]["drafted_by_model"] is True
    assert rec.prompt is not None and rec.prompt.id == "next_action.draft"


async def test_deal_subject_and_unknown_ids(world: SimpleNamespace) -> None:
    deal = next(d for d in world.crm.deals_for_account(account_id=BUSY) if d.outcome == "open")
    graph = graph_for(world, checkpointer=InMemorySaver())
    result = await start(graph, "deal", deal_id=deal.id)
    assert result["recommendation"]["subject"]["deal_id"] == deal.id
    for inputs, code_text in (
        ({"account_id": "ACC-9999"}, "No account"),
        ({"deal_id": "DEAL-NOPE"}, "No deal"),
        ({"account_id": BUSY, "as_of": "yesterday"}, "as_of"),
        ({"messages": [HumanMessage("what next?")]}, "Which account"),
    ):
        result = await start(graph_for(world), "", **inputs)
        assert result["recommendation"] is None
        assert code_text in result["messages"][-1].content


async def test_account_named_in_message(world: SimpleNamespace) -> None:
    name = world.crm.get_account(account_id=BUSY).name
    result = await start(graph_for(world), "", messages=[HumanMessage(f"What next for {name}?")])
    assert result["recommendation"]["subject"]["account_id"] == BUSY


def test_registered_as_assistant() -> None:
    assert "next_action" in registered_graphs()


async def test_as_of_without_offset_is_read_as_utc(world: SimpleNamespace) -> None:
    result = await start(graph_for(world), "", account_id=BUSY, as_of="2025-06-01")
    rec = Recommendation.model_validate(result["recommendation"])
    assert all(
        f.as_of is None or f.as_of.date().isoformat() <= "2025-06-01" for f in rec.provenance
    )
