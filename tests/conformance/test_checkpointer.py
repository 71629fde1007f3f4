"""The checkpointer's contract (runtime/checkpoints.py ``open_checkpointer``): put and get,
list with filters and paging, namespaces, pending writes and thread deletion, on SQLite and
PostgreSQL alike. Thread copies go through ``copy_thread_checkpoints``, also covered here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    empty_checkpoint,
)

from runtime.checkpoints import copy_thread_checkpoints

pytestmark = pytest.mark.anyio

Saver = BaseCheckpointSaver[str]


def config(thread_id: str, *, ns: str = "", checkpoint_id: str | None = None) -> RunnableConfig:
    """The config naming a thread (and a namespace and checkpoint within it)."""
    configurable: dict[str, Any] = {"thread_id": thread_id, "checkpoint_ns": ns}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def checkpoint(step: int, values: dict[str, Any]) -> Checkpoint:
    """A checkpoint whose channels hold ``values``, each at version ``step + 1``."""
    made = empty_checkpoint()
    made["channel_values"] = dict(values)
    made["channel_versions"] = {channel: step + 1 for channel in values}
    return made


async def put_chain(
    saver: Saver, thread_id: str, count: int, *, ns: str = ""
) -> list[RunnableConfig]:
    """``count`` checkpoints of one thread, each the child of the one before; their configs."""
    stored: list[RunnableConfig] = []
    parent = config(thread_id, ns=ns)
    for step in range(count):
        made = checkpoint(step, {"step": step, "note": f"第{step}步"})
        metadata: CheckpointMetadata = {
            "source": "input" if step % 2 == 0 else "loop",
            "step": step,
            "parents": {},
        }
        parent = await saver.aput(parent, made, metadata, dict(made["channel_versions"]))
        stored.append(parent)
    return stored


async def put_thread(
    saver: Saver, thread_id: str, *, count: int, write: str
) -> list[RunnableConfig]:
    """A thread of ``count`` root checkpoints, one in namespace ``child``, and a pending
    write of ``write`` on the newest root one; the root checkpoints' configs."""
    stored = await put_chain(saver, thread_id, count)
    await put_chain(saver, thread_id, 1, ns="child")
    await saver.aput_writes(stored[-1], [("answer", write)], "task-a")
    return stored


def checkpoint_id(stored: RunnableConfig) -> str:
    return str(stored["configurable"]["checkpoint_id"])


async def listed(saver: Saver, cfg: RunnableConfig | None, **options: Any) -> list[CheckpointTuple]:
    return [item async for item in saver.alist(cfg, **options)]


async def test_put_then_get_round_trips_values_and_metadata(
    checkpointer: Saver, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    made = checkpoint(0, {"messages": ["你好", {"role": "ai", "content": "报价已发送"}], "n": 7})
    metadata: CheckpointMetadata = {"source": "input", "step": -1, "parents": {}}
    stored = await checkpointer.aput(
        config(thread_id),
        made,
        {**metadata, "writer": "张伟"},
        dict(made["channel_versions"]),  # type: ignore[typeddict-unknown-key]
    )
    assert stored["configurable"]["thread_id"] == thread_id
    assert checkpoint_id(stored) == made["id"]
    got = await checkpointer.aget_tuple(config(thread_id))
    assert got is not None
    assert got.checkpoint["id"] == made["id"]
    assert got.checkpoint["channel_values"] == made["channel_values"]
    assert got.metadata["source"] == "input" and got.metadata["step"] == -1
    assert dict(got.metadata).get("writer") == "张伟"
    assert got.parent_config is None
    by_id = await checkpointer.aget_tuple(config(thread_id, checkpoint_id=made["id"]))
    assert by_id is not None and by_id.checkpoint["id"] == made["id"]


async def test_unknown_threads_and_checkpoints_are_none_or_empty(
    checkpointer: Saver, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    assert await checkpointer.aget_tuple(config(thread_id)) is None
    assert await listed(checkpointer, config(thread_id)) == []
    await put_chain(checkpointer, thread_id, 1)
    assert await checkpointer.aget_tuple(config(thread_id, checkpoint_id="no-such-id")) is None


async def test_the_latest_checkpoint_is_the_newest_and_names_its_parent(
    checkpointer: Saver, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    stored = await put_chain(checkpointer, thread_id, 3)
    latest = await checkpointer.aget_tuple(config(thread_id))
    assert latest is not None and latest.checkpoint["id"] == checkpoint_id(stored[2])
    assert latest.checkpoint["channel_values"] == {"step": 2, "note": "第2步"}
    assert latest.parent_config is not None
    assert checkpoint_id(latest.parent_config) == checkpoint_id(stored[1])


async def test_list_is_newest_first_and_pages_with_limit_and_before(
    checkpointer: Saver, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    ids = [checkpoint_id(c) for c in await put_chain(checkpointer, thread_id, 4)]
    everything = [t.checkpoint["id"] for t in await listed(checkpointer, config(thread_id))]
    assert everything == ids[::-1]
    first_page = await listed(checkpointer, config(thread_id), limit=2)
    assert [t.checkpoint["id"] for t in first_page] == [ids[3], ids[2]]
    before = config(thread_id, checkpoint_id=ids[2])
    next_page = await listed(checkpointer, config(thread_id), before=before, limit=2)
    assert [t.checkpoint["id"] for t in next_page] == [ids[1], ids[0]]


async def test_list_filters_by_metadata(checkpointer: Saver, unique: Callable[[str], str]) -> None:
    thread_id = unique("thread")
    ids = [checkpoint_id(c) for c in await put_chain(checkpointer, thread_id, 4)]
    inputs = await listed(checkpointer, config(thread_id), filter={"source": "input"})
    assert [t.checkpoint["id"] for t in inputs] == [ids[2], ids[0]]
    exact = await listed(checkpointer, config(thread_id), filter={"source": "loop", "step": 3})
    assert [t.checkpoint["id"] for t in exact] == [ids[3]]
    assert await listed(checkpointer, config(thread_id), filter={"step": 99}) == []


async def test_namespaces_of_one_thread_are_kept_apart(
    checkpointer: Saver, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    root = await put_chain(checkpointer, thread_id, 2)
    child = await put_chain(checkpointer, thread_id, 1, ns="budget:子图")
    in_root = await listed(checkpointer, config(thread_id))
    assert [t.checkpoint["id"] for t in in_root] == [checkpoint_id(c) for c in root[::-1]]
    in_child = await listed(checkpointer, config(thread_id, ns="budget:子图"))
    assert [t.checkpoint["id"] for t in in_child] == [checkpoint_id(child[0])]
    latest_child = await checkpointer.aget_tuple(config(thread_id, ns="budget:子图"))
    assert latest_child is not None and latest_child.checkpoint["id"] == checkpoint_id(child[0])


async def test_threads_are_kept_apart(checkpointer: Saver, unique: Callable[[str], str]) -> None:
    first, second = unique("thread"), unique("thread")
    await put_chain(checkpointer, first, 2)
    await put_chain(checkpointer, second, 1)
    assert len(await listed(checkpointer, config(first))) == 2
    assert len(await listed(checkpointer, config(second))) == 1


async def test_pending_writes_come_back_with_their_checkpoint(
    checkpointer: Saver, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    stored = (await put_chain(checkpointer, thread_id, 1))[0]
    await checkpointer.aput_writes(stored, [("answer", "明天上午十点"), ("n", 1)], "task-a")
    await checkpointer.aput_writes(stored, [("answer", {"draft": True})], "task-b")
    got = await checkpointer.aget_tuple(config(thread_id))
    assert got is not None and got.pending_writes is not None
    assert sorted(got.pending_writes, key=repr) == sorted(
        [
            ("task-a", "answer", "明天上午十点"),
            ("task-a", "n", 1),
            ("task-b", "answer", {"draft": True}),
        ],
        key=repr,
    )
    listed_writes = (await listed(checkpointer, config(thread_id)))[0].pending_writes
    assert sorted(listed_writes or [], key=repr) == sorted(got.pending_writes, key=repr)


async def test_a_task_writing_again_keeps_its_first_writes(
    checkpointer: Saver, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    stored = (await put_chain(checkpointer, thread_id, 1))[0]
    # A retried task repeats its writes: the stored ones stand (idempotent by task and index).
    await checkpointer.aput_writes(stored, [("answer", "first")], "task-a")
    await checkpointer.aput_writes(stored, [("answer", "second")], "task-a")
    got = await checkpointer.aget_tuple(config(thread_id))
    assert got is not None
    assert got.pending_writes == [("task-a", "answer", "first")]


async def test_delete_thread_removes_every_checkpoint_and_write_of_that_thread_only(
    checkpointer: Saver, unique: Callable[[str], str]
) -> None:
    doomed, kept = unique("thread"), unique("thread")
    await put_thread(checkpointer, doomed, count=2, write="x")
    await put_chain(checkpointer, kept, 1)
    await checkpointer.adelete_thread(doomed)
    assert await checkpointer.aget_tuple(config(doomed)) is None
    assert await listed(checkpointer, config(doomed)) == []
    assert await listed(checkpointer, config(doomed, ns="child")) == []
    assert len(await listed(checkpointer, config(kept))) == 1
    await checkpointer.adelete_thread(unique("thread"))  # an unknown thread: nothing to do


async def test_copying_a_thread_keeps_ids_parents_namespaces_and_writes(
    checkpointer: Saver, unique: Callable[[str], str]
) -> None:
    source, target = unique("thread"), unique("thread")
    stored = await put_thread(checkpointer, source, count=3, write="已确认")
    # Every namespace is copied: three root checkpoints and the child's one.
    assert await copy_thread_checkpoints(checkpointer, source, target) == 4
    copied = await listed(checkpointer, config(target))
    assert [t.checkpoint["id"] for t in copied] == [checkpoint_id(c) for c in stored[::-1]]
    assert copied[0].parent_config is not None
    assert checkpoint_id(copied[0].parent_config) == checkpoint_id(stored[1])
    assert copied[0].pending_writes == [("task-a", "answer", "已确认")]
    assert copied[0].checkpoint["channel_values"] == {"step": 2, "note": "第2步"}
    assert len(await listed(checkpointer, config(target, ns="child"))) == 1
