"""Graphs for the assistant, thread-state and store tests, served next to the shared ones:
one that reports the config and context it ran with, one with a subgraph, one that writes to
the LangGraph store."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from typing_extensions import TypedDict

from graphs.registry import GraphSpec
from tests.support.fake_graphs import FakeServices, graph_specs


class Tone(TypedDict, total=False):
    tone: str
    audience: str


class SeenState(TypedDict, total=False):
    question: str
    seen: dict[str, Any]


def build_configured_graph(
    *, services: FakeServices, checkpointer: Any = None, store: Any = None
) -> Any:
    """look: records the configurable values and the context its run got."""

    async def look(
        state: SeenState, config: RunnableConfig, runtime: Runtime[Tone]
    ) -> dict[str, Any]:
        configurable = config.get("configurable", {})
        return {
            "seen": {
                "tone": configurable.get("tone"),
                "assistant_id": configurable.get("assistant_id"),
                "context": dict(runtime.context or {}),
            }
        }

    graph = StateGraph(SeenState, context_schema=Tone)
    graph.add_node("look", look)
    graph.add_edge(START, "look")
    graph.add_edge("look", END)
    return graph.compile(checkpointer=checkpointer, store=store)


class FamilyState(TypedDict, total=False):
    trail: str


def build_family_graph(
    *, services: FakeServices, checkpointer: Any = None, store: Any = None
) -> Any:
    """parent -> child (a subgraph: grow) -> done."""

    async def grow(state: FamilyState) -> dict[str, Any]:
        return {"trail": state.get("trail", "") + "c"}

    child = StateGraph(FamilyState)
    child.add_node("grow", grow)
    child.add_edge(START, "grow")
    child.add_edge("grow", END)

    async def parent(state: FamilyState) -> dict[str, Any]:
        return {"trail": state.get("trail", "") + "p"}

    async def done(state: FamilyState) -> dict[str, Any]:
        return {"trail": state.get("trail", "") + "d"}

    graph = StateGraph(FamilyState)
    graph.add_node("parent", parent)
    graph.add_node("child", child.compile())
    graph.add_node("done", done)
    graph.add_edge(START, "parent")
    graph.add_edge("parent", "child")
    graph.add_edge("child", "done")
    graph.add_edge("done", END)
    return graph.compile(checkpointer=checkpointer, store=store)


class MemoState(TypedDict, total=False):
    note: str
    recalled: list[str]


def build_memo_graph(*, services: FakeServices, checkpointer: Any = None, store: Any = None) -> Any:
    """remember: puts the note into the store under ("memos", "rep"), then reads every memo."""

    async def remember(state: MemoState, runtime: Runtime[None]) -> dict[str, Any]:
        assert runtime.store is not None
        note = state.get("note", "")
        await runtime.store.aput(("memos", "rep"), note, {"text": note})
        items = await runtime.store.asearch(("memos",), limit=100)
        return {"recalled": sorted(item.key for item in items)}

    graph = StateGraph(MemoState)
    graph.add_node("remember", remember)
    graph.add_edge(START, "remember")
    graph.add_edge("remember", END)
    return graph.compile(checkpointer=checkpointer, store=store)


def assistant_graph_specs() -> dict[str, GraphSpec]:
    """The shared test graphs plus these, by graph id."""
    specs = [
        GraphSpec("configured", "Configured", "Reports its config.", build_configured_graph),
        GraphSpec("family", "Family", "Has a subgraph.", build_family_graph),
        GraphSpec("memo", "Memo", "Writes to the store.", build_memo_graph),
    ]
    return {**graph_specs(), **{spec.graph_id: spec for spec in specs}}
