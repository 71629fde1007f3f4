"""The supervisor hands its specialists the subject the rep means: "that hospital" in a thread,
"X's open deal", and the page's selected account (the run's focus) unless the question is about
the rep's portfolio."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agents.supervisor import build_supervisor_graph
from core.settings import Settings
from eval.scenario_suite.demo import demo_services
from graphs.registry import registered_graphs
from llm.scripted import scripted_model
from memory import HashingEmbeddingFunction
from tools.services import AgentServices

pytestmark = pytest.mark.anyio
SPECIALISTS = ("technical_qa", "lead_scoring", "budget", "relationships", "next_action")
ONE_OPEN, ONE_OPEN_DEAL = "ACC-0005", "DEAL-0022"  # the suite's demo: one open deal
FOCUSED = "ACC-0004"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def services() -> Iterator[AgentServices]:
    settings = Settings(_env_file=None, model="scripted/subjects", model_max_retries=0)
    with demo_services(settings, embedding_function=HashingEmbeddingFunction()) as bundle:
        yield bundle


@pytest.fixture(scope="module")
def graph(services: AgentServices) -> Any:
    specs = registered_graphs()
    return build_supervisor_graph(
        specialists={name: specs[name].build(services=services) for name in SPECIALISTS},
        tools=services,
        model=services.chat_model,
        model_info=services.model_info,
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


async def test_the_pages_focus_reaches_the_specialist_once(graph, services) -> None:
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
