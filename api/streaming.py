"""Framing of run output: server-sent events, and JSON bodies kept alive while a run works."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.responses import StreamingResponse

from runtime.broker import StreamEvent

# Proxies drop idle connections after ~30-60 s; the LangGraph server pings every 5 s.
HEARTBEAT_SECONDS = 5.0


def sse_response(
    events: AsyncIterator[StreamEvent],
    *,
    headers: Mapping[str, str],
    on_disconnect: Callable[[], object] | None = None,
    heartbeat: float = HEARTBEAT_SECONDS,
    event_ids: bool = False,
) -> EventSourceResponse:
    """Stream ``events`` as SSE with a comment heartbeat; ``on_disconnect`` if the client leaves
    before the last event. ``event_ids`` adds each event's ``id:`` line (resumable runs), which
    a reconnecting client sends back as ``Last-Event-ID``."""
    return EventSourceResponse(
        _frames(events, on_disconnect, event_ids=event_ids),
        headers=dict(headers),
        ping=heartbeat,
        sep="\n",
    )


async def _frames(
    events: AsyncIterator[StreamEvent],
    on_disconnect: Callable[[], object] | None,
    *,
    event_ids: bool,
) -> AsyncIterator[ServerSentEvent]:
    finished = False
    try:
        async for item in events:
            yield ServerSentEvent(
                data=item.data.decode(),
                event=item.event,
                id=str(item.id) if event_ids else None,
            )
        finished = True
    finally:
        if not finished and on_disconnect is not None:
            on_disconnect()


def json_when_done(
    result: Awaitable[bytes],
    *,
    headers: Mapping[str, str],
    on_disconnect: Callable[[], object] | None = None,
    heartbeat: float = HEARTBEAT_SECONDS,
) -> StreamingResponse:
    """A JSON response whose body is ``result``; newlines (valid JSON whitespace) keep the
    connection alive until it is ready."""
    return StreamingResponse(
        _json_body(result, on_disconnect, heartbeat),
        media_type="application/json",
        headers=dict(headers),
    )


async def _json_body(
    result: Awaitable[bytes], on_disconnect: Callable[[], object] | None, heartbeat: float
) -> AsyncIterator[bytes]:
    waiting = asyncio.ensure_future(result)
    try:
        while True:
            done, _ = await asyncio.wait({waiting}, timeout=heartbeat)
            if done:
                yield waiting.result()
                return
            yield b"\n"
    finally:
        if not waiting.done():
            waiting.cancel()
            if on_disconnect is not None:
                on_disconnect()
