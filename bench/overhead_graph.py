"""The graph both servers serve in the overhead benchmark: understand -> respond -> finish.

One file for both: our server gets :data:`SPEC` (``server.create_app(graphs=...)``), and
``langgraph dev`` loads :data:`graph` through the ``langgraph.json`` the benchmark writes.
``respond`` calls the model named by ``CRM_AGENTS_MODEL`` (read through our Settings):
``scripted/bench`` is our scripted test model through the litellm gateway (no latency, the
gateway's own CPU cost included); ``bench/fake`` is LangChain's in-memory fake model, to show
what the gateway costs. Input ``hold_seconds`` makes ``understand`` wait first, which keeps a
stream open without using CPU (the streams test).
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Annotated, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import END, START, StateGraph, add_messages
from typing_extensions import TypedDict

from core.offline import apply_offline_defaults

apply_offline_defaults()  # before litellm's import (in the peer's process too)

from core.settings import Settings  # noqa: E402
from graphs.registry import GraphSpec  # noqa: E402

GRAPH_ID = "bench"
FAKE_MODEL = "bench/fake"
FAKE_REPLY = "Scripted reply: the battery lasts twelve hours."
MAX_HOLD_SECONDS = 600.0


class BenchState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    hold_seconds: float
    question: str
    words: int


def bench_model(settings: Settings | None = None) -> BaseChatModel:
    """The model ``respond`` calls, chosen by ``CRM_AGENTS_MODEL``."""
    settings = settings or Settings()
    if settings.model == FAKE_MODEL:
        from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

        return GenericFakeChatModel(messages=itertools.repeat(AIMessage(content=FAKE_REPLY)))
    from llm.gateway import chat_model

    return chat_model(settings)


def build_bench_graph(*, model: BaseChatModel, checkpointer: Any = None, store: Any = None) -> Any:
    """Compile the three-node graph around ``model``."""

    async def understand(state: BenchState) -> dict[str, Any]:
        hold = min(float(state.get("hold_seconds") or 0.0), MAX_HOLD_SECONDS)
        if hold > 0:
            await asyncio.sleep(hold)
        last = next(
            (m for m in reversed(state.get("messages", [])) if isinstance(m, HumanMessage)), None
        )
        return {"question": str(last.content) if last else ""}

    async def respond(state: BenchState) -> dict[str, Any]:
        return {"messages": [await model.ainvoke(state["messages"])]}

    async def finish(state: BenchState) -> dict[str, Any]:
        return {"words": len(str(state["messages"][-1].content).split())}

    builder = StateGraph(BenchState)
    builder.add_node("understand", understand)
    builder.add_node("respond", respond)
    builder.add_node("finish", finish)
    builder.add_edge(START, "understand")
    builder.add_edge("understand", "respond")
    builder.add_edge("respond", "finish")
    builder.add_edge("finish", END)
    return builder.compile(checkpointer=checkpointer, store=store, name=GRAPH_ID)


SPEC = GraphSpec(
    graph_id=GRAPH_ID,
    title="Overhead benchmark",
    description="understand -> respond (the configured model) -> finish.",
    factory=lambda *, services, checkpointer=None, store=None: build_bench_graph(
        model=bench_model(), checkpointer=checkpointer, store=store
    ),
)


# What langgraph dev serves (it brings its own checkpointer).
graph = build_bench_graph(model=bench_model())
