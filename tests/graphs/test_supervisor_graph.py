"""The supervisor graph over stand-in specialists: dispatch, composition, memory, model routing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph

from agents.conversation import last_human_text
from agents.deps import AgentDeps
from core.recommendation import Fact, ModelInfo, Recommendation
from graphs.supervisor import build_supervisor_graph, is_capable
from llm.scripted import scripted_model
from memory import HashingEmbeddingFunction

pytestmark = pytest.mark.anyio

SCRIPTED = ModelInfo(name="scripted/test")
CAPABLE = ModelInfo(name="openai/gpt-4o")
IN_FLIGHT = {"now": 0, "max": 0}  # how many stand-in specialists ran at once


class State(MessagesState, total=False):
    recommendation: dict[str, Any] | None


def specialist(name: str, answer: str, *, confidence: float = 0.8, fail: bool = False) -> Any:
    """A compiled one-node graph answering like a specialist, recording what it was asked."""
    asked: list[str] = []

    async def answer_node(state: State) -> dict[str, Any]:
        asked.append(last_human_text(state))
        IN_FLIGHT["now"] += 1
        IN_FLIGHT["max"] = max(IN_FLIGHT["max"], IN_FLIGHT["now"])
        await asyncio.sleep(0.05)  # long enough for a parallel sibling to start meanwhile
        IN_FLIGHT["now"] -= 1
        if fail:
            raise RuntimeError("store unavailable")
        rec = Recommendation(
            kind=f"{name}_answer",
            agent=name,
            subject={"account_id": "ACC-0007"},
            content=answer,
            confidence=confidence,
            provenance=[Fact(source="accounts", record_id="ACC-0007", field=name, value=answer)],
            status="final",
        )
        return {
            "messages": [AIMessage(content=answer)],
            "recommendation": rec.model_dump(mode="json"),
        }

    graph = StateGraph(State)
    graph.add_node("answer", answer_node)
    graph.add_edge(START, "answer")
    compiled = graph.compile(name=name)
    compiled.asked = asked  # type: ignore[attr-defined]
    return compiled


def supervisor(specialists: dict[str, Any], *, info: ModelInfo = SCRIPTED, **kw: Any) -> Any:
    from core.settings import Settings
    from llm.gateway import chat_model

    model = chat_model(Settings(_env_file=None, model="scripted/test", model_max_retries=0))
    return build_supervisor_graph(
        AgentDeps(tools=None, model=model, model_info=info, recorder=kw.pop("recorder", None)),
        specialists=specialists,
        embed=HashingEmbeddingFunction(),
        **kw,
    )


def ask(text: str) -> dict[str, Any]:
    return {"messages": [HumanMessage(content=text)]}


@pytest.fixture
def team() -> dict[str, Any]:
    return {
        "relationships": specialist("relationships", "Dr Li decides.", confidence=0.7),
        "budget": specialist("budget", "Quote 120000 to 130000 CNY.", confidence=0.9),
        "technical_qa": specialist("technical_qa", "Up to 4 hours [1]."),
    }


async def test_one_route_runs_one_specialist(team) -> None:
    with scripted_model(strict=True):
        out = await supervisor(team).ainvoke(ask("What price should we quote for DEAL-0042?"))
    assert out["route"]["routes"] == ["budget"]
    assert team["budget"].asked == ["What price should we quote for DEAL-0042?"]
    assert team["relationships"].asked == []
    reply = out["messages"][-1].content
    assert reply == "## Budget\n\nQuote 120000 to 130000 CNY."
    rec = Recommendation.model_validate(out["recommendation"])
    assert rec.agent == "supervisor" and rec.status == "final" and rec.model is None
    assert rec.subject == {"account_id": "ACC-0007"}
    assert rec.provenance[0].source == "supervisor_routing"
    assert [f.field for f in rec.provenance[1:]] == ["budget"]
    assert 0 < rec.confidence <= 0.9


async def test_two_routes_run_in_parallel_and_compose(team) -> None:
    question = "Who is the decision maker at ACC-0007 and what price should we quote for DEAL-0042?"
    IN_FLIGHT.update(now=0, max=0)
    with scripted_model(strict=True):
        out = await supervisor(team).ainvoke(ask(question))
    routes = out["route"]["routes"]
    assert sorted(routes) == ["budget", "relationships"]
    assert IN_FLIGHT["max"] == 2  # the two specialists ran at the same time
    reply = out["messages"][-1].content
    titles = {"budget": "## Budget", "relationships": "## Relationships"}
    assert [reply.index(titles[name]) for name in routes] == sorted(
        reply.index(titles[name]) for name in routes
    )  # each answer under its heading, in routing order
    rec = Recommendation.model_validate(out["recommendation"])
    assert {f.field for f in rec.provenance[1:]} == {"budget", "relationships"}
    assert rec.confidence <= 0.7  # no more confident than the weakest specialist
    assert {c["agent"] for c in rec.data["children"]} == {"budget", "relationships"}


async def test_a_failing_specialist_does_not_sink_the_other(team) -> None:
    team["budget"] = specialist("budget", "", fail=True)
    question = "Who is the decision maker at ACC-0007 and what price should we quote for DEAL-0042?"
    with scripted_model(strict=True):
        out = await supervisor(team).ainvoke(ask(question))
    reply = out["messages"][-1].content
    assert "Dr Li decides." in reply
    assert "could not answer: RuntimeError: store unavailable" in reply
    assert out["recommendation"]["confidence"] == 0.0


async def test_conversation_memory_per_thread(team) -> None:
    graph = supervisor(team, checkpointer=InMemorySaver())
    first = {"configurable": {"thread_id": "t1"}}
    with scripted_model(strict=True):
        await graph.ainvoke(ask("What price should we quote for DEAL-0042?"), first)
        out = await graph.ainvoke(ask("Who is the decision maker at ACC-0007?"), first)
        other = await graph.ainvoke(
            ask("Who is the decision maker at ACC-0007?"), {"configurable": {"thread_id": "t2"}}
        )
    assert len(out["messages"]) == 4 and len(other["messages"]) == 2
    assert set(out["results"]) == {"relationships"}  # the last turn's answers only


async def test_capable_model_routes_and_summarises(team) -> None:
    question = "Who decides at ACC-0007, and what is the price?"
    replies = ["relationships, budget", "Dr Li decides; quote 120000 to 130000 CNY."]
    with scripted_model(responses=replies, strict=True) as script:
        out = await supervisor(team, info=CAPABLE).ainvoke(ask(question))
    assert len(script.calls) == 2
    assert out["route"]["method"] == "model"
    assert out["route"]["routes"] == ["relationships", "budget"]
    assert out["messages"][-1].content.startswith("Dr Li decides; quote 120000 to 130000 CNY.\n\n")
    rec = Recommendation.model_validate(out["recommendation"])
    assert rec.model == CAPABLE and rec.prompt is not None and rec.prompt.id == "supervisor.summary"


async def test_model_route_naming_nothing_known_falls_back_and_bad_summary_is_dropped(team) -> None:
    question = "Who is the decision maker at ACC-0007 and what price should we quote for DEAL-0042?"
    replies = ["the weather agent", "They should pay 99 dollars."]
    with scripted_model(responses=replies, strict=True):
        out = await supervisor(team, info=CAPABLE).ainvoke(ask(question))
    assert out["route"]["method"] == "knn"
    assert out["summary"] == ""
    assert out["messages"][-1].content.startswith("## ")


def test_embedded_models_are_not_capable() -> None:
    assert not is_capable(SCRIPTED) and not is_capable(ModelInfo(name="local/smollm2-135m"))
    assert is_capable(CAPABLE)


def test_no_specialists_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one specialist"):
        supervisor({})


async def test_a_specialist_approval_interrupt_pauses_and_resumes_the_supervisor() -> None:
    from langgraph.types import Command, interrupt

    async def gated(state: State) -> dict[str, Any]:
        decision = interrupt({"action": "send_email"})
        return {"messages": [AIMessage(content=f"Email {decision}.")]}

    graph = StateGraph(State)
    graph.add_node("gated", gated)
    graph.add_edge(START, "gated")
    team = {"next_action": graph.compile(name="next_action"), "budget": specialist("budget", "x")}
    sup = supervisor(team, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "gate"}}
    with scripted_model(strict=True):
        paused = await sup.ainvoke(
            ask("Draft a follow-up email to the head of procurement"), config
        )
        assert "__interrupt__" in paused and "recommendation" not in paused
        done = await sup.ainvoke(Command(resume="sent"), config)
    assert done["messages"][-1].content == "## Next best action\n\nEmail sent."
