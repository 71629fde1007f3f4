"""Joining a run's stream: which events a joining client asked for, and where it resumes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from api.errors import ApiError
from runtime.broker import StreamEvent
from runtime.engine import STREAM_MODES

__all__ = ["CONTROL_EVENTS", "filter_stream_modes", "parse_last_event_id"]

# Always delivered, whatever modes the joining client asked for.
CONTROL_EVENTS = frozenset({"metadata", "error", "end"})


def parse_last_event_id(value: str | None) -> int | None:
    """The id of the last event a reconnecting client saw; 422 if it is not one of ours."""
    if value is None or not value.strip():
        return None
    try:
        event_id = int(value.strip())
    except ValueError:
        raise ApiError(
            422,
            "invalid_request",
            f"Last-Event-ID (header): {value!r} is not an event id of this server "
            "(ids are whole numbers)",
        ) from None
    if event_id < 0:
        raise ApiError(422, "invalid_request", "Last-Event-ID (header): must be >= 0")
    return event_id


def _event_mode(event: str) -> str:
    mode = event.split("|", 1)[0]
    if mode.startswith("messages/"):
        return "messages"
    if mode == "messages":
        return "messages-tuple"
    return mode


def filter_stream_modes(
    events: AsyncIterator[StreamEvent], modes: Sequence[str]
) -> AsyncIterator[StreamEvent]:
    """Only the events of ``modes`` (and control events); every event when ``modes`` is empty.
    :class:`ApiError` 422 for a mode this server does not know."""
    unknown = [mode for mode in modes if mode not in STREAM_MODES]
    if unknown:
        raise ApiError(
            422,
            "invalid_request",
            f"stream_mode (query parameter): {unknown[0]!r} is not a stream mode; "
            f"use {', '.join(STREAM_MODES)}",
        )
    if not modes:
        return events
    wanted = set(modes)
    return _only(events, wanted)


async def _only(events: AsyncIterator[StreamEvent], wanted: set[str]) -> AsyncIterator[StreamEvent]:
    async for event in events:
        if event.event in CONTROL_EVENTS or _event_mode(event.event) in wanted:
            yield event
