"""Runs executed by the runtime: events, stored outcomes, cancellation, temporary threads."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
import pytest

from core.settings import Settings
from graphs.errors import UnknownGraph
from runtime.agent_runtime import AgentRuntime, open_agent_runtime
from runtime.errors import ServicesUnavailable, ThreadNotFound
from runtime.executor import StartedRun
from runtime.run_request import RunRequest
from tests.support.fake_graphs import TOKENS, FakeServices, graph_specs

pytestmark = pytest.mark.anyio

HI = {"messages": [{"role": "user", "content": "hi"}]}


async def _drain(started: StartedRun) -> list[tuple[str, Any]]:
    return [(e.event, orjson.loads(e.data)) async for e in started.events]


async def test_a_run_streams_events_and_stores_success_before_the_stream_ends(
    runtime: AgentRuntime,
) -> None:
    thread = await runtime.threads.store.create()
    request = RunRequest(assistant_id="chat", input=HI, stream_mode=("updates", "messages-tuple"))
    started = await runtime.executor.start(request, thread_id=thread.thread_id)
    events = []
    async for event in started.events:
        events.append((event.event, orjson.loads(event.data)))
        if event.event == "metadata":
            assert (await runtime.threads.store.get(thread.thread_id)).status == "busy"
    assert events[0] == ("metadata", {"run_id": started.run.run_id, "attempt": 1})
    assert [d[0]["content"] for e, d in events if e == "messages"] == TOKENS
    # The stream has ended: the outcome is already stored.
    run = await runtime.runs.get(started.run.run_id)
    assert run.status == "success"
    stored = await runtime.threads.store.get(thread.thread_id)
    assert stored.status == "idle"
    assert stored.values["messages"][-1]["content"] == "hello there friend"
    outcome = await started.outcome
    assert orjson.loads(outcome.output)["step"] == 2


async def test_a_failing_graph_ends_with_an_error_event_and_error_statuses(
    runtime: AgentRuntime,
) -> None:
    thread = await runtime.threads.store.create()
    started = await runtime.executor.start(
        RunRequest(assistant_id="failing", input={}), thread_id=thread.thread_id
    )
    events = await _drain(started)
    assert events[-1] == ("error", {"error": "ValueError", "message": "boom"})
    run = await runtime.runs.get(started.run.run_id)
    assert (run.status, run.error) == ("error", {"error": "ValueError", "message": "boom"})
    stored = await runtime.threads.store.get(thread.thread_id)
    assert stored.status == "error" and stored.values["step"] == 1
    assert orjson.loads((await started.outcome).output) == {
        "__error__": {"error": "ValueError", "message": "boom"}
    }


async def test_an_interrupt_leaves_the_run_successful_and_the_thread_interrupted(
    runtime: AgentRuntime,
) -> None:
    thread = await runtime.threads.store.create()
    started = await runtime.executor.start(
        RunRequest(assistant_id="approval", input={}, stream_mode=("updates",)),
        thread_id=thread.thread_id,
    )
    events = await _drain(started)
    assert events[-1][1]["__interrupt__"][0]["value"] == {"question": "approve?"}
    assert (await runtime.runs.get(started.run.run_id)).status == "success"
    stored = await runtime.threads.store.get(thread.thread_id)
    assert stored.status == "interrupted"
    [(_task_id, interrupts)] = stored.interrupts.items()
    assert interrupts[0]["value"] == {"question": "approve?"}
    output = orjson.loads((await started.outcome).output)
    assert output["__interrupt__"][0]["value"] == {"question": "approve?"}

    resumed = await runtime.executor.start(
        RunRequest(assistant_id="approval", command={"resume": "yes"}),
        thread_id=thread.thread_id,
    )
    await _drain(resumed)
    after = await runtime.threads.store.get(thread.thread_id)
    assert after.status == "idle" and after.values["answer"] == "yes"
    assert after.interrupts == {}


async def test_cancelling_a_run_ends_it_interrupted_and_frees_the_thread(
    runtime: AgentRuntime,
) -> None:
    thread = await runtime.threads.store.create()
    started = await runtime.executor.start(
        RunRequest(assistant_id="gated", input={}), thread_id=thread.thread_id
    )
    await asyncio.sleep(0.05)
    assert runtime.executor.cancel(started.run.run_id)
    await _drain(started)
    assert (await started.outcome).status == "interrupted"
    assert (await runtime.runs.get(started.run.run_id)).status == "interrupted"
    assert (await runtime.threads.store.get(thread.thread_id)).status == "idle"
    assert not runtime.executor.cancel(started.run.run_id)


async def test_cancel_before_the_task_starts_still_stores_interrupted(
    runtime: AgentRuntime,
) -> None:
    thread = await runtime.threads.store.create()
    started = await runtime.executor.start(
        RunRequest(assistant_id="chat", input=HI), thread_id=thread.thread_id
    )
    runtime.executor.cancel(started.run.run_id)  # no await in between: the task has not run
    assert [e for e, _ in await _drain(started)] == []
    assert (await runtime.runs.get(started.run.run_id)).status == "interrupted"


async def test_stateless_runs_delete_their_temporary_thread_unless_kept(
    runtime: AgentRuntime,
) -> None:
    started = await runtime.executor.start(
        RunRequest(assistant_id="chat", input=HI), thread_id=None
    )
    await _drain(started)
    assert orjson.loads((await started.outcome).output)["step"] == 2
    with pytest.raises(ThreadNotFound):
        await runtime.threads.store.get(started.run.thread_id)

    kept = await runtime.executor.start(
        RunRequest(assistant_id="chat", input=HI, on_completion="keep"), thread_id=None
    )
    await _drain(kept)
    assert (await runtime.threads.store.get(kept.run.thread_id)).status == "idle"


async def test_if_not_exists_create_makes_the_thread(runtime: AgentRuntime) -> None:
    request = RunRequest(assistant_id="chat", input=HI, if_not_exists="create")
    started = await runtime.executor.start(request, thread_id="fresh-thread")
    await _drain(started)
    assert (await runtime.threads.store.get("fresh-thread")).status == "idle"
    with pytest.raises(ThreadNotFound):
        await runtime.executor.start(RunRequest(assistant_id="chat"), thread_id="missing")


async def test_refused_requests_create_nothing(runtime: AgentRuntime) -> None:
    thread = await runtime.threads.store.create()
    with pytest.raises(UnknownGraph):
        await runtime.executor.start(RunRequest(assistant_id="nope"), thread_id=thread.thread_id)
    assert await runtime.runs.list(thread.thread_id) == []
    assert (await runtime.threads.store.get(thread.thread_id)).status == "idle"


async def test_deleting_a_thread_stops_its_run_first(
    runtime: AgentRuntime, services: FakeServices
) -> None:
    thread = await runtime.threads.store.create()
    started = await runtime.executor.start(
        RunRequest(assistant_id="gated", input={}), thread_id=thread.thread_id
    )
    await asyncio.sleep(0.05)
    await runtime.threads.delete(thread.thread_id)
    assert (await started.outcome).status == "interrupted"
    with pytest.raises(ThreadNotFound):
        await runtime.threads.state(thread.thread_id)


async def test_services_that_fail_to_load_fail_the_run_not_the_server(settings: Settings) -> None:
    def broken(_: Settings) -> FakeServices:
        raise RuntimeError("model file missing")

    async with open_agent_runtime(settings, graphs=graph_specs(), services_factory=broken) as rt:
        thread = await rt.threads.store.create()
        started = await rt.executor.start(
            RunRequest(assistant_id="chat"), thread_id=thread.thread_id
        )
        events = await _drain(started)
        assert events[-1][0] == "error"
        assert events[-1][1]["error"] == "ServicesUnavailable"
        assert "model file missing" in events[-1][1]["message"]
        assert rt.services.state == "failed"
        with pytest.raises(ServicesUnavailable):
            await rt.services.get()


async def test_shutdown_interrupts_running_runs_and_closes_services(
    settings: Settings, tmp_path: Path
) -> None:
    services = FakeServices()
    async with open_agent_runtime(
        settings, graphs=graph_specs(), services_factory=lambda _: services
    ) as rt:
        thread = await rt.threads.store.create()
        started = await rt.executor.start(
            RunRequest(assistant_id="gated", input={}), thread_id=thread.thread_id
        )
        await asyncio.sleep(0.05)
    assert (await started.outcome).status == "interrupted"
    assert services.closed
    async with open_agent_runtime(
        settings, graphs=graph_specs(), services_factory=lambda _: services
    ) as again:
        assert (await again.runs.get(started.run.run_id)).status == "interrupted"
        assert (await again.threads.store.get(thread.thread_id)).status == "idle"
