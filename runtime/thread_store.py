"""Thread rows: create, read, update, copy, delete, search, count. SQL runs in worker threads."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Literal, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from runtime.errors import ThreadExists, ThreadNotFound
from runtime.models import GraphThread
from runtime.records import ThreadRecord, ThreadStatus, utcnow

T = TypeVar("T")

ThreadSortField = Literal["thread_id", "status", "created_at", "updated_at"]

OWNER_KEY = "owner"
"""The metadata key naming a thread's creator, as the LangGraph server's auth examples stamp it."""

Owners = frozenset[str] | None
"""Whose threads a caller may see: ``None`` for everyone's (an admin), else the user ids whose
threads are visible (their own, and a manager's reports'). A thread outside it is
:class:`ThreadNotFound`, exactly like one that does not exist."""


def owned_by(owners: frozenset[str]) -> ColumnElement[bool]:
    """The SQL condition "the thread's ``metadata.owner`` is one of ``owners``" (``json_extract``
    on SQLite, ``->>`` on PostgreSQL): visibility is decided in the query, never afterwards."""
    return GraphThread.metadata_[OWNER_KEY].as_string().in_(sorted(owners))


def _visible(query: Select[tuple[GraphThread]], owners: Owners) -> Select[tuple[GraphThread]]:
    return query if owners is None else query.where(owned_by(owners))


def _row(session: Session, thread_id: str, owners: Owners) -> GraphThread:
    query = _visible(select(GraphThread).where(GraphThread.thread_id == thread_id), owners)
    row = session.scalars(query).first()
    if row is None:
        raise ThreadNotFound(thread_id)
    return row


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

    async def get(self, thread_id: str, *, owners: Owners = None) -> ThreadRecord:
        """The thread, or :class:`ThreadNotFound` (also when ``owners`` may not see it)."""
        return await self._run(partial(_get, thread_id=thread_id, owners=owners))

    async def exists(self, thread_id: str) -> bool:
        """Whether a thread with this id exists, whoever owns it (an id is taken or not)."""
        return await self._run(partial(_exists, thread_id=thread_id))

    async def update_metadata(
        self, thread_id: str, metadata: Mapping[str, Any], *, owners: Owners = None
    ) -> ThreadRecord:
        """Merge ``metadata`` into the thread's metadata (keys given replace keys stored)."""
        return await self._run(
            partial(_update_metadata, thread_id=thread_id, metadata=metadata, owners=owners)
        )

    async def delete(self, thread_id: str, *, owners: Owners = None) -> None:
        """Delete the thread and, by cascade, its runs."""
        await self._run(partial(_delete, thread_id=thread_id, owners=owners))

    async def count(
        self,
        *,
        status: ThreadStatus | None = None,
        metadata: Mapping[str, Any] | None = None,
        values: Mapping[str, Any] | None = None,
        owners: Owners = None,
    ) -> int:
        """How many threads match every filter given."""
        return await self._run(
            partial(_count, status=status, metadata=metadata, values=values, owners=owners)
        )

    async def copy(
        self,
        thread_id: str,
        *,
        new_thread_id: str | None = None,
        owners: Owners = None,
        owner: str | None = None,
    ) -> ThreadRecord:
        """A new thread with the metadata, values and interrupts of ``thread_id`` (its
        checkpoints are copied by the caller); ``owner`` becomes the copy's owner."""
        return await self._run(
            partial(
                _copy,
                thread_id=thread_id,
                new_thread_id=new_thread_id or str(uuid.uuid4()),
                owners=owners,
                owner=owner,
            )
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
        owners: Owners = None,
    ) -> list[ThreadRecord]:
        """Threads matching every filter given; metadata and values match by containment."""
        return await self._run(
            partial(
                _search,
                owners=owners,
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


def _get(session: Session, *, thread_id: str, owners: Owners = None) -> ThreadRecord:
    return ThreadRecord.from_row(_row(session, thread_id, owners))


def _exists(session: Session, *, thread_id: str) -> bool:
    return session.get(GraphThread, thread_id) is not None


def _update_metadata(
    session: Session, *, thread_id: str, metadata: Mapping[str, Any], owners: Owners
) -> ThreadRecord:
    row = _row(session, thread_id, owners)
    row.metadata_ = {**(row.metadata_ or {}), **metadata}
    row.updated_at = utcnow()
    session.commit()
    return ThreadRecord.from_row(row)


def _delete(session: Session, *, thread_id: str, owners: Owners) -> None:
    row = _row(session, thread_id, owners)
    session.delete(row)
    session.commit()


def _search(
    session: Session,
    *,
    owners: Owners,
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
    query = _visible(select(GraphThread), owners)
    query = query.order_by(column.asc() if sort_order == "asc" else column.desc())
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
    owners: Owners,
) -> int:
    query = _visible(select(GraphThread), owners)
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


def _copy(
    session: Session, *, thread_id: str, new_thread_id: str, owners: Owners, owner: str | None
) -> ThreadRecord:
    source = _row(session, thread_id, owners)
    now = utcnow()
    metadata = dict(source.metadata_ or {})
    if owner is not None:
        metadata[OWNER_KEY] = owner  # the copy is the copier's, not the original's owner's
    row = GraphThread(
        thread_id=new_thread_id,
        created_at=now,
        updated_at=now,
        metadata_=metadata,
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
