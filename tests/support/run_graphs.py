"""Graphs for the run tests: steps with a gate between them, a subgraph, a two-question
approval, served next to the shared test graphs of tests/runtime."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Annotated, Any

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from typing_extensions import TypedDict

from graphs.registry import GraphSpec
from tests.support.fake_graphs import FakeServices, graph_specs


def _append(left: list[str] | None, right: list[str] | None) -> list[str]:
    return [*(left or []), *(right or [])]


class StepState(TypedDict, total=False):
    visited: Annotated[list[str], _append]
    note: str
    answer: Any


class ChildState(TypedDict, total=False):
    # No reducer: the subgraph hands back only what its own nodes wrote.
    visited: list[str]


@dataclass
class RunServices(FakeServices):
    """The shared fake services plus what these graphs count and wait for."""

    calls: dict[str, int] = field(default_factory=dict)
    second_gate: threading.Event = field(default_factory=threading.Event)

    def count(self, node: str) -> None:
        self.calls[node] = self.calls.get(node, 0) + 1


async def _wait_for(gate: threading.Event) -> None:
    while not gate.is_set():
        await asyncio.sleep(0.01)


def build_steps_graph(*, services: RunServices, checkpointer: Any = None, store: Any = None) -> Any:
    """first -> second -> third; ``second`` waits for ``services.gate``, so a test can act
    while the first step is checkpointed and the second is running."""

    async def first(state: StepState) -> dict[str, Any]:
        services.count("first")
        return {"visited": ["first"]}

    async def second(state: StepState) -> dict[str, Any]:
        services.count("second")
        get_stream_writer()({"waiting": "second"})
        await _wait_for(services.gate)
        return {"visited": ["second"]}

    async def third(state: StepState) -> dict[str, Any]:
        services.count("third")
        return {"visited": ["third"]}

    graph = StateGraph(StepState)
    for name, node in (("first", first), ("second", second), ("third", third)):
        graph.add_node(name, node)
    graph.add_edge(START, "first")
    graph.add_edge("first", "second")
    graph.add_edge("second", "third")
    graph.add_edge("third", END)
    return graph.compile(checkpointer=checkpointer, store=store)


def build_nested_graph(
    *, services: RunServices, checkpointer: Any = None, store: Any = None
) -> Any:
    """outer -> child (a subgraph: inner) -> done."""

    async def inner(state: ChildState) -> dict[str, Any]:
        get_stream_writer()({"from": "inner"})
        return {"visited": ["inner"]}

    child = StateGraph(ChildState)
    child.add_node("inner", inner)
    child.add_edge(START, "inner")
    child.add_edge("inner", END)

    async def outer(state: StepState) -> dict[str, Any]:
        return {"visited": ["outer"]}

    async def done(state: StepState) -> dict[str, Any]:
        return {"visited": ["done"]}

    graph = StateGraph(StepState)
    graph.add_node("outer", outer)
    graph.add_node("child", child.compile())
    graph.add_node("done", done)
    graph.add_edge(START, "outer")
    graph.add_edge("outer", "child")
    graph.add_edge("child", "done")
    graph.add_edge("done", END)
    return graph.compile(checkpointer=checkpointer, store=store)


def build_review_graph(
    *, services: RunServices, checkpointer: Any = None, store: Any = None
) -> Any:
    """draft -> review (interrupts with the draft) -> publish; or -> rewrite via goto."""

    async def draft(state: StepState) -> dict[str, Any]:
        return {"visited": ["draft"], "note": state.get("note") or "v1"}

    async def review(state: StepState) -> dict[str, Any]:
        decision = interrupt({"draft": state["note"], "question": "publish?"})
        return {"visited": ["review"], "answer": decision}

    async def publish(state: StepState) -> dict[str, Any]:
        return {"visited": ["publish"]}

    async def rewrite(state: StepState) -> dict[str, Any]:
        return {"visited": ["rewrite"], "note": "v2"}

    graph = StateGraph(StepState)
    for name, node in (
        ("draft", draft),
        ("review", review),
        ("publish", publish),
        ("rewrite", rewrite),
    ):
        graph.add_node(name, node)
    graph.add_edge(START, "draft")
    graph.add_edge("draft", "review")
    graph.add_edge("review", "publish")
    graph.add_edge("publish", END)
    graph.add_edge("rewrite", END)
    return graph.compile(checkpointer=checkpointer, store=store)


def run_graph_specs() -> dict[str, GraphSpec]:
    """The shared test graphs plus ``steps``, ``nested`` and ``review``."""
    specs = graph_specs()
    for spec in (
        GraphSpec("steps", "Steps", "Three steps, the second gated.", build_steps_graph),
        GraphSpec("nested", "Nested", "A graph with a subgraph.", build_nested_graph),
        GraphSpec("review", "Review", "Pauses for a review.", build_review_graph),
    ):
        specs[spec.graph_id] = spec
    return specs
