"""Thread and run records on a real SQLite database migrated by Alembic."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, inspect
from sqlalchemy.exc import IntegrityError

from crm.db import Base, migrate, session_factory
from runtime.database import make_records_engine, records_limiter
from runtime.errors import RunNotFound, ThreadBusy, ThreadExists, ThreadNotFound
from runtime.run_store import RunStore, ThreadState
from runtime.thread_store import ThreadStore, json_contains

pytestmark = pytest.mark.anyio


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    migrate(url)
    engine = make_records_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def threads(engine: Engine) -> ThreadStore:
    return ThreadStore(session_factory(engine))


@pytest.fixture
def runs(engine: Engine) -> RunStore:
    return RunStore(session_factory(engine))


def _run_args(thread_id: str, run_id: str = "r1") -> dict[str, object]:
    return {
        "run_id": run_id,
        "thread_id": thread_id,
        "assistant_id": "a1",
        "graph_id": "chat",
        "metadata": {"source": "test"},
        "kwargs": {"input": {"x": 1}},
    }


def test_migration_creates_exactly_the_modelled_runtime_tables(engine: Engine) -> None:
    import runtime.models  # noqa: F401  - registers the tables on Base

    assert {"graph_threads", "graph_runs"} <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if "graph_" in repr(d)]
    assert diffs == []


async def test_thread_create_get_update_delete(threads: ThreadStore) -> None:
    created = await threads.create(metadata={"owner": "ana"})
    assert created.status == "idle" and created.values is None
    assert (await threads.get(created.thread_id)).metadata == {"owner": "ana"}
    updated = await threads.update_metadata(created.thread_id, {"stage": "lead"})
    assert updated.metadata == {"owner": "ana", "stage": "lead"}
    assert updated.updated_at >= created.updated_at
    await threads.delete(created.thread_id)
    with pytest.raises(ThreadNotFound, match=created.thread_id):
        await threads.get(created.thread_id)
    with pytest.raises(ThreadNotFound):
        await threads.delete(created.thread_id)
    with pytest.raises(ThreadNotFound):
        await threads.update_metadata(created.thread_id, {})


async def test_thread_id_conflicts_raise_or_return_the_existing_thread(
    threads: ThreadStore,
) -> None:
    first = await threads.create(thread_id="t-1", metadata={"n": 1})
    with pytest.raises(ThreadExists, match="t-1"):
        await threads.create(thread_id="t-1")
    same = await threads.create(thread_id="t-1", metadata={"n": 2}, if_exists="do_nothing")
    assert same.metadata == first.metadata == {"n": 1}


async def test_thread_search_filters_by_status_ids_and_containment(
    threads: ThreadStore, runs: RunStore
) -> None:
    a = await threads.create(metadata={"team": "north", "tags": ["x", "y"]})
    b = await threads.create(metadata={"team": "south"})
    await runs.create(**_run_args(b.thread_id))  # type: ignore[arg-type]
    assert [t.thread_id for t in await threads.search(metadata={"team": "north"})] == [a.thread_id]
    assert [t.thread_id for t in await threads.search(metadata={"tags": ["y"]})] == [a.thread_id]
    assert [t.thread_id for t in await threads.search(status="busy")] == [b.thread_id]
    assert len(await threads.search(ids=[a.thread_id, b.thread_id])) == 2
    oldest_first = await threads.search(sort_by="created_at", sort_order="asc")
    assert [t.thread_id for t in oldest_first][:1] == [a.thread_id]
    assert len(await threads.search(limit=1, offset=1)) == 1
    assert await threads.search(metadata={"team": "north"}, offset=1) == []


def test_json_containment_follows_jsonb_semantics() -> None:
    document = {"a": {"b": 1, "c": [1, 2, {"d": 3}]}, "e": None}
    assert json_contains(document, {"a": {"b": 1}})
    assert json_contains(document, {"a": {"c": [{"d": 3}, 2]}})
    assert json_contains(document, {"e": None})
    assert not json_contains(document, {"a": {"b": 2}})
    assert not json_contains(document, {"missing": None})
    assert not json_contains(None, {"a": 1})


async def test_run_creation_claims_the_thread_and_a_second_run_is_refused(
    threads: ThreadStore, runs: RunStore
) -> None:
    thread = await threads.create()
    run = await runs.create(**_run_args(thread.thread_id))  # type: ignore[arg-type]
    assert run.status == "pending"
    busy = await threads.get(thread.thread_id)
    assert busy.status == "busy"
    assert busy.metadata == {"graph_id": "chat", "assistant_id": "a1"}
    with pytest.raises(ThreadBusy, match=thread.thread_id):
        await runs.create(**_run_args(thread.thread_id, "r2"))  # type: ignore[arg-type]
    with pytest.raises(ThreadNotFound):
        await runs.create(**_run_args("no-such-thread", "r3"))  # type: ignore[arg-type]


async def test_concurrent_run_creation_lets_exactly_one_through(
    threads: ThreadStore, runs: RunStore
) -> None:
    thread = await threads.create()
    results = await asyncio.gather(
        *(runs.create(**_run_args(thread.thread_id, f"r{i}")) for i in range(6)),  # type: ignore[arg-type]
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, ThreadBusy) for r in results if isinstance(r, BaseException))


async def test_finish_stores_run_and_thread_outcome_and_frees_the_thread(
    threads: ThreadStore, runs: RunStore
) -> None:
    thread = await threads.create()
    await runs.create(**_run_args(thread.thread_id))  # type: ignore[arg-type]
    await runs.set_status("r1", "running")
    assert (await runs.get("r1")).status == "running"
    await runs.finish(
        "r1",
        status="error",
        error={"error": "ValueError", "message": "boom"},
        thread_status="error",
        thread_state=ThreadState(values={"step": 1}, interrupts={}),
    )
    run = await runs.get("r1", thread_id=thread.thread_id)
    assert (run.status, run.error) == ("error", {"error": "ValueError", "message": "boom"})
    after = await threads.get(thread.thread_id)
    assert (after.status, after.values) == ("error", {"step": 1})
    second = await runs.create(**_run_args(thread.thread_id, "r2"))  # type: ignore[arg-type]
    assert [r.run_id for r in await runs.list(thread.thread_id)] == [second.run_id, "r1"]
    assert [r.run_id for r in await runs.list(thread.thread_id, status="error")] == ["r1"]


async def test_runs_are_found_only_on_their_own_thread(
    threads: ThreadStore, runs: RunStore
) -> None:
    thread, other = await threads.create(), await threads.create()
    await runs.create(**_run_args(thread.thread_id))  # type: ignore[arg-type]
    with pytest.raises(RunNotFound, match="r1"):
        await runs.get("r1", thread_id=other.thread_id)
    with pytest.raises(RunNotFound):
        await runs.get("nope")
    with pytest.raises(ThreadNotFound):
        await runs.list("no-such-thread")


async def test_runs_left_running_by_a_dead_process_are_failed_on_startup(
    threads: ThreadStore, runs: RunStore
) -> None:
    thread = await threads.create()
    await runs.create(**_run_args(thread.thread_id))  # type: ignore[arg-type]
    assert await runs.fail_unfinished() == 1
    run = await runs.get("r1")
    assert run.status == "error" and run.error and run.error["error"] == "ServerRestarted"
    assert (await threads.get(thread.thread_id)).status == "error"
    assert await runs.fail_unfinished() == 0


async def test_deleting_a_thread_deletes_its_runs(threads: ThreadStore, runs: RunStore) -> None:
    thread = await threads.create()
    await runs.create(**_run_args(thread.thread_id))  # type: ignore[arg-type]
    await threads.delete(thread.thread_id)
    with pytest.raises(RunNotFound):
        await runs.get("r1")


def _commits(engine: Engine) -> list[int]:
    """A counter of the engine's committed transactions from now on."""
    counted = [0]

    @event.listens_for(engine, "commit")
    def _count(_connection: object) -> None:
        counted[0] += 1

    return counted


async def test_a_stateless_run_creates_and_deletes_its_thread_with_the_run(
    engine: Engine, threads: ThreadStore, runs: RunStore
) -> None:
    commits = _commits(engine)
    created = await runs.create(**_run_args("t-new"), new_thread=True)  # type: ignore[arg-type]
    thread = await threads.get("t-new")
    assert (created.status, thread.status, thread.values) == ("pending", "busy", None)
    assert thread.metadata == {"graph_id": "chat", "assistant_id": "a1"}
    ended = await runs.finish(
        "r1",
        status="success",
        error=None,
        thread_status="idle",
        thread_state=ThreadState(values={"done": True}, interrupts={}),
        delete_thread=True,
    )
    assert ended is not None and (ended.run_id, ended.status) == ("r1", "success")
    assert ended.updated_at >= created.updated_at
    assert commits[0] == 2  # one transaction to create thread and run, one to end both
    with pytest.raises(ThreadNotFound):
        await threads.get("t-new")
    with pytest.raises(RunNotFound):
        await runs.get("r1")


async def test_a_new_thread_id_that_exists_creates_nothing(
    threads: ThreadStore, runs: RunStore
) -> None:
    thread = await threads.create()
    with pytest.raises(IntegrityError):
        await runs.create(**_run_args(thread.thread_id), new_thread=True)  # type: ignore[arg-type]
    assert (await threads.get(thread.thread_id)).status == "idle"
    with pytest.raises(RunNotFound):
        await runs.get("r1")


def test_records_take_turns_on_sqlite_only(engine: Engine) -> None:
    limiter = records_limiter(engine)
    assert limiter is not None and limiter.total_tokens == 1
    assert records_limiter(make_records_engine("postgresql://u@localhost/db")) is None


async def test_many_runs_created_at_once_through_the_shared_limiter_all_succeed(
    engine: Engine,
) -> None:
    limiter = records_limiter(engine)
    runs = RunStore(session_factory(engine), limiter=limiter)
    created = await asyncio.gather(
        *(
            runs.create(**_run_args(f"t{n}", f"r{n}"), new_thread=True)  # type: ignore[arg-type]
            for n in range(100)
        )
    )
    assert sorted(run.run_id for run in created) == sorted(f"r{n}" for n in range(100))
