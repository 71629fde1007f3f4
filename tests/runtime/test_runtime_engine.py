"""Graph chunks named as LangGraph server events, and run input as LangGraph input."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Send
from typing_extensions import TypedDict

from runtime.engine import graph_input, library_stream_modes, stream_graph_events
from runtime.serialization import dumps, to_json_value
from tests.support.fake_graphs import TOKENS, FakeServices, build_chat_graph

pytestmark = pytest.mark.anyio

INPUT = {"messages": [{"role": "user", "content": "hi"}]}
CONFIG = {"configurable": {"thread_id": "t1"}}


async def _events(graph: Any, modes: list[str], **options: Any) -> list[tuple[str, Any]]:
    return [
        (event, orjson.loads(dumps(data)))
        async for event, data in stream_graph_events(
            graph, INPUT, config=CONFIG, stream_modes=modes, **options
        )
    ]


def _chat() -> Any:
    return build_chat_graph(services=FakeServices(), checkpointer=InMemorySaver())


async def test_values_updates_and_message_tuples_arrive_in_graph_order() -> None:
    events = await _events(_chat(), ["values", "updates", "messages-tuple"])
    names = [name for name, _ in events]
    assert names == ["values", "updates", "values"] + ["messages"] * len(TOKENS) + [
        "updates",
        "values",
    ]
    tokens = [data for name, data in events if name == "messages"]
    assert [chunk["content"] for chunk, _ in tokens] == TOKENS
    chunk, metadata = tokens[0]
    assert chunk["type"] == "AIMessageChunk"
    assert metadata["langgraph_node"] == "respond"
    assert events[1] == ("updates", {"prepare": {"step": 1}})
    final = events[-1][1]
    assert [m["type"] for m in final["messages"]] == ["human", "ai"]
    assert final["messages"][-1]["content"] == "hello there friend"


async def test_legacy_messages_mode_accumulates_partial_messages() -> None:
    events = await _events(_chat(), ["messages"])
    assert events[0][0] == "messages/metadata"
    partials = [data for name, data in events if name == "messages/partial"]
    assert [p[0]["content"] for p in partials] == [
        "hello",
        "hello ",
        "hello there",
        "hello there ",
        "hello there friend",
    ]
    assert "values" not in {name for name, _ in events}


async def test_custom_events_and_unrequested_modes_are_left_out() -> None:
    events = await _events(_chat(), ["custom"])
    assert events == [("custom", {"progress": "prepared"})]


class _ChildState(TypedDict):
    value: int


async def test_subgraph_events_carry_their_namespace() -> None:
    child = StateGraph(_ChildState)
    child.add_node("inner", lambda state: {"value": state["value"] + 1})
    child.add_edge(START, "inner")
    child.add_edge("inner", END)
    parent = StateGraph(_ChildState)
    parent.add_node("child", child.compile())
    parent.add_edge(START, "child")
    parent.add_edge("child", END)
    graph = parent.compile(checkpointer=InMemorySaver())
    events = [
        name
        async for name, _ in stream_graph_events(
            graph, {"value": 1}, config=CONFIG, stream_modes=["updates"], subgraphs=True
        )
    ]
    assert events[0].startswith("updates|child:")
    assert events[-1] == "updates"


def test_library_modes_map_both_message_modes_to_messages_and_always_watch_updates() -> None:
    assert library_stream_modes(["messages-tuple", "values"]) == ["values", "messages", "updates"]
    assert library_stream_modes(["messages", "messages-tuple"]) == ["messages", "updates"]
    assert library_stream_modes(["updates", "events"]) == ["updates"]


def test_graph_input_builds_commands_with_sends() -> None:
    assert graph_input({"a": 1}, None) == {"a": 1}
    command = graph_input(None, {"resume": "yes", "goto": [{"node": "n", "input": {"x": 1}}, "m"]})
    assert isinstance(command, Command)
    assert command.resume == "yes"
    assert command.goto == [Send("n", {"x": 1}), "m"]


def test_serialization_refuses_what_json_cannot_hold() -> None:
    assert to_json_value({"s": {1}, "t": (1, 2)}) == {"s": [1], "t": [1, 2]}
    with pytest.raises(TypeError, match="not JSON serializable: object"):
        dumps({"x": object()})
