"""Stream a compiled graph and name its chunks as the LangGraph server's SSE events do.

:func:`stream_graph_events` knows nothing of HTTP, records or brokers: it turns
``graph.astream(...)`` into ``(event, data)`` pairs, ``data`` still holding Python objects.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Literal

from langchain_core.messages import BaseMessage, BaseMessageChunk
from langgraph.constants import TAG_NOSTREAM
from langgraph.types import Command, Send

from runtime.state import checkpoint_of

# The LangGraph server's stream modes this runtime implements.
STREAM_MODES: tuple[str, ...] = (
    "values",
    "updates",
    "messages",
    "messages-tuple",
    "custom",
    "debug",
    "tasks",
    "checkpoints",
    "events",
)

INTERRUPT = "__interrupt__"


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
    """The ``stream_mode`` list for LangGraph: both message modes come from its "messages", and
    "updates" is always on because interrupts arrive through it."""
    modes = [mode for mode in requested if mode not in ("messages", "messages-tuple", "events")]
    if "messages" in requested or "messages-tuple" in requested:
        modes.append("messages")
    if "updates" not in modes:
        modes.append("updates")
    return modes


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
) -> AsyncGenerator[tuple[str, Any], None]:
    """Run ``graph`` and yield its output as LangGraph-server events, in the order produced.

    ``messages-tuple`` yields ``messages`` events ``[chunk, metadata]`` token by token;
    ``messages`` yields ``messages/metadata`` then ``messages/partial`` (accumulated chunks) or
    ``messages/complete``. Subgraph events carry their namespace: ``updates|child:<id>``. An
    ``interrupt()`` always reaches the client: as a ``values`` event ``{"__interrupt__": [...]}``
    when neither ``values`` nor ``updates`` was asked for (as the LangGraph server does).
    ``events`` yields LangChain's ``astream_events`` (v2) records.
    """
    options: dict[str, Any] = {
        "stream_mode": library_stream_modes(stream_modes),
        "subgraphs": subgraphs,
        "interrupt_before": interrupt_before,
        "interrupt_after": interrupt_after,
    }
    if context is not None:
        options["context"] = context
    if durability is not None:
        options["durability"] = durability
    translate = _ChunkTranslator(stream_modes)
    if "events" not in stream_modes:
        async for chunk in graph.astream(input, dict(config), **options):
            namespace, mode, data = chunk if subgraphs else ((), *chunk)
            for event in translate(mode, namespace, data):
                yield event
        return
    root_run_id = str(config.get("run_id", ""))
    async for record in graph.astream_events(input, dict(config), version="v2", **options):
        tags = record.get("tags") or ()
        # Hidden runs, and model calls kept out of streams (text not checked yet).
        if "langsmith:hidden" in tags or TAG_NOSTREAM in tags:
            continue
        if record["event"] == "on_chain_stream" and record.get("run_id") == root_run_id:
            chunk = record["data"]["chunk"]
            namespace, mode, data = chunk if subgraphs else ((), *chunk)
            for event in translate(mode, namespace, data):
                yield event
        else:
            yield "events", record


class _ChunkTranslator:
    """Turns LangGraph ``(mode, namespace, data)`` chunks into the server's named events."""

    def __init__(self, requested: Sequence[str]) -> None:
        self._requested = set(requested)
        self._accumulated: dict[str, BaseMessage] = {}

    def __call__(self, mode: str, namespace: Sequence[str], data: Any) -> list[tuple[str, Any]]:
        requested = self._requested
        if mode == "messages":
            message, metadata = data
            events: list[tuple[str, Any]] = []
            if "messages-tuple" in requested:
                events.append((_event_name("messages", namespace), [message, metadata]))
            if "messages" in requested:
                for name, payload in _legacy_message_events(message, metadata, self._accumulated):
                    events.append((_event_name(name, namespace), payload))
            return events
        if mode == "updates" and "updates" not in requested:
            # LangGraph's own "values" chunks carry a raised interrupt already.
            interrupts = data.get(INTERRUPT) if isinstance(data, Mapping) else None
            if interrupts and "values" not in requested:
                return [(_event_name("values", namespace), {INTERRUPT: interrupts})]
            return []
        if mode == "checkpoints":
            data = with_checkpoint_ids(data)
        elif mode == "debug" and isinstance(data, Mapping) and data.get("type") == "checkpoint":
            data = {**data, "payload": with_checkpoint_ids(data.get("payload"))}
        return [(_event_name(mode, namespace), data)]


def with_checkpoint_ids(payload: Any) -> Any:
    """A checkpoint payload with ``checkpoint`` and ``parent_checkpoint`` besides its configs,
    as the LangGraph server sends them."""
    if not isinstance(payload, Mapping):
        return payload
    return {
        **payload,
        "checkpoint": checkpoint_of(payload.get("config")),
        "parent_checkpoint": checkpoint_of(payload.get("parent_config")),
    }


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
