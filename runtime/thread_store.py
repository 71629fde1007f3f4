"""Thread rows: create, read, update, copy, delete, search, count. SQL runs in worker threads."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Literal, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from runtime.errors import ThreadExists, ThreadNotFound
from runtime.models import GraphThread
from runtime.records import ThreadRecord, ThreadStatus, utcnow

T = TypeVar("T")

ThreadSortField = Literal["thread_id", "status", "created_at", "updated_at"]


def json_contains(document: Any, pattern: Any) -> bool:
    """Whether ``pattern`` is contained in ``document`` (PostgreSQL's JSONB ``@>`` semantics)."""
    if isinstance(pattern, Mapping):
        return isinstance(document, Mapping) and all(
            key in document and json_contains(document[key], value)
            for key, value in pattern.items()
        )
    if isinstance(pattern, list):
        return isinstance(document, list) and all(
            any(json_contains(item, wanted) for item in document) for wanted in pattern
        )
    return bool(document == pattern)


class ThreadStore:
    """Persistence of threads; every method is a coroutine that keeps SQL off the event loop."""

    def __init__(
        self, sessions: sessionmaker[Session], *, limiter: anyio.CapacityLimiter | None = None
    ) -> None:
        self._sessions = sessions
        # The records' writers take turns here rather than on SQLite's lock (see database.py).
        self._limiter = limiter

    async def _run(self, fn: Callable[[Session], T]) -> T:
        def work() -> T:
            with self._sessions() as session:
                return fn(session)

        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    async def create(
        self,
        *,
        thread_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        if_exists: Literal["raise", "do_nothing"] = "raise",
    ) -> ThreadRecord:
        """Create a thread (a new uuid4 unless ``thread_id`` is given)."""
        return await self._run(
            partial(
                _create,
                thread_id=thread_id or str(uuid.uuid4()),
                metadata=dict(metadata or {}),
                if_exists=if_exists,
            )
        )

    async def get(self, thread_id: str) -> ThreadRecord:
        """The thread, or :class:`ThreadNotFound`."""
        return await self._run(partial(_get, thread_id=thread_id))

    async def update_metadata(self, thread_id: str, metadata: Mapping[str, Any]) -> ThreadRecord:
        """Merge ``metadata`` into the thread's metadata (keys given replace keys stored)."""
        return await self._run(partial(_update_metadata, thread_id=thread_id, metadata=metadata))

    async def delete(self, thread_id: str) -> None:
        """Delete the thread and, by cascade, its runs."""
        await self._run(partial(_delete, thread_id=thread_id))

    async def count(
        self,
        *,
        status: ThreadStatus | None = None,
        metadata: Mapping[str, Any] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> int:
        """How many threads match every filter given."""
        return await self._run(partial(_count, status=status, metadata=metadata, values=values))

    async def copy(self, thread_id: str, *, new_thread_id: str | None = None) -> ThreadRecord:
        """A new thread with the metadata, values and interrupts of ``thread_id`` (its
        checkpoints are copied by the caller)."""
        return await self._run(
            partial(_copy, thread_id=thread_id, new_thread_id=new_thread_id or str(uuid.uuid4()))
        )

    async def set_state(
        self,
        thread_id: str,
        *,
        values: Any,
        interrupts: Mapping[str, Any],
        status: ThreadStatus,
    ) -> ThreadRecord:
        """Store the thread's values, pending interrupts and status after a state update."""
        return await self._run(
            partial(
                _set_state,
                thread_id=thread_id,
                values=values,
                interrupts=dict(interrupts),
                status=status,
            )
        )

    async def search(
        self,
        *,
        ids: Sequence[str] | None = None,
        status: ThreadStatus | None = None,
        metadata: Mapping[str, Any] | None = None,
        values: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: ThreadSortField = "created_at",
        sort_order: Literal["asc", "desc"] = "desc",
    ) -> list[ThreadRecord]:
        """Threads matching every filter given; metadata and values match by containment."""
        return await self._run(
            partial(
                _search,
                ids=ids,
                status=status,
                metadata=metadata,
                values=values,
                limit=limit,
                offset=offset,
                sort_by=sort_by,
                sort_order=sort_order,
            )
        )


def _create(
    session: Session,
    *,
    thread_id: str,
    metadata: dict[str, Any],
    if_exists: Literal["raise", "do_nothing"],
) -> ThreadRecord:
    existing = session.get(GraphThread, thread_id)
    if existing is not None:
        if if_exists == "do_nothing":
            return ThreadRecord.from_row(existing)
        raise ThreadExists(thread_id)
    row = new_thread_row(thread_id, metadata=metadata, now=utcnow())
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        # Another request created the same id between our read and our insert.
        session.rollback()
        if if_exists == "do_nothing":
            return _get(session, thread_id=thread_id)
        raise ThreadExists(thread_id) from None
    return ThreadRecord.from_row(row)


def new_thread_values(
    thread_id: str, *, metadata: dict[str, Any], now: datetime, status: ThreadStatus = "idle"
) -> dict[str, Any]:
    """The ``graph_threads`` column values of a new thread with no values yet."""
    return {
        "thread_id": thread_id,
        "created_at": now,
        "updated_at": now,
        "metadata": metadata,
        "config": {},
        "status": status,
        "values": None,
        "interrupts": {},
    }


def new_thread_row(thread_id: str, *, metadata: dict[str, Any], now: datetime) -> GraphThread:
    """The row of a new, idle thread with no values yet."""
    values = new_thread_values(thread_id, metadata=metadata, now=now)
    values["metadata_"] = values.pop("metadata")  # the attribute behind the "metadata" column
    return GraphThread(**values)


def _get(session: Session, *, thread_id: str) -> ThreadRecord:
    row = session.get(GraphThread, thread_id)
    if row is None:
        raise ThreadNotFound(thread_id)
    return ThreadRecord.from_row(row)


def _update_metadata(
    session: Session, *, thread_id: str, metadata: Mapping[str, Any]
) -> ThreadRecord:
    row = session.get(GraphThread, thread_id)
    if row is None:
        raise ThreadNotFound(thread_id)
    row.metadata_ = {**(row.metadata_ or {}), **metadata}
    row.updated_at = utcnow()
    session.commit()
    return ThreadRecord.from_row(row)


def _delete(session: Session, *, thread_id: str) -> None:
    row = session.get(GraphThread, thread_id)
    if row is None:
        raise ThreadNotFound(thread_id)
    session.delete(row)
    session.commit()


def _search(
    session: Session,
    *,
    ids: Sequence[str] | None,
    status: ThreadStatus | None,
    metadata: Mapping[str, Any] | None,
    values: Mapping[str, Any] | None,
    limit: int,
    offset: int,
    sort_by: ThreadSortField,
    sort_order: Literal["asc", "desc"],
) -> list[ThreadRecord]:
    column = {
        "thread_id": GraphThread.thread_id,
        "status": GraphThread.status,
        "created_at": GraphThread.created_at,
        "updated_at": GraphThread.updated_at,
    }[sort_by]
    query = select(GraphThread).order_by(column.asc() if sort_order == "asc" else column.desc())
    if ids:
        query = query.where(GraphThread.thread_id.in_(list(ids)))
    if status:
        query = query.where(GraphThread.status == status)
    if not metadata and not values:
        rows = session.scalars(query.limit(limit).offset(offset))
        return [ThreadRecord.from_row(row) for row in rows]
    # JSON containment is spelled differently on SQLite and PostgreSQL; matching in Python keeps
    # one behaviour on both (fine for thousands of threads; push into SQL when that changes).
    found: list[ThreadRecord] = []
    skipped = 0
    for row in session.scalars(query.execution_options(yield_per=200)):
        if metadata and not json_contains(row.metadata_, metadata):
            continue
        if values and not json_contains(row.values, values):
            continue
        if skipped < offset:
            skipped += 1
            continue
        found.append(ThreadRecord.from_row(row))
        if len(found) >= limit:
            break
    return found


def _count(
    session: Session,
    *,
    status: ThreadStatus | None,
    metadata: Mapping[str, Any] | None,
    values: Mapping[str, Any] | None,
) -> int:
    query = select(GraphThread)
    if status:
        query = query.where(GraphThread.status == status)
    if not metadata and not values:
        return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    return sum(
        1
        for row in session.scalars(query.execution_options(yield_per=200))
        if (not metadata or json_contains(row.metadata_, metadata))
        and (not values or json_contains(row.values, values))
    )


def _copy(session: Session, *, thread_id: str, new_thread_id: str) -> ThreadRecord:
    source = session.get(GraphThread, thread_id)
    if source is None:
        raise ThreadNotFound(thread_id)
    now = utcnow()
    row = GraphThread(
        thread_id=new_thread_id,
        created_at=now,
        updated_at=now,
        metadata_=dict(source.metadata_ or {}),
        config=dict(source.config or {}),
        # The copy has no run of its own: a source in the middle of one is copied as idle.
        status="idle" if source.status == "busy" else source.status,
        values=source.values,
        interrupts=dict(source.interrupts or {}),
    )
    session.add(row)
    session.commit()
    return ThreadRecord.from_row(row)


def _set_state(
    session: Session,
    *,
    thread_id: str,
    values: Any,
    interrupts: dict[str, Any],
    status: ThreadStatus,
) -> ThreadRecord:
    row = session.get(GraphThread, thread_id)
    if row is None:
        raise ThreadNotFound(thread_id)
    row.values = values
    row.interrupts = interrupts
    row.status = status
    row.updated_at = utcnow()
    session.commit()
    return ThreadRecord.from_row(row)
