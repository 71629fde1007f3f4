"""Small graphs for runtime and API tests: a streaming chat, a failure, an approval, a gate."""

from __future__ import annotations

import asyncio
import itertools
import threading
from dataclasses import dataclass, field
from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph, add_messages
from langgraph.types import interrupt
from typing_extensions import TypedDict

from graphs.registry import GraphSpec

REPLY = "hello there friend"
TOKENS = ["hello", " ", "there", " ", "friend"]  # how GenericFakeChatModel splits REPLY


@dataclass
class FakeServices:
    """Stands in for ``tools.agent_services.AgentServices``: what the test graphs reach."""

    reply: str = REPLY
    gate: threading.Event = field(default_factory=threading.Event)
    closed: bool = False

    def close(self) -> None:
        self.closed = True


class ChatState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    step: int
    answer: str


def build_chat_graph(*, services: FakeServices, checkpointer: Any = None, store: Any = None) -> Any:
    """prepare -> respond: the second node streams the fake model's reply token by token."""
    model = GenericFakeChatModel(messages=itertools.repeat(AIMessage(content=services.reply)))

    async def prepare(state: ChatState) -> dict[str, Any]:
        get_stream_writer()({"progress": "prepared"})
        return {"step": 1}

    async def respond(state: ChatState) -> dict[str, Any]:
        reply = await model.ainvoke(state["messages"])
        return {"messages": [reply], "step": 2}

    graph = StateGraph(ChatState)
    graph.add_node("prepare", prepare)
    graph.add_node("respond", respond)
    graph.add_edge(START, "prepare")
    graph.add_edge("prepare", "respond")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer, store=store)


def build_failing_graph(
    *, services: FakeServices, checkpointer: Any = None, store: Any = None
) -> Any:
    """ok -> explode: the second node raises ValueError("boom")."""

    async def ok(state: ChatState) -> dict[str, Any]:
        return {"step": 1}

    async def explode(state: ChatState) -> dict[str, Any]:
        raise ValueError("boom")

    graph = StateGraph(ChatState)
    graph.add_node("ok", ok)
    graph.add_node("explode", explode)
    graph.add_edge(START, "ok")
    graph.add_edge("ok", "explode")
    graph.add_edge("explode", END)
    return graph.compile(checkpointer=checkpointer, store=store)


def build_approval_graph(
    *, services: FakeServices, checkpointer: Any = None, store: Any = None
) -> Any:
    """ask: pauses at interrupt() and stores the answer it is resumed with."""

    async def ask(state: ChatState) -> dict[str, Any]:
        answer = interrupt({"question": "approve?"})
        return {"answer": answer, "step": 1}

    graph = StateGraph(ChatState)
    graph.add_node("ask", ask)
    graph.add_edge(START, "ask")
    graph.add_edge("ask", END)
    return graph.compile(checkpointer=checkpointer, store=store)


def build_gated_graph(
    *, services: FakeServices, checkpointer: Any = None, store: Any = None
) -> Any:
    """wait: runs until the test opens ``services.gate`` (works across event loops)."""

    async def wait(state: ChatState) -> dict[str, Any]:
        while not services.gate.is_set():
            await asyncio.sleep(0.01)
        return {"step": 1}

    graph = StateGraph(ChatState)
    graph.add_node("wait", wait)
    graph.add_edge(START, "wait")
    graph.add_edge("wait", END)
    return graph.compile(checkpointer=checkpointer, store=store)


def graph_specs() -> dict[str, GraphSpec]:
    """The graphs tests serve, by graph id."""
    specs = [
        GraphSpec("chat", "Chat", "Streams a fixed reply.", build_chat_graph),
        GraphSpec("failing", "Failing", "Its second node raises.", build_failing_graph),
        GraphSpec("approval", "Approval", "Pauses for approval.", build_approval_graph),
        GraphSpec("gated", "Gated", "Waits for the test.", build_gated_graph),
    ]
    return {spec.graph_id: spec for spec in specs}
