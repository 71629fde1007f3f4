"""The in-process stream broker: replay from the start, follow from now, end on close."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc

import pytest

from runtime.broker import InMemoryStreamBroker, StreamEvent
from runtime.serialization import dumps

pytestmark = pytest.mark.anyio


async def _collect(events: object) -> list[StreamEvent]:
    return [event async for event in events]  # type: ignore[attr-defined]


async def test_subscriber_from_start_sees_every_event_then_the_end() -> None:
    broker = InMemoryStreamBroker()
    broker.open("r1")
    early = broker.subscribe("r1", from_start=True)
    await broker.publish("r1", "metadata", b'{"run_id":"r1"}')
    late = broker.subscribe("r1", from_start=True)
    await broker.publish("r1", "values", b"{}")
    await broker.close("r1")
    for subscription in (early, late):
        events = await _collect(subscription)
        assert [(e.event, e.data, e.id) for e in events] == [
            ("metadata", b'{"run_id":"r1"}', 0),
            ("values", b"{}", 1),
        ]


async def test_subscriber_from_now_skips_what_was_published_before() -> None:
    broker = InMemoryStreamBroker()
    broker.open("r1")
    await broker.publish("r1", "metadata", b"{}")
    joiner = broker.subscribe("r1", from_start=False)
    await broker.publish("r1", "values", b"1")
    await broker.close("r1")
    assert [e.event for e in await _collect(joiner)] == ["values"]


async def test_waiting_subscriber_wakes_on_publish_and_on_close() -> None:
    broker = InMemoryStreamBroker()
    broker.open("r1")
    reader = asyncio.create_task(_collect(broker.subscribe("r1", from_start=True)))
    await asyncio.sleep(0.01)
    assert not reader.done()
    await broker.publish("r1", "custom", b"1")
    await asyncio.sleep(0.01)
    assert not reader.done()
    await broker.close("r1")
    events = await asyncio.wait_for(reader, timeout=1)
    assert [e.data for e in events] == [b"1"]


async def test_unknown_or_finished_run_gives_an_empty_stream() -> None:
    broker = InMemoryStreamBroker()
    assert await _collect(broker.subscribe("nope", from_start=True)) == []
    broker.open("r1")
    await broker.close("r1")
    assert not broker.is_open("r1")
    assert await _collect(broker.subscribe("r1", from_start=False)) == []


async def test_publishing_to_a_run_never_opened_is_a_bug() -> None:
    with pytest.raises(KeyError):
        await InMemoryStreamBroker().publish("ghost", "values", b"{}")


async def test_after_an_id_replays_the_rest_while_running_and_resumable_runs_keep_it() -> None:
    broker = InMemoryStreamBroker(retention_seconds=0.1)
    broker.open("r1", resumable=True)
    broker.open("r2")
    for run_id in ("r1", "r2"):
        for n in range(3):
            await broker.publish(run_id, "values", str(n).encode())
    resumed = broker.subscribe("r2", after=0)
    await broker.close("r2")
    assert [e.data for e in await _collect(resumed)] == [b"1", b"2"]
    assert await _collect(broker.subscribe("r2", after=0)) == []  # not resumable: gone

    await broker.close("r1")
    assert not broker.is_open("r1")
    assert [e.id for e in await _collect(broker.subscribe("r1", after=0))] == [1, 2]
    assert [e.id for e in await _collect(broker.subscribe("r1", after=5))] == []
    assert await _collect(broker.subscribe("r1")) == []  # "from now on" after the end: nothing
    await asyncio.sleep(0.2)
    assert await _collect(broker.subscribe("r1", after=0)) == []  # retention is over


async def test_forgetting_and_clearing_drop_kept_streams() -> None:
    broker = InMemoryStreamBroker()
    for run_id in ("r1", "r2"):
        broker.open(run_id, resumable=True)
        await broker.publish(run_id, "values", b"{}")
        await broker.close(run_id)
    broker.forget("r1")
    assert await _collect(broker.subscribe("r1", from_start=True)) == []
    assert len(await _collect(broker.subscribe("r2", from_start=True))) == 1
    broker.clear()
    assert await _collect(broker.subscribe("r2", from_start=True)) == []


async def test_kept_events_take_their_own_size_not_the_encoders_buffer() -> None:
    """orjson's output keeps its whole buffer (>= 4 KB) behind a short value; kept events must
    not, or a run keeping hundreds of events (token by token) holds megabytes."""
    broker = InMemoryStreamBroker()
    broker.open("r1")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(200):
            await broker.publish("r1", "values", dumps({"n": n}))
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 200 * 400  # about 150 bytes an event; the encoder's buffers were 4 KB each
    last_two = broker.subscribe("r1", after=197)
    await broker.close("r1")
    events = await _collect(last_two)
    assert [e.data for e in events] == [b'{"n":198}', b'{"n":199}']
