"""Threads, checkpoints and the LangGraph store as data subject holders (``composition``
joins them with the other stores' holders into one :class:`governance.subject_rights.SubjectRights`).

A thread "mentions" a person when their id, full name, e-mail or phone appears in its record
(metadata, values, interrupts), in one of its runs' inputs, or in any of its checkpoints
(messages and state of every step, every namespace). Erasure deletes such a thread outright,
with its runs and checkpoints: a checkpoint is a snapshot the graph resumes from, so editing
the person out of its messages would leave a history that never happened and a state the graph
may not accept; the conversation cannot be kept without them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from langgraph.store.base import PutOp

from governance.subject_rights import DataSubject
from runtime.errors import ThreadNotFound
from runtime.serialization import dumps
from runtime.thread_store import ThreadStore

logger = logging.getLogger(__name__)

_PAGE = 200
_STORE_PAGE = 1000


def _text(value: Any) -> str:
    return dumps(value, lenient=True).decode("utf-8")


class ThreadSubjectData:
    """Threads (records, runs, checkpoints) whose content mentions the person."""

    name = "threads"

    def __init__(
        self,
        *,
        threads: ThreadStore,
        checkpointer: Any,
        delete_thread: Callable[[str], Awaitable[None]] | None = None,
        runs: Any = None,
    ) -> None:
        self._threads = threads
        self._checkpointer = checkpointer
        # The server passes ThreadService.delete, which also stops the thread's active runs.
        self._delete_thread = delete_thread
        self._runs = runs

    async def _thread_ids(self) -> list[str]:
        ids: dict[str, None] = {}
        offset = 0
        while page := await self._threads.search(
            limit=_PAGE, offset=offset, sort_by="thread_id", sort_order="asc"
        ):
            ids.update(dict.fromkeys(record.thread_id for record in page))
            offset += len(page)
        # Checkpoints without a thread record (written by graphs run outside the API) count too.
        async for item in self._checkpointer.alist(None):
            ids.setdefault(item.config["configurable"]["thread_id"], None)
        return list(ids)

    async def _thread(self, thread_id: str, contact: DataSubject) -> dict[str, Any] | None:
        """What the thread holds, when anything in it mentions the person."""
        found: dict[str, Any] = {"thread_id": thread_id}
        try:
            record = await self._threads.get(thread_id)
        except ThreadNotFound:
            record = None
        if record is not None:
            found["metadata"], found["values"] = record.metadata, record.values
            found["interrupts"] = record.interrupts
        if self._runs is not None and record is not None:
            try:
                runs = await self._runs.list(thread_id, limit=10_000)
            except ThreadNotFound:  # deleted meanwhile: its checkpoints are read below
                runs = []
            found["runs"] = [{"run_id": r.run_id, "kwargs": r.kwargs} for r in runs]
        checkpoints = []
        async for item in self._checkpointer.alist({"configurable": {"thread_id": thread_id}}):
            checkpoints.append(
                {
                    "config": item.config["configurable"],
                    "metadata": item.metadata,
                    "values": item.checkpoint.get("channel_values"),
                    "pending_writes": item.pending_writes,
                }
            )
        found["checkpoints"] = checkpoints
        text = _text(found)
        return found if contact.mentioned_in(text) else None

    async def _mentioning(self, contact: DataSubject) -> list[dict[str, Any]]:
        threads = []
        for thread_id in await self._thread_ids():
            if (found := await self._thread(thread_id, contact)) is not None:
                threads.append(found)
        return threads

    async def export(self, *, contact: DataSubject) -> list[Any]:
        # Plain JSON: checkpoints hold LangChain messages and other Python objects.
        return [
            orjson.loads(dumps(thread, lenient=True)) for thread in await self._mentioning(contact)
        ]

    async def erase(self, *, contact: DataSubject) -> int:
        removed = 0
        for thread in await self._mentioning(contact):
            thread_id = thread["thread_id"]
            if "values" in thread and self._delete_thread is not None:
                await self._delete_thread(thread_id)
            else:
                if "values" in thread:
                    await self._threads.delete(thread_id)
                await self._checkpointer.adelete_thread(thread_id)
            removed += 1
        return removed


class StoreSubjectData:
    """LangGraph store items whose namespace, key or value mentions the person."""

    name = "store"

    def __init__(self, store: Any) -> None:
        self._store = store

    async def _items(self, contact: DataSubject) -> list[Any]:
        found = []
        for namespace in await self._store.alist_namespaces(limit=100_000):
            offset = 0
            while page := await self._store.asearch(namespace, limit=_STORE_PAGE, offset=offset):
                offset += len(page)
                found += [
                    item
                    for item in page
                    if tuple(item.namespace) == tuple(namespace)
                    and contact.mentioned_in(_text([item.namespace, item.key, item.value]))
                ]
        return found

    async def export(self, *, contact: DataSubject) -> list[dict[str, Any]]:
        return [
            {"namespace": list(item.namespace), "key": item.key, "value": item.value}
            for item in await self._items(contact)
        ]

    async def erase(self, *, contact: DataSubject) -> int:
        items = await self._items(contact)
        if items:  # one batch: the store applies it in one transaction
            await self._store.abatch([PutOp(tuple(i.namespace), i.key, None) for i in items])
        return len(items)
