"""The LangGraph store's contract (runtime/checkpoints.py ``open_graph_store``): put, get,
search with filters and paging, delete, and namespaces, on SQLite and PostgreSQL alike. Each
test writes under a root namespace of its own, so the session's database serves them all."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from langgraph.store.base import BaseStore

pytestmark = pytest.mark.anyio

Difference = Callable[[str, str], None]

# langgraph-checkpoint-sqlite's store stamps items with SQLite's CURRENT_TIMESTAMP: whole
# seconds, no time zone, and INSERT OR REPLACE on every put.
SQLITE_SECONDS = (
    "the SQLite store's timestamps are naive whole seconds (CURRENT_TIMESTAMP); PostgreSQL's are "
    "timezone-aware microseconds"
)
SQLITE_REPLACE = "the SQLite store's put is INSERT OR REPLACE, which resets created_at"
SQLITE_ORDER = (
    "the SQLite store orders search results by updated_at in whole seconds, so items put within "
    "one second come back oldest first"
)


@pytest.fixture
def root(unique: Callable[[str], str]) -> str:
    """The test's own top-level namespace."""
    return unique("memories")


async def test_put_then_get_round_trips_the_value(graph_store: BaseStore, root: str) -> None:
    value = {"name": "王医生", "budget": {"cny": 1_200_000}, "tags": ["决策者", "champion"]}
    await graph_store.aput((root, "瑞金医院"), "contact", value)
    item = await graph_store.aget((root, "瑞金医院"), "contact")
    assert item is not None
    assert (item.namespace, item.key, item.value) == ((root, "瑞金医院"), "contact", value)


async def test_timestamps_are_timezone_aware(
    graph_store: BaseStore, root: str, known_difference: Difference
) -> None:
    known_difference("sqlite", SQLITE_SECONDS)
    await graph_store.aput((root,), "k", {"n": 1})
    item = await graph_store.aget((root,), "k")
    assert item is not None
    assert item.created_at.tzinfo is not None and item.updated_at.tzinfo is not None


async def test_unknown_items_are_none(graph_store: BaseStore, root: str) -> None:
    assert await graph_store.aget((root,), "ghost") is None
    await graph_store.aput((root,), "present", {"n": 1})
    assert await graph_store.aget((root, "deeper"), "present") is None


async def test_put_again_replaces_the_value(graph_store: BaseStore, root: str) -> None:
    await graph_store.aput((root,), "k", {"rank": 1, "gone": True})
    await graph_store.aput((root,), "k", {"rank": 3})
    item = await graph_store.aget((root,), "k")
    assert item is not None and item.value == {"rank": 3}
    assert len(await graph_store.asearch((root,))) == 1


async def test_put_again_keeps_created_at_and_moves_updated_at(
    graph_store: BaseStore, root: str, known_difference: Difference
) -> None:
    known_difference("sqlite", SQLITE_REPLACE)
    await graph_store.aput((root,), "k", {"rank": 1})
    first = await graph_store.aget((root,), "k")
    await asyncio.sleep(1.05)  # past SQLite's one-second clock
    await graph_store.aput((root,), "k", {"rank": 2})
    second = await graph_store.aget((root,), "k")
    assert first is not None and second is not None
    assert second.created_at == first.created_at
    assert second.updated_at > first.updated_at


async def test_delete_removes_one_item(graph_store: BaseStore, root: str) -> None:
    await graph_store.aput((root,), "kept", {"n": 1})
    await graph_store.aput((root,), "doomed", {"n": 2})
    await graph_store.adelete((root,), "doomed")
    assert await graph_store.aget((root,), "doomed") is None
    assert await graph_store.aget((root,), "kept") is not None
    await graph_store.adelete((root,), "never-there")  # deleting nothing is no error


async def test_search_finds_items_under_a_namespace_prefix(
    graph_store: BaseStore, root: str
) -> None:
    await graph_store.aput((root, "a"), "one", {"n": 1})
    await graph_store.aput((root, "a", "notes"), "two", {"n": 2})
    await graph_store.aput((root, "b"), "three", {"n": 3})
    everything = await graph_store.asearch((root,), limit=10)
    assert sorted(item.key for item in everything) == ["one", "three", "two"]
    under_a = await graph_store.asearch((root, "a"), limit=10)
    assert sorted(item.key for item in under_a) == ["one", "two"]
    assert await graph_store.asearch((root, "c")) == []


async def test_search_filters_on_value_fields(graph_store: BaseStore, root: str) -> None:
    await graph_store.aput((root,), "li", {"role": "决策者", "rank": 1})
    await graph_store.aput((root,), "wang", {"role": "champion", "rank": 1})
    await graph_store.aput((root,), "zhao", {"role": "决策者", "rank": 2})
    deciders = await graph_store.asearch((root,), filter={"role": "决策者"})
    assert sorted(item.key for item in deciders) == ["li", "zhao"]
    both = await graph_store.asearch((root,), filter={"role": "决策者", "rank": 1})
    assert [item.key for item in both] == ["li"]
    assert await graph_store.asearch((root,), filter={"role": "blocker"}) == []


async def test_search_pages_without_overlap(graph_store: BaseStore, root: str) -> None:
    keys = [f"item-{n}" for n in range(5)]
    for key in keys:
        await graph_store.aput((root,), key, {"key": key})
    pages = [
        [item.key for item in await graph_store.asearch((root,), limit=2, offset=offset)]
        for offset in (0, 2, 4, 6)
    ]
    assert [len(page) for page in pages] == [2, 2, 1, 0]
    assert sorted(key for page in pages for key in page) == keys


async def test_search_lists_the_most_recently_updated_first(
    graph_store: BaseStore, root: str, known_difference: Difference
) -> None:
    known_difference("sqlite", SQLITE_ORDER)
    keys = [f"item-{n}" for n in range(5)]
    for key in keys:
        await graph_store.aput((root,), key, {"key": key})
    found = await graph_store.asearch((root,), limit=10)
    assert [item.key for item in found] == keys[::-1]


async def test_namespaces_are_listed_with_prefix_suffix_and_depth(
    graph_store: BaseStore, root: str
) -> None:
    await graph_store.aput((root, "瑞金", "notes"), "visit", {"n": 1})
    await graph_store.aput((root, "瑞金", "contacts"), "li", {"n": 2})
    await graph_store.aput((root, "华山", "notes"), "call", {"n": 3})
    mine = await graph_store.alist_namespaces(prefix=(root,))
    assert sorted(mine) == sorted(
        [(root, "华山", "notes"), (root, "瑞金", "contacts"), (root, "瑞金", "notes")]
    )
    shallow = await graph_store.alist_namespaces(prefix=(root,), max_depth=2)
    assert sorted(shallow) == sorted([(root, "华山"), (root, "瑞金")])
    notes = await graph_store.alist_namespaces(prefix=(root,), suffix=("notes",))
    assert sorted(notes) == sorted([(root, "华山", "notes"), (root, "瑞金", "notes")])
    assert len(await graph_store.alist_namespaces(prefix=(root,), limit=1)) == 1
    paged = await graph_store.alist_namespaces(prefix=(root,), limit=2, offset=2)
    assert len(paged) == 1 and paged[0] in mine


async def test_a_namespace_with_no_items_left_is_not_listed(
    graph_store: BaseStore, root: str
) -> None:
    await graph_store.aput((root, "temporary"), "only", {"n": 1})
    await graph_store.adelete((root, "temporary"), "only")
    assert await graph_store.alist_namespaces(prefix=(root,)) == []


async def test_batched_puts_of_many_items_all_land(graph_store: BaseStore, root: str) -> None:
    # The LangGraph store batches concurrent calls into one round trip.
    await asyncio.gather(*(graph_store.aput((root, "bulk"), f"k{n}", {"n": n}) for n in range(20)))
    found = await graph_store.asearch((root, "bulk"), limit=50)
    assert sorted(item.value["n"] for item in found) == list(range(20))
