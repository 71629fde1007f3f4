"""Fan-out of a run's events from the task executing it to any number of HTTP streams.

The in-process broker keeps each running run's events in memory; a Redis broker can replace it
behind the same :class:`StreamBroker` protocol when runs execute in other processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class StreamEvent:
    """One server-sent event of a run: its name, its JSON payload and its position in the run."""

    event: str
    data: bytes
    id: int


class StreamBroker(Protocol):
    """Where runs publish their events and HTTP streams read them."""

    def open(self, run_id: str) -> None:
        """Start the run's stream; must happen before anything subscribes or publishes."""

    async def publish(self, run_id: str, event: str, data: bytes) -> None:
        """Append one event to the run's stream."""

    async def close(self, run_id: str) -> None:
        """End the run's stream: subscribers finish after the events already published."""

    def subscribe(self, run_id: str, *, from_start: bool) -> AsyncIterator[StreamEvent]:
        """The run's events from its first one (``from_start``) or from now on.

        The position is fixed when this is called, not when iteration starts. An unknown or
        finished run gives an empty stream.
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
    """Events of the runs executing in this process, kept until each run ends."""

    def __init__(self) -> None:
        self._streams: dict[str, _RunStream] = {}

    def open(self, run_id: str) -> None:
        self._streams.setdefault(run_id, _RunStream())

    async def publish(self, run_id: str, event: str, data: bytes) -> None:
        stream = self._streams[run_id]
        stream.events.append(StreamEvent(event=event, data=data, id=len(stream.events)))
        stream.notify()

    async def close(self, run_id: str) -> None:
        # Subscriptions hold the stream itself, so dropping it here loses nothing they need.
        stream = self._streams.pop(run_id, None)
        if stream is not None:
            stream.closed = True
            stream.notify()

    def subscribe(self, run_id: str, *, from_start: bool) -> AsyncIterator[StreamEvent]:
        stream = self._streams.get(run_id)
        position = 0 if from_start or stream is None else len(stream.events)
        return _Subscription(stream, position)

    def is_open(self, run_id: str) -> bool:
        """Whether the run is still publishing."""
        return run_id in self._streams
