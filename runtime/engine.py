"""Stream a compiled graph and name its chunks as the LangGraph server's SSE events do.

:func:`stream_graph_events` knows nothing of HTTP, records or brokers: it turns
``graph.astream(...)`` into ``(event, data)`` pairs, ``data`` still holding Python objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Literal

from langchain_core.messages import BaseMessage, BaseMessageChunk
from langgraph.types import Command, Send

# The LangGraph server's stream modes this runtime implements ("events" is not one yet).
STREAM_MODES: tuple[str, ...] = (
    "values",
    "updates",
    "messages",
    "messages-tuple",
    "custom",
    "debug",
    "tasks",
    "checkpoints",
)


def graph_input(input: Any, command: Mapping[str, Any] | None) -> Any:
    """What to pass to ``astream``: the input, or a :class:`Command` built from its JSON form."""
    if not command:
        return input
    goto = command.get("goto")
    if goto is not None:
        targets = goto if isinstance(goto, list) else [goto]
        goto = [
            Send(target["node"], target.get("input")) if isinstance(target, Mapping) else target
            for target in targets
        ]
    return Command(
        update=command.get("update"),
        resume=command.get("resume"),
        goto=goto if goto is not None else (),
    )


def library_stream_modes(requested: Sequence[str]) -> list[str]:
    """The ``stream_mode`` list for LangGraph: both message modes come from its "messages"."""
    modes = [mode for mode in requested if mode not in ("messages", "messages-tuple")]
    if "messages" in requested or "messages-tuple" in requested:
        modes.append("messages")
    return modes or ["values"]


def _event_name(mode: str, namespace: Sequence[str]) -> str:
    return "|".join([mode, *namespace])


async def stream_graph_events(
    graph: Any,
    input: Any,
    *,
    config: Mapping[str, Any],
    stream_modes: Sequence[str],
    subgraphs: bool = False,
    interrupt_before: Sequence[str] | Literal["*"] | None = None,
    interrupt_after: Sequence[str] | Literal["*"] | None = None,
    context: Any = None,
    durability: str | None = None,
) -> AsyncIterator[tuple[str, Any]]:
    """Run ``graph`` and yield its output as LangGraph-server events, in the order produced.

    ``messages-tuple`` yields ``messages`` events ``[chunk, metadata]`` token by token;
    ``messages`` yields ``messages/metadata`` then ``messages/partial`` (accumulated chunks) or
    ``messages/complete``. Subgraph events carry their namespace: ``updates|child:<id>``.
    """
    options: dict[str, Any] = {}
    if context is not None:
        options["context"] = context
    if durability is not None:
        options["durability"] = durability
    accumulated: dict[str, BaseMessage] = {}
    async for chunk in graph.astream(
        input,
        dict(config),
        stream_mode=library_stream_modes(stream_modes),
        subgraphs=subgraphs,
        interrupt_before=interrupt_before,
        interrupt_after=interrupt_after,
        **options,
    ):
        namespace, mode, data = chunk if subgraphs else ((), *chunk)
        if mode != "messages":
            yield _event_name(mode, namespace), data
            continue
        message, metadata = data
        if "messages-tuple" in stream_modes:
            yield _event_name("messages", namespace), [message, metadata]
        if "messages" in stream_modes:
            for event in _legacy_message_events(message, metadata, accumulated):
                yield _event_name(event[0], namespace), event[1]


def _legacy_message_events(
    message: BaseMessage, metadata: Any, accumulated: dict[str, BaseMessage]
) -> list[tuple[str, Any]]:
    key = message.id or ""
    events: list[tuple[str, Any]] = []
    previous = accumulated.get(key)
    if previous is None:
        events.append(("messages/metadata", {key: {"metadata": metadata}}))
        accumulated[key] = message
    elif isinstance(previous, BaseMessageChunk) and isinstance(message, BaseMessageChunk):
        accumulated[key] = previous + message
    else:
        accumulated[key] = message
    kind = "messages/partial" if isinstance(message, BaseMessageChunk) else "messages/complete"
    events.append((kind, [accumulated[key]]))
    return events
