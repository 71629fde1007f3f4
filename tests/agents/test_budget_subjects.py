"""The budget agent prices the deal the rep means: "X's open deal", "our largest open deal at
X", "that hospital" in a thread or over the OpenAI endpoint, the page's selected account; with
several open deals it asks which one. Over a seeded demo CRM, in-process and over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agents.budget import build_budget_graph
from agents.deps import AgentDeps
from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.store import CRMStore
from llm.gateway import chat_model
from llm.providers import register_providers
from llm.scripted import scripted_model
from tests.support.budget_app import budget_client
from tests.support.subjects_world import (
    LARGEST,
    ONE_OPEN,
    ONE_OPEN_DEAL,
    SEED,
    SEVERAL_OPEN,
    SEVERAL_OPEN_DEALS,
    SubjectsWorld,
    build_subjects_world,
)
from tools.pricing import PricingTools

pytestmark = pytest.mark.anyio
EXPLAINED = "The range follows comparable won deals."


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SubjectsWorld]:
    built = build_subjects_world(Path(tmp_path_factory.mktemp("budget_subjects")))
    yield built
    built.engine.dispose()


async def ask(world: SubjectsWorld, messages: list[Any], **inputs: Any) -> dict[str, Any]:
    register_providers()
    settings = Settings(_env_file=None, model="scripted/test", model_max_retries=0)
    graph = build_budget_graph(AgentDeps(tools=PricingTools(world.crm), model=chat_model(settings)))
    with scripted_model(responses=[EXPLAINED]):
        return await graph.ainvoke({"messages": messages, **inputs})


async def test_an_accounts_open_deal_is_priced_as_that_deal(world: SubjectsWorld) -> None:
    name = world.name(ONE_OPEN)
    for wording in ("price", "budget"):
        question = f"What {wording} should we quote for {name}'s open deal?"
        state = await ask(world, [HumanMessage(content=question)])
        recommendation = state["recommendation"]
        assert recommendation["subject"] == {"account_id": ONE_OPEN, "deal_id": ONE_OPEN_DEAL}
        answer = state["messages"][-1].content
        assert f"Budget recommendation for deal {ONE_OPEN_DEAL}" in answer
        assert "target" in answer and "walk away" in answer  # a price range, not a yearly budget


async def test_several_open_deals_get_a_clarifying_answer(world: SubjectsWorld) -> None:
    name = world.name(SEVERAL_OPEN)
    question = f"What price should we quote for {name}'s open deal?"
    state = await ask(world, [HumanMessage(content=question)])
    assert state["recommendation"] is None  # a question back, not a guess
    answer = state["messages"][-1].content
    lines = answer.splitlines()
    assert lines[0] == f"{name} has 3 open deals. Which one do you mean?"
    assert [line.split()[1] for line in lines[1:4]] == ["DEAL-0011", LARGEST, "DEAL-0902"]
    assert all(deal in answer for deal in SEVERAL_OPEN_DEALS)
    assert "negotiation, CNY 2,480,000.00, closes 31 Mar 2027" in answer
    assert "I cannot estimate" not in answer and state["problem"]["code"] == "which_deal"


async def test_the_rep_answers_the_clarifying_question_on_the_thread(world: SubjectsWorld) -> None:
    register_providers()
    settings = Settings(_env_file=None, model="scripted/test", model_max_retries=0)
    graph = build_budget_graph(
        AgentDeps(tools=PricingTools(world.crm), model=chat_model(settings)),
        checkpointer=InMemorySaver(),
    )
    thread = {"configurable": {"thread_id": "which-deal"}}
    question = f"What price should we quote for {world.name(SEVERAL_OPEN)}'s open deal?"
    with scripted_model(responses=[EXPLAINED]):
        asked = await graph.ainvoke({"messages": [HumanMessage(content=question)]}, thread)
        chosen = await graph.ainvoke(
            {"messages": [HumanMessage(content="The largest one.")]}, thread
        )
    assert asked["problem"]["code"] == "which_deal"
    assert chosen["recommendation"]["subject"] == {"account_id": SEVERAL_OPEN, "deal_id": LARGEST}


async def test_our_largest_open_deal_at_an_account(world: SubjectsWorld) -> None:
    question = f"What should we quote for our largest open deal at {world.name(SEVERAL_OPEN)}?"
    state = await ask(world, [HumanMessage(content=question)])
    assert state["recommendation"]["subject"] == {"account_id": SEVERAL_OPEN, "deal_id": LARGEST}


async def test_that_hospital_in_a_thread_is_the_earlier_account(world: SubjectsWorld) -> None:
    name = world.name(ONE_OPEN)
    thread = [
        HumanMessage(content=f"Who decides at {name}?"),
        AIMessage(content=f"At {name} the head of procurement signs."),
        HumanMessage(content="What price should we quote for that hospital's open deal?"),
    ]
    state = await ask(world, thread)
    assert state["recommendation"]["subject"]["deal_id"] == ONE_OPEN_DEAL


async def test_the_pages_focus_is_used_unless_the_question_is_about_the_portfolio(
    world: SubjectsWorld,
) -> None:
    focus = {"account_id": ONE_OPEN}
    asked = [HumanMessage(content="What price should we quote for the open deal?")]
    state = await ask(world, asked, focus=focus)
    assert state["recommendation"]["subject"]["deal_id"] == ONE_OPEN_DEAL
    across = [HumanMessage(content="What budget is left across all my accounts?")]
    state = await ask(world, across, focus=focus)
    assert state["recommendation"] is None and state["problem"]["code"] == "no_subject"


@pytest.fixture
async def client(world: SubjectsWorld, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with budget_client(tmp_path, world.crm, world.engine) as http:
        yield http


async def test_a_follow_up_over_the_openai_endpoint_reads_the_conversation(
    world: SubjectsWorld, client: httpx.AsyncClient
) -> None:
    name = world.name(ONE_OPEN)
    messages = [
        {"role": "user", "content": f"Who decides at {name}?"},
        {"role": "assistant", "content": f"At {name} the head of procurement signs."},
        {
            "role": "user",
            "content": "And what price should we quote for that hospital's open deal?",
        },
    ]
    with scripted_model(responses=[EXPLAINED]):
        response = await client.post(
            "/v1/chat/completions", json={"model": "budget", "messages": messages}, timeout=60
        )
    assert response.status_code == 200, response.text
    answer = response.json()["choices"][0]["message"]["content"]
    assert f"Budget recommendation for deal {ONE_OPEN_DEAL}" in answer


async def test_a_run_takes_the_pages_focus_as_structured_input(
    world: SubjectsWorld, client: httpx.AsyncClient
) -> None:
    payload = {
        "assistant_id": "budget",
        "input": {
            "messages": [
                {"role": "user", "content": "What price should we quote for the open deal?"}
            ],
            "focus": {"account_id": ONE_OPEN},
        },
    }
    with scripted_model(responses=[EXPLAINED]):
        response = await client.post("/runs/wait", json=payload, timeout=60)
    assert response.status_code == 200, response.text
    state = response.json()
    assert state["recommendation"]["subject"] == {"account_id": ONE_OPEN, "deal_id": ONE_OPEN_DEAL}
    assert state["focus"] == {}  # used once: the thread's next message does not inherit it


@pytest.fixture(scope="module")
def full_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CRMStore]:
    url = f"sqlite:///{tmp_path_factory.mktemp('full_demo') / 'crm.db'}"
    migrate(url)
    engine = make_engine(url)
    seed_demo(engine, seed=SEED)  # the full demo, as `crm-agents seed` builds it
    yield CRMStore(engine)
    engine.dispose()


@pytest.mark.slow
async def test_ruijin_hospitals_open_deal_is_the_subject(full_demo: CRMStore) -> None:
    ruijin = next(a for a in full_demo.list_accounts(limit=1000) if a.name == "Ruijin Hospital")
    open_deals = [
        d for d in full_demo.deals_for_account(account_id=ruijin.id) if d.outcome == "open"
    ]
    assert len(open_deals) == 1
    world = SubjectsWorld(engine=full_demo.engine, crm=full_demo)
    for wording in ("price should we", "budget should I"):
        question = f"What {wording} quote for Ruijin Hospital's open deal?"
        state = await ask(world, [HumanMessage(content=question)])
        subject = state["recommendation"]["subject"]
        assert subject == {"account_id": ruijin.id, "deal_id": open_deals[0].id}, question
