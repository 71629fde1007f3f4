"""Run rows and the thread status they drive. Blocking SQL runs in worker threads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from runtime.errors import RunNotFound, ThreadBusy, ThreadNotFound
from runtime.models import GraphRun, GraphThread
from runtime.records import (
    ACTIVE_RUN_STATUSES,
    RunRecord,
    RunStatus,
    ThreadStatus,
    utcnow,
)

T = TypeVar("T")

RESTART_ERROR = {
    "error": "ServerRestarted",
    "message": "the server stopped before the run finished",
}


class RunStore:
    """Persistence of runs; creating a run marks its thread busy in the same transaction."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    async def _run(self, fn: Callable[[Session], T]) -> T:
        def work() -> T:
            with self._sessions() as session:
                return fn(session)

        return await anyio.to_thread.run_sync(work)

    async def create(
        self,
        *,
        run_id: str,
        thread_id: str,
        assistant_id: str,
        graph_id: str,
        metadata: Mapping[str, Any],
        kwargs: Mapping[str, Any],
        multitask_strategy: str = "reject",
    ) -> RunRecord:
        """A pending run; :class:`ThreadBusy` if the thread has one pending or running."""
        return await self._run(
            partial(
                _create,
                run_id=run_id,
                thread_id=thread_id,
                assistant_id=assistant_id,
                graph_id=graph_id,
                metadata=dict(metadata),
                kwargs=dict(kwargs),
                multitask_strategy=multitask_strategy,
            )
        )

    async def get(self, run_id: str, *, thread_id: str | None = None) -> RunRecord:
        """The run (on ``thread_id`` when given), or :class:`RunNotFound`."""
        return await self._run(partial(_get, run_id=run_id, thread_id=thread_id))

    async def list(
        self, thread_id: str, *, limit: int = 10, offset: int = 0, status: RunStatus | None = None
    ) -> list[RunRecord]:
        """The thread's runs, newest first; :class:`ThreadNotFound` for an unknown thread."""
        return await self._run(
            partial(_list, thread_id=thread_id, limit=limit, offset=offset, status=status)
        )

    async def set_status(self, run_id: str, status: RunStatus) -> None:
        """Move a run to ``status`` (pending -> running)."""
        await self._run(partial(_set_status, run_id=run_id, status=status))

    async def finish(
        self,
        run_id: str,
        *,
        status: RunStatus,
        error: Mapping[str, Any] | None,
        thread_status: ThreadStatus,
        thread_values: Any,
        thread_interrupts: Mapping[str, Any],
    ) -> None:
        """Store the run's final status and its thread's state together."""
        await self._run(
            partial(
                _finish,
                run_id=run_id,
                status=status,
                error=dict(error) if error else None,
                thread_status=thread_status,
                thread_values=thread_values,
                thread_interrupts=dict(thread_interrupts),
            )
        )

    async def fail_unfinished(self) -> int:
        """Mark runs a previous process left pending or running as failed; their threads too."""
        return await self._run(_fail_unfinished)


def _create(
    session: Session,
    *,
    run_id: str,
    thread_id: str,
    assistant_id: str,
    graph_id: str,
    metadata: dict[str, Any],
    kwargs: dict[str, Any],
    multitask_strategy: str,
) -> RunRecord:
    thread = session.get(GraphThread, thread_id)
    if thread is None:
        raise ThreadNotFound(thread_id)
    now = utcnow()
    thread_metadata = {
        **(thread.metadata_ or {}),
        "graph_id": graph_id,
        "assistant_id": assistant_id,
    }
    # A conditional update is the lock: of two concurrent runs only one flips the thread to busy.
    claimed = session.execute(
        update(GraphThread)
        .where(GraphThread.thread_id == thread_id, GraphThread.status != "busy")
        .values(status="busy", updated_at=now, metadata_=thread_metadata)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
        session.rollback()
        raise ThreadBusy(thread_id)
    row = GraphRun(
        run_id=run_id,
        thread_id=thread_id,
        assistant_id=assistant_id,
        graph_id=graph_id,
        created_at=now,
        updated_at=now,
        status="pending",
        metadata_=metadata,
        kwargs=kwargs,
        multitask_strategy=multitask_strategy,
        error=None,
    )
    session.add(row)
    session.commit()
    return RunRecord.from_row(row)


def _get(session: Session, *, run_id: str, thread_id: str | None) -> RunRecord:
    row = session.get(GraphRun, run_id)
    if row is None or (thread_id is not None and row.thread_id != thread_id):
        raise RunNotFound(run_id, thread_id)
    return RunRecord.from_row(row)


def _list(
    session: Session, *, thread_id: str, limit: int, offset: int, status: RunStatus | None
) -> list[RunRecord]:
    if session.get(GraphThread, thread_id) is None:
        raise ThreadNotFound(thread_id)
    query = select(GraphRun).where(GraphRun.thread_id == thread_id)
    if status:
        query = query.where(GraphRun.status == status)
    query = query.order_by(GraphRun.created_at.desc(), GraphRun.run_id).limit(limit).offset(offset)
    return [RunRecord.from_row(row) for row in session.scalars(query)]


def _set_status(session: Session, *, run_id: str, status: RunStatus) -> None:
    session.execute(
        update(GraphRun)
        .where(GraphRun.run_id == run_id)
        .values(status=status, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _finish(
    session: Session,
    *,
    run_id: str,
    status: RunStatus,
    error: dict[str, Any] | None,
    thread_status: ThreadStatus,
    thread_values: Any,
    thread_interrupts: dict[str, Any],
) -> None:
    row = session.get(GraphRun, run_id)
    if row is None:
        return  # the thread was deleted while the run ran: nothing left to update
    now = utcnow()
    row.status = status
    row.error = error
    row.updated_at = now
    thread = session.get(GraphThread, row.thread_id)
    if thread is not None:
        thread.status = thread_status
        thread.values = thread_values
        thread.interrupts = thread_interrupts
        thread.updated_at = now
    session.commit()


def _fail_unfinished(session: Session) -> int:
    rows = list(session.scalars(select(GraphRun).where(GraphRun.status.in_(ACTIVE_RUN_STATUSES))))
    now = utcnow()
    for row in rows:
        row.status = "error"
        row.error = dict(RESTART_ERROR)
        row.updated_at = now
    session.execute(
        update(GraphThread)
        .where(GraphThread.status == "busy")
        .values(status="error", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return len(rows)
