"""A checked model streams only sentences its gate released, in LangGraph's messages mode too;
the supervisor's relay passes a subgraph's checked stream on without ``subgraphs``."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

from agents.checked_stream import checked, written
from agents.prose import Grounds, ProseGate, check_prose
from graphs.supervisor.relay import run_relayed

pytestmark = pytest.mark.anyio

SOURCE = "The VitaScan P12 has a warranty of 3 years. It weighs 2.5 kg."
QUESTION = "What warranty does the VitaScan P12 have?"
GROUNDS = Grounds.of([SOURCE], question=QUESTION)
FALLBACK = 'The documentation states: "The VitaScan P12 has a warranty of 3 years."'
DRAFT = "The VitaScan P12 has a 3 year warranty.\nIt weighs 2.5 kg. It works at 54 to 55 °C. Done."


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _model(text: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=text)]))


class _State(TypedDict, total=False):
    messages: Annotated[list[Any], add_messages]


def _agent(text: str, **options: Any) -> Any:
    """A one-node agent: a checked draft, then its deterministic wording after it."""

    async def answer(state: _State) -> dict[str, Any]:
        gate = ProseGate(GROUNDS)
        reply = await checked(_model(text), gate, **options).ainvoke([HumanMessage(QUESTION)])
        shown = gate.finish(FALLBACK)
        assert shown.text == check_prose(written(reply), GROUNDS, FALLBACK).text
        return {"messages": [AIMessage(content=(options.get("lead", "") + shown.text))]}

    graph = StateGraph(_State)
    graph.add_node("answer", answer)
    graph.add_edge(START, "answer")
    graph.add_edge("answer", END)
    return graph.compile()


_STREAMED_BELOW: list[str] = []


async def _stream(graph: Any, **options: Any) -> tuple[list[str], str]:
    """The root namespace's tokens and final answer (subgraphs' tokens in ``_STREAMED_BELOW``)."""
    tokens, final = [], ""
    _STREAMED_BELOW.clear()
    async for item in graph.astream(
        {"messages": [HumanMessage(QUESTION)]}, stream_mode=["messages", "values"], **options
    ):
        namespace, (mode, data) = (item[0], item[1:]) if options.get("subgraphs") else ((), item)
        if mode == "messages" and isinstance(data[0], AIMessageChunk) and data[0].text:
            (_STREAMED_BELOW if namespace else tokens).append(data[0].text)
        elif mode == "values" and not namespace and data["messages"][-1].type == "ai":
            final = data["messages"][-1].text
    return tokens, final


async def test_only_checked_sentences_stream_and_the_answer_starts_with_them() -> None:
    tokens, final = await _stream(_agent(DRAFT))
    assert tokens == ["The VitaScan P12 has a 3 year warranty.", "\nIt weighs 2.5 kg."]
    assert final == "".join(tokens) + "\n\n" + FALLBACK
    assert "54" not in "".join(tokens)


async def test_a_wrong_first_sentence_streams_nothing() -> None:
    tokens, final = await _stream(_agent("The warranty is 1 year. It weighs 2.5 kg."))
    assert tokens == [] and final == FALLBACK


async def test_the_lead_streams_first_and_whole_text_only_when_all_passes() -> None:
    lead = "Facts first.\n"
    tokens, final = await _stream(_agent(DRAFT, lead=lead, joint="In short: ", whole=True))
    assert tokens == [lead]  # the draft failed a sentence: none of it is shown
    good = "The VitaScan P12 has a 3 year warranty. It weighs 2.5 kg."
    tokens, final = await _stream(_agent(good, lead=lead, joint="In short: ", whole=True))
    assert tokens == [lead, "In short: " + good] and final == lead + good


async def test_the_events_mode_hides_the_unchecked_tokens_too() -> None:
    from runtime.engine import stream_graph_events

    shown = []
    async for event, data in stream_graph_events(
        _agent(DRAFT), {"messages": [HumanMessage(QUESTION)]}, config={}, stream_modes=["events"]
    ):
        if event == "events" and data["event"] == "on_chat_model_stream":
            shown.append(data["data"]["chunk"].text)
    assert "54" not in "".join(shown) and "warranty" in "".join(shown)


def _parent(child: Any) -> Any:
    async def run(state: _State) -> dict[str, Any]:
        out, streamed = await run_relayed(
            child, {"messages": state["messages"]}, heading="## Answer\n\n", about=QUESTION
        )
        assert out["messages"][-1].text.startswith(streamed.removeprefix("## Answer\n\n"))
        return {"messages": [AIMessage(content="## Answer\n\n" + out["messages"][-1].text)]}

    graph = StateGraph(_State)
    graph.add_node("run", run)
    graph.add_edge(START, "run")
    graph.add_edge("run", END)
    return graph.compile()


@pytest.mark.parametrize("subgraphs", [False, True])
async def test_the_relay_streams_a_subgraphs_checked_text(subgraphs: bool) -> None:
    tokens, final = await _stream(_parent(_agent(DRAFT)), subgraphs=subgraphs)
    relayed = ["## Answer\n\nThe VitaScan P12 has a 3 year warranty.", "\nIt weighs 2.5 kg."]
    assert tokens == relayed
    assert final.startswith("".join(relayed))
    # With subgraphs the child's own stream comes too, in its namespace: the same text.
    assert "## Answer\n\n" + "".join(_STREAMED_BELOW) == (
        "".join(relayed) if subgraphs else "## Answer\n\n"
    )


async def test_a_specialist_failing_after_it_streamed_keeps_what_it_showed() -> None:
    from graphs.supervisor.relay import FailedAfterStreaming

    async def answer(state: _State) -> dict[str, Any]:
        await checked(_model(DRAFT), ProseGate(GROUNDS)).ainvoke([HumanMessage(QUESTION)])
        raise RuntimeError("the CRM went away")

    graph = StateGraph(_State)
    graph.add_node("answer", answer)
    graph.add_edge(START, "answer")
    graph.add_edge("answer", END)
    with pytest.raises(FailedAfterStreaming) as failed:
        await run_relayed(graph.compile(), {"messages": []}, heading="## A\n\n", about=QUESTION)
    assert failed.value.shown == "The VitaScan P12 has a 3 year warranty.\nIt weighs 2.5 kg."
    assert "the CRM went away" in str(failed.value)
