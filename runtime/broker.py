"""Fan-out of a run's events from the task executing it to any number of HTTP streams.

The in-process broker keeps each running run's events in memory, and those of a resumable run
for a while after it ends, so a client that lost its connection can reconnect and read the
events after the last one it saw (``Last-Event-ID``). A Redis broker can replace it behind the
same :class:`StreamBroker` protocol when runs execute in other processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

# How long a resumable run's events stay readable after it ends.
RESUMABLE_RETENTION_SECONDS = 600.0


@dataclass(frozen=True)
class StreamEvent:
    """One server-sent event of a run: its name, its JSON payload and its position in the run."""

    event: str
    data: bytes
    id: int


class StreamBroker(Protocol):
    """Where runs publish their events and HTTP streams read them."""

    def open(self, run_id: str, *, resumable: bool = False) -> None:
        """Start the run's stream; must happen before anything subscribes or publishes.

        A resumable stream stays readable for a while after it is closed.
        """

    async def publish(self, run_id: str, event: str, data: bytes) -> None:
        """Append one event to the run's stream."""

    async def close(self, run_id: str) -> None:
        """End the run's stream: subscribers finish after the events already published."""

    def subscribe(
        self, run_id: str, *, from_start: bool = False, after: int | None = None
    ) -> AsyncIterator[StreamEvent]:
        """The run's events from its first one (``from_start``), after the event with id
        ``after`` (a reconnecting client's ``Last-Event-ID``), or from now on.

        The position is fixed when this is called, not when iteration starts. An unknown run,
        or one that ended and is not kept, gives an empty stream.
        """


class _RunStream:
    def __init__(self) -> None:
        self.events: list[StreamEvent] = []
        self.closed = False
        self.changed = asyncio.Event()

    def notify(self) -> None:
        # Each waiter holds the Event it saw; replacing it wakes them all exactly once.
        self.changed.set()
        self.changed = asyncio.Event()


class _Subscription:
    def __init__(self, stream: _RunStream | None, position: int) -> None:
        self._stream = stream
        self._position = position

    def __aiter__(self) -> _Subscription:
        return self

    async def __anext__(self) -> StreamEvent:
        stream = self._stream
        if stream is None:
            raise StopAsyncIteration
        while True:
            changed = stream.changed
            if self._position < len(stream.events):
                event = stream.events[self._position]
                self._position += 1
                return event
            if stream.closed:
                raise StopAsyncIteration
            await changed.wait()


class InMemoryStreamBroker:
    """Events of the runs executing in this process, kept until each run ends (resumable runs:
    until ``retention_seconds`` after it ends)."""

    def __init__(self, *, retention_seconds: float = RESUMABLE_RETENTION_SECONDS) -> None:
        self._streams: dict[str, _RunStream] = {}
        self._resumable: set[str] = set()
        self._ended: dict[str, _RunStream] = {}
        self._retention = retention_seconds
        self._expiries: dict[str, asyncio.TimerHandle] = {}

    def open(self, run_id: str, *, resumable: bool = False) -> None:
        self._streams.setdefault(run_id, _RunStream())
        if resumable:
            self._resumable.add(run_id)

    async def publish(self, run_id: str, event: str, data: bytes) -> None:
        stream = self._streams[run_id]
        # orjson hands out its whole output buffer (4 KB or more) with the shorter length set;
        # an exact copy keeps a kept event at its own size (a run may keep hundreds of them).
        kept = bytes(memoryview(data))
        stream.events.append(StreamEvent(event=event, data=kept, id=len(stream.events)))
        stream.notify()

    async def close(self, run_id: str) -> None:
        # Subscriptions hold the stream itself, so dropping it here loses nothing they need.
        stream = self._streams.pop(run_id, None)
        if stream is None:
            return
        stream.closed = True
        stream.notify()
        if run_id in self._resumable:
            self._resumable.discard(run_id)
            self._ended[run_id] = stream
            loop = asyncio.get_running_loop()
            self._expiries[run_id] = loop.call_later(self._retention, self._forget, run_id)

    def _forget(self, run_id: str) -> None:
        self._ended.pop(run_id, None)
        self._expiries.pop(run_id, None)

    def subscribe(
        self, run_id: str, *, from_start: bool = False, after: int | None = None
    ) -> AsyncIterator[StreamEvent]:
        stream = self._streams.get(run_id) or self._ended.get(run_id)
        if stream is None:
            return _Subscription(None, 0)
        if after is not None:
            position = max(after + 1, 0)
        elif from_start:
            position = 0
        else:
            position = len(stream.events)
        return _Subscription(stream, position)

    def is_open(self, run_id: str) -> bool:
        """Whether the run is still publishing."""
        return run_id in self._streams

    def forget(self, run_id: str) -> None:
        """Drop a run's kept events at once (the run was deleted)."""
        handle = self._expiries.pop(run_id, None)
        if handle is not None:
            handle.cancel()
        self._ended.pop(run_id, None)

    def clear(self) -> None:
        """Drop every kept stream and its timer (the server is stopping)."""
        for handle in self._expiries.values():
            handle.cancel()
        self._expiries.clear()
        self._ended.clear()
