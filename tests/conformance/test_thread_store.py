"""The thread store's contract (runtime/thread_store.py), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from runtime.errors import ThreadExists, ThreadNotFound
from runtime.records import ThreadRecord
from runtime.thread_store import ThreadStore

pytestmark = pytest.mark.anyio

CHINESE = {"客户": "北京协和医院", "备注": "需要跟进报价 ✓"}


async def test_create_then_get_round_trips_metadata_and_starts_idle(
    threads: ThreadStore, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    created = await threads.create(thread_id=thread_id, metadata={"owner": "ana", "n": 3})
    got = await threads.get(thread_id)
    assert got == created
    assert got.status == "idle" and got.values is None and got.interrupts == {}
    assert got.metadata == {"owner": "ana", "n": 3}
    assert got.created_at.tzinfo is not None and got.created_at == got.updated_at


async def test_a_thread_without_an_id_gets_a_new_one(threads: ThreadStore) -> None:
    first, second = await threads.create(), await threads.create()
    assert first.thread_id != second.thread_id
    assert (await threads.get(first.thread_id)).thread_id == first.thread_id


async def test_chinese_text_round_trips_in_metadata_and_values(
    threads: ThreadStore, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    await threads.create(thread_id=thread_id, metadata=CHINESE)
    await threads.set_state(
        thread_id, values={"回答": "预算约 ¥120万"}, interrupts={}, status="idle"
    )
    got = await threads.get(thread_id)
    assert got.metadata == CHINESE and got.values == {"回答": "预算约 ¥120万"}
    found = await threads.search(metadata={"客户": "北京协和医院"}, ids=[thread_id])
    assert [t.thread_id for t in found] == [thread_id]


async def test_an_existing_id_raises_or_returns_the_stored_thread(
    threads: ThreadStore, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    first = await threads.create(thread_id=thread_id, metadata={"n": 1})
    with pytest.raises(ThreadExists, match=thread_id):
        await threads.create(thread_id=thread_id)
    again = await threads.create(thread_id=thread_id, metadata={"n": 2}, if_exists="do_nothing")
    assert again.metadata == first.metadata == {"n": 1}


async def test_concurrent_creates_of_one_id_make_one_thread(
    threads: ThreadStore, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    results = await asyncio.gather(
        *(threads.create(thread_id=thread_id, metadata={"i": i}) for i in range(5)),
        return_exceptions=True,
    )
    created = [r for r in results if not isinstance(r, BaseException)]
    assert len(created) == 1
    assert all(isinstance(r, ThreadExists) for r in results if isinstance(r, BaseException))
    assert await threads.get(thread_id) == created[0]


async def test_unknown_threads_are_not_found_everywhere(
    threads: ThreadStore, unique: Callable[[str], str]
) -> None:
    missing = unique("missing")
    for attempt in (
        threads.get(missing),
        threads.delete(missing),
        threads.update_metadata(missing, {"a": 1}),
        threads.copy(missing),
        threads.set_state(missing, values=None, interrupts={}, status="idle"),
    ):
        with pytest.raises(ThreadNotFound, match=missing):
            await attempt


async def test_metadata_updates_merge_and_move_updated_at(
    threads: ThreadStore, unique: Callable[[str], str]
) -> None:
    created = await threads.create(thread_id=unique("thread"), metadata={"a": 1, "b": 2})
    updated = await threads.update_metadata(created.thread_id, {"b": 3, "c": [1, 2]})
    assert updated.metadata == {"a": 1, "b": 3, "c": [1, 2]}
    assert updated.updated_at >= created.updated_at
    assert (await threads.get(created.thread_id)).metadata == updated.metadata


async def test_state_is_stored_with_interrupts_and_status(
    threads: ThreadStore, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    await threads.create(thread_id=thread_id)
    interrupts = {"task-1": [{"value": {"question": "send?"}, "id": "i1"}]}
    await threads.set_state(
        thread_id, values={"messages": [1, 2]}, interrupts=interrupts, status="interrupted"
    )
    got = await threads.get(thread_id)
    assert (got.values, got.interrupts, got.status) == (
        {"messages": [1, 2]},
        interrupts,
        "interrupted",
    )


async def test_delete_removes_the_thread(
    threads: ThreadStore, unique: Callable[[str], str]
) -> None:
    thread_id = unique("thread")
    await threads.create(thread_id=thread_id)
    await threads.delete(thread_id)
    with pytest.raises(ThreadNotFound):
        await threads.get(thread_id)
    assert await threads.search(ids=[thread_id]) == []


async def test_copy_keeps_metadata_values_and_interrupts_under_a_new_id(
    threads: ThreadStore, unique: Callable[[str], str]
) -> None:
    source = unique("thread")
    await threads.create(thread_id=source, metadata={"owner": "李雷"})
    await threads.set_state(source, values={"v": 1}, interrupts={"t": ["x"]}, status="busy")
    copied = await threads.copy(source, new_thread_id=unique("copy"))
    assert copied.thread_id != source
    assert (copied.metadata, copied.values, copied.interrupts) == (
        {"owner": "李雷"},
        {"v": 1},
        {"t": ["x"]},
    )
    assert copied.status == "idle"  # a busy source is copied idle: the copy has no run
    assert (await threads.get(copied.thread_id)) == copied


async def test_search_filters_by_ids_status_metadata_and_values(
    threads: ThreadStore, unique: Callable[[str], str]
) -> None:
    team = unique("team")
    north = await threads.create(metadata={"team": team, "tags": ["x", "y"], "region": "north"})
    south = await threads.create(metadata={"team": team, "region": "south"})
    await threads.set_state(
        south.thread_id, values={"stage": {"n": 2}}, interrupts={}, status="error"
    )
    ids = [north.thread_id, south.thread_id]

    def found(records: list[ThreadRecord]) -> list[str]:
        return [r.thread_id for r in records]

    assert sorted(found(await threads.search(ids=ids))) == sorted(ids)
    assert found(await threads.search(metadata={"team": team, "region": "north"})) == ids[:1]
    assert found(await threads.search(metadata={"team": team, "tags": ["y"]})) == ids[:1]
    assert found(await threads.search(ids=ids, status="error")) == ids[1:]
    assert found(await threads.search(values={"stage": {"n": 2}}, ids=ids)) == ids[1:]
    assert await threads.search(metadata={"team": team, "region": "east"}) == []
    assert await threads.count(metadata={"team": team}) == 2
    assert await threads.count(metadata={"team": team}, status="error") == 1
    assert await threads.count(values={"stage": {"n": 2}}, metadata={"team": team}) == 1


async def test_search_orders_and_pages(threads: ThreadStore, unique: Callable[[str], str]) -> None:
    team = unique("team")
    ids = [
        (await threads.create(thread_id=f"{team}-{n}", metadata={"team": team})).thread_id
        for n in range(5)
    ]
    newest_first = [t.thread_id for t in await threads.search(ids=ids, limit=10)]
    assert newest_first == ids[::-1]
    oldest_first = await threads.search(ids=ids, sort_by="created_at", sort_order="asc")
    assert [t.thread_id for t in oldest_first] == ids
    by_id = await threads.search(ids=ids, sort_by="thread_id", sort_order="asc")
    assert [t.thread_id for t in by_id] == sorted(ids)
    pages = [
        [t.thread_id for t in await threads.search(ids=ids, sort_order="asc", limit=2, offset=o)]
        for o in (0, 2, 4, 6)
    ]
    assert pages == [ids[0:2], ids[2:4], ids[4:5], []]
    # The same pages when the filter is matched outside SQL (metadata containment).
    filtered = [
        [
            t.thread_id
            for t in await threads.search(
                metadata={"team": team}, sort_order="asc", limit=2, offset=o
            )
        ]
        for o in (0, 2, 4)
    ]
    assert filtered == [ids[0:2], ids[2:4], ids[4:5]]
