"""The run store's contract (runtime/run_store.py), on SQLite and PostgreSQL alike: a run claims
its thread, ends with the thread's state, and is listed newest first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from runtime.errors import RunNotFound, ThreadBusy, ThreadNotFound
from runtime.run_store import RunStore, ThreadState
from runtime.thread_store import ThreadStore

pytestmark = pytest.mark.anyio


def run_args(thread_id: str, run_id: str, **changes: Any) -> dict[str, Any]:
    """The keyword arguments of one run of a test graph on ``thread_id``."""
    return {
        "run_id": run_id,
        "thread_id": thread_id,
        "assistant_id": "assistant-1",
        "graph_id": "chat",
        "metadata": {"source": "conformance"},
        "kwargs": {"input": {"question": "下一步做什么？"}},
        **changes,
    }


@pytest.fixture
async def thread_id(threads: ThreadStore, unique: Callable[[str], str]) -> str:
    return (await threads.create(thread_id=unique("thread"))).thread_id


async def test_a_run_round_trips_and_claims_its_thread(
    threads: ThreadStore, runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    run_id = unique("run")
    created = await runs.create(**run_args(thread_id, run_id))
    assert created.status == "pending" and created.error is None
    got = await runs.get(run_id, thread_id=thread_id)
    assert got == created
    assert got.kwargs == {"input": {"question": "下一步做什么？"}}
    thread = await threads.get(thread_id)
    assert thread.status == "busy"
    assert thread.metadata == {"graph_id": "chat", "assistant_id": "assistant-1"}


async def test_unknown_runs_and_threads_are_not_found(
    runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    missing = unique("run")
    with pytest.raises(RunNotFound, match=missing):
        await runs.get(missing)
    with pytest.raises(RunNotFound):
        await runs.delete(missing)
    with pytest.raises(ThreadNotFound):
        await runs.list(unique("thread"))
    with pytest.raises(ThreadNotFound):
        await runs.create(**run_args(unique("thread"), missing))


async def test_a_run_is_found_only_on_its_own_thread(
    threads: ThreadStore, runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    run_id = unique("run")
    await runs.create(**run_args(thread_id, run_id))
    other = (await threads.create()).thread_id
    with pytest.raises(RunNotFound):
        await runs.get(run_id, thread_id=other)
    with pytest.raises(RunNotFound):
        await runs.delete(run_id, thread_id=other)
    assert (await runs.get(run_id)).thread_id == thread_id


async def test_reject_refuses_a_second_run_while_one_is_active(
    runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    await runs.create(**run_args(thread_id, unique("run")))
    with pytest.raises(ThreadBusy, match=thread_id):
        await runs.create(**run_args(thread_id, unique("run")))
    queued = await runs.create(**run_args(thread_id, unique("run"), multitask_strategy="enqueue"))
    assert queued.status == "pending"


async def test_of_concurrent_rejecting_runs_exactly_one_claims_the_thread(
    runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    results = await asyncio.gather(
        *(runs.create(**run_args(thread_id, unique("run"))) for _ in range(6)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, ThreadBusy) for r in results if isinstance(r, BaseException))
    assert len(await runs.list(thread_id)) == 1


async def test_runs_are_listed_newest_first_filtered_and_paged(
    runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    ids = [unique("run") for _ in range(5)]
    for run_id in ids:
        await runs.create(**run_args(thread_id, run_id, multitask_strategy="enqueue"))
    await runs.set_status(ids[1], "running")
    listed = [r.run_id for r in await runs.list(thread_id, limit=10)]
    assert listed == ids[::-1]
    pages = [[r.run_id for r in await runs.list(thread_id, limit=2, offset=o)] for o in (0, 2, 4)]
    assert pages == [ids[:2:-1], ids[2:0:-1], ids[:1]]
    assert [r.run_id for r in await runs.list(thread_id, status="running")] == [ids[1]]
    assert await runs.list(thread_id, status="success") == []


async def test_finish_stores_the_outcome_and_frees_the_thread(
    threads: ThreadStore, runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    run_id = unique("run")
    await runs.create(**run_args(thread_id, run_id, status="running"))
    state = ThreadState(values={"answer": "建议下周拜访"}, interrupts={})
    ended = await runs.finish(
        run_id, status="success", error=None, thread_status="idle", thread_state=state
    )
    assert ended is not None and ended.status == "success"
    assert (await runs.get(run_id)).status == "success"
    thread = await threads.get(thread_id)
    assert (thread.status, thread.values) == ("idle", {"answer": "建议下周拜访"})


async def test_a_thread_stays_busy_while_another_run_is_active(
    threads: ThreadStore, runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    first, second = unique("run"), unique("run")
    await runs.create(**run_args(thread_id, first, status="running"))
    await runs.create(**run_args(thread_id, second, multitask_strategy="enqueue"))
    await runs.finish(
        first,
        status="error",
        error={"error": "Boom", "message": "失败"},
        thread_status="error",
        thread_state=None,
    )
    assert (await runs.get(first)).error == {"error": "Boom", "message": "失败"}
    assert (await threads.get(thread_id)).status == "busy"


async def test_a_stateless_run_ends_with_its_thread_deleted(
    threads: ThreadStore, runs: RunStore, unique: Callable[[str], str]
) -> None:
    thread_id, run_id = unique("thread"), unique("run")
    await runs.create(**run_args(thread_id, run_id, new_thread=True))
    assert (await threads.get(thread_id)).status == "busy"
    ended = await runs.finish(
        run_id,
        status="success",
        error=None,
        thread_status="idle",
        thread_state=None,
        delete_thread=True,
    )
    assert ended is not None and (ended.run_id, ended.status) == (run_id, "success")
    with pytest.raises(ThreadNotFound):
        await threads.get(thread_id)
    with pytest.raises(RunNotFound):
        await runs.get(run_id)


async def test_finishing_a_run_whose_thread_was_deleted_returns_none(
    threads: ThreadStore, runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    run_id = unique("run")
    await runs.create(**run_args(thread_id, run_id))
    await threads.delete(thread_id)  # its runs go with it
    with pytest.raises(RunNotFound):
        await runs.get(run_id)
    ended = await runs.finish(
        run_id, status="success", error=None, thread_status="idle", thread_state=None
    )
    assert ended is None


async def test_delete_removes_one_run(
    runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    kept, deleted = unique("run"), unique("run")
    await runs.create(**run_args(thread_id, kept))
    await runs.create(**run_args(thread_id, deleted, multitask_strategy="enqueue"))
    await runs.delete(deleted, thread_id=thread_id)
    assert [r.run_id for r in await runs.list(thread_id)] == [kept]


async def test_runs_left_active_by_a_dead_process_are_failed(
    threads: ThreadStore, runs: RunStore, thread_id: str, unique: Callable[[str], str]
) -> None:
    run_id = unique("run")
    await runs.create(**run_args(thread_id, run_id, status="running"))
    assert await runs.fail_unfinished() >= 1
    failed = await runs.get(run_id)
    assert failed.status == "error" and failed.error is not None
    assert failed.error["error"] == "ServerRestarted"
    assert (await threads.get(thread_id)).status == "error"
    await runs.fail_unfinished()  # a second start leaves runs that ended alone
    assert (await runs.get(run_id)) == failed
