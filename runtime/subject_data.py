"""Threads, checkpoints and the LangGraph store as data subject holders, and the composition
of every holder into the server's :class:`governance.subject_rights.SubjectRights`.

A thread "mentions" a person when their id, full name, e-mail or phone appears in its record
(metadata, values, interrupts), in one of its runs' inputs, or in any of its checkpoints
(messages and state of every step, every namespace). Erasure deletes such a thread outright,
with its runs and checkpoints: a checkpoint is a snapshot the graph resumes from, so editing
the person out of its messages would leave a history that never happened and a state the graph
may not accept; the conversation cannot be kept without them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import orjson
from langgraph.store.base import PutOp
from sqlalchemy import Engine

from core.audit import AuditSink
from core.settings import Settings
from crm.db import migrate, session_factory
from governance.consent import ConsentLedger, load_consent_key
from governance.subject_actions import ActionSubjectData
from governance.subject_memory import MemorySource, MemorySubjectData
from governance.subject_rights import DataSubject, SubjectDataHolder, SubjectRights
from governance.subject_sql import (
    ConsentSubjectData,
    CRMSubjectData,
    RecommendationSubjectData,
    find_subject,
)
from memory import Memory
from runtime.checkpoints import open_checkpointer, open_graph_store
from runtime.database import make_records_engine
from runtime.errors import ThreadNotFound
from runtime.run_store import RunStore
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


def _holders(
    threads: ThreadSubjectData,
    *,
    store: Any,
    memory: MemorySource,
    engine: Engine,
    consent: ConsentLedger,
    extra_holders: Sequence[SubjectDataHolder],
) -> list[SubjectDataHolder]:
    # The CRM rows come last: until they go, a failed erasure can be found and run again.
    return [
        threads,
        StoreSubjectData(store),
        MemorySubjectData(memory),
        *extra_holders,
        ActionSubjectData(engine),
        RecommendationSubjectData(engine),
        ConsentSubjectData(consent),
        CRMSubjectData(engine),
    ]


def subject_rights_for(
    runtime: Any,
    *,
    engine: Engine,
    consent: ConsentLedger,
    extra_holders: Sequence[SubjectDataHolder] = (),
    audit: AuditSink | None = None,
) -> SubjectRights:
    """Every store of a running server as one service (``extra_holders`` before the CRM rows)."""

    async def memory() -> Memory | None:
        services = await runtime.services.get()
        found = getattr(services, "memory", None)
        return found if isinstance(found, Memory) else None

    threads = ThreadSubjectData(
        threads=runtime.threads.store,
        checkpointer=runtime.checkpointer,
        delete_thread=runtime.threads.delete,
        runs=runtime.runs,
    )
    holders = _holders(
        threads,
        store=runtime.store,
        memory=memory,
        engine=engine,
        consent=consent,
        extra_holders=extra_holders,
    )
    return SubjectRights(
        find=lambda contact_id: find_subject(engine, contact_id), holders=holders, audit=audit
    )


@asynccontextmanager
async def open_subject_rights(
    settings: Settings,
    *,
    extra_holders: Callable[[Engine], Sequence[SubjectDataHolder]] = lambda engine: (),
    audit: AuditSink | None = None,
) -> AsyncIterator[SubjectRights]:
    """Every store, opened without a server (the CLI); ``extra_holders`` builds further holders
    over the database engine. Runs of a server working on the same data are not stopped:
    erase through the API while a server runs."""
    url = settings.resolved_database_url
    await anyio.to_thread.run_sync(migrate, url)
    engine = await anyio.to_thread.run_sync(make_records_engine, url)
    opened: Memory = await anyio.to_thread.run_sync(Memory.from_settings, settings)

    async def memory() -> Memory:
        return opened

    try:
        async with open_checkpointer(settings) as checkpointer, open_graph_store(settings) as store:
            sessions = session_factory(engine)
            threads = ThreadSubjectData(
                threads=ThreadStore(sessions), checkpointer=checkpointer, runs=RunStore(sessions)
            )
            consent = ConsentLedger(
                engine, key=load_consent_key(settings.resolved_governance_key_dir)
            )
            holders = _holders(
                threads,
                store=store,
                memory=memory,
                engine=engine,
                consent=consent,
                extra_holders=extra_holders(engine),
            )
            yield SubjectRights(
                find=lambda contact_id: find_subject(engine, contact_id),
                holders=holders,
                audit=audit,
            )
    finally:
        await anyio.to_thread.run_sync(engine.dispose)
