"""The supervisor over real specialists: follow-ups reach the conversation's account ("that
hospital", "X's open deal"), the page's focus is used unless the question is about the rep's
portfolio, and an account's event activates the specialist lead scoring chose for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agents.deps import AgentDeps
from core.settings import Settings
from crm.lead_scores import LeadScoreStore
from eval.scenario_suite.demo import demo_services
from graphs.registry import registered_graphs
from graphs.supervisor import build_supervisor_graph
from graphs.supervisor.message_router import RouteDecision
from graphs.supervisor.subject import reply_route
from intake.event_intake import EventIntake
from llm.scripted import scripted_model
from memory import HashingEmbeddingFunction
from tools.agent_services import AgentServices
from tools.behaviour import data_clock

pytestmark = pytest.mark.anyio
SPECIALISTS = ("technical_qa", "lead_scoring", "budget", "relationships", "next_action")
ONE_OPEN, ONE_OPEN_DEAL = "ACC-0005", "DEAL-0022"  # the suite's demo: one open deal
FOCUSED = "ACC-0004"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def services() -> Iterator[AgentServices]:
    settings = Settings(_env_file=None, model="scripted/followups", model_max_retries=0)
    with demo_services(settings, embedding_function=HashingEmbeddingFunction()) as bundle:
        yield bundle


@pytest.fixture(scope="module")
def graph(services: AgentServices) -> Any:
    specs = registered_graphs()
    return build_supervisor_graph(
        AgentDeps(tools=services, model=services.chat_model, model_info=services.model_info),
        specialists={name: specs[name].build(services=services) for name in SPECIALISTS},
        checkpointer=InMemorySaver(),
        embed=HashingEmbeddingFunction(),
    )


async def ask(graph: Any, thread: str, text: str, **inputs: Any) -> dict[str, Any]:
    with scripted_model():
        return await graph.ainvoke(
            {"messages": [HumanMessage(content=text)], **inputs},
            {"configurable": {"thread_id": thread}},
        )


def child(out: dict[str, Any], agent: str) -> dict[str, Any]:
    return out["results"][agent]["recommendation"] or {}


async def test_a_follow_up_reaches_the_account_of_earlier_turns(graph, services) -> None:
    account = services.crm.get_account(account_id="ACC-0003")
    first = await ask(graph, "f1", f"Who is the decision maker at {account.name}?")
    assert first["route"]["routes"] == ["relationships"]
    assert first["subject"]["account_id"] == "ACC-0003"
    follow = await ask(graph, "f1", "And what budget do they have?")
    assert follow["route"]["routes"] == ["budget"] and follow["context"] == first["subject"]
    assert child(follow, "budget")["subject"]["account_id"] == "ACC-0003"
    assert follow["recommendation"]["subject"]["account_id"] == "ACC-0003"


async def test_without_an_earlier_turn_the_follow_up_has_no_account(graph) -> None:
    out = await ask(graph, "f2", "And what budget do they have?")
    assert out["route"]["routes"] == ["budget"] and out["context"] == {}
    assert out["results"]["budget"]["recommendation"] is None
    assert out["recommendation"] is None  # nothing answered with a record to cite


async def test_a_message_naming_another_account_switches_the_subject(graph) -> None:
    await ask(graph, "f3", "Who is the decision maker at ACC-0003?")
    out = await ask(graph, "f3", "What budget does ACC-0005 have?")
    assert out["context"] == {}
    assert child(out, "budget")["subject"]["account_id"] == "ACC-0005"
    assert out["subject"]["account_id"] == "ACC-0005"


async def test_an_event_activates_the_specialist_lead_scoring_chose(graph, services) -> None:
    intake = EventIntake.from_services(services)
    when = data_clock(services.crm) + timedelta(minutes=5)
    intake.ingest(
        [{"id": "EVT-FOLLOW-1", "account_id": "ACC-0006", "kind": "web_visit", "occurred_at": when,
          "contact_id": None, "product_id": None, "url": "/pricing", "subject": None, "body": None,
          "duration_s": 30, "meta": {}}]
    )  # fmt: skip
    stored = LeadScoreStore(services.crm.engine).latest(account_id="ACC-0006")
    with scripted_model():
        out = await graph.ainvoke(
            {"account_id": "ACC-0006"}, {"configurable": {"thread_id": "event-1"}}
        )
    assert out["route"]["method"] == "event" and out["route"]["routes"] == [stored.route]
    if stored.route == "next_action":  # its plan pauses for the rep's approval
        (paused,) = out["__interrupt__"]
        assert paused.value["action"]["payload"]["account_id"] == "ACC-0006"
    else:
        assert child(out, stored.route)["subject"]["account_id"] == "ACC-0006"
    assert out["account_id"] is None  # the input is consumed: the next turn is a conversation


async def test_an_event_for_an_unknown_account_says_so(graph) -> None:
    with scripted_model():
        out = await graph.ainvoke({"account_id": "ACC-9999"}, {"configurable": {"thread_id": "e2"}})
    assert "No account with id 'ACC-9999'" in out["messages"][-1].content
    assert out["recommendation"] is None


async def test_the_open_deal_then_that_hospitals_relationships(graph, services) -> None:
    name = services.crm.get_account(account_id=ONE_OPEN).name
    priced = await ask(graph, "s1", f"What price should we quote for {name}'s open deal?")
    assert priced["route"]["routes"] == ["budget"]
    assert child(priced, "budget")["subject"] == {"account_id": ONE_OPEN, "deal_id": ONE_OPEN_DEAL}
    follow = await ask(graph, "s1", "What about that hospital's relationships?")
    assert follow["route"]["routes"] == ["relationships"]
    assert follow["context"]["account_id"] == ONE_OPEN
    assert child(follow, "relationships")["subject"]["account_id"] == ONE_OPEN
    assert name in follow["messages"][-1].content


async def test_the_pages_focus_reaches_the_specialist_once(graph) -> None:
    focused = await ask(graph, "s2", "Who are the key stakeholders?", focus={"account_id": FOCUSED})
    assert focused["context"] == {"account_id": FOCUSED}
    assert child(focused, "relationships")["subject"]["account_id"] == FOCUSED
    assert focused["focus"] == {}  # the chip is sent with each message; none is remembered


async def test_a_portfolio_question_ignores_the_focus(graph) -> None:
    out = await ask(
        graph, "s3", "Which of my accounts are hottest this week?", focus={"account_id": FOCUSED}
    )
    assert out["context"] == {}
    for result in out["results"].values():
        subject = (result.get("recommendation") or {}).get("subject") or {}
        assert subject.get("account_id") != FOCUSED


def test_a_reply_to_a_specialists_question_goes_back_to_it() -> None:
    routed = RouteDecision(routes=["lead_scoring"], scores={"lead_scoring": 0.4}, margin=0.1)
    asked = {"budget": {"content": "Foshan Chest Hospital has 3 open deals. ...", "asked": True}}
    back = reply_route(routed, asked, signals={})
    assert back.routes == ["budget"] and back.method == "reply"
    # A message with a signal of its own is a new request; without a question, nothing changes.
    assert reply_route(routed, asked, signals={"lead_scoring": ["score"]}) is routed
    assert reply_route(routed, {"budget": {"content": "..."}}, signals={}) is routed
