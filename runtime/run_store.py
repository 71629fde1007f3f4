"""Run rows and the thread status they drive. Blocking SQL runs in worker threads."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import anyio
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
from runtime.thread_store import new_thread_row

T = TypeVar("T")

RESTART_ERROR = {
    "error": "ServerRestarted",
    "message": (
        "the server stopped before the run finished; its last checkpoint is kept: "
        "start a run with input null on the thread to continue from it"
    ),
}


@dataclass(frozen=True)
class ThreadState:
    """The JSON state a thread record shows: values and pending interrupts by task id."""

    values: Any
    interrupts: dict[str, Any]


class RunStore:
    """Persistence of runs; creating a run marks its thread busy in the same transaction."""

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
        run_id: str,
        thread_id: str,
        assistant_id: str,
        graph_id: str,
        metadata: Mapping[str, Any],
        kwargs: Mapping[str, Any],
        multitask_strategy: str = "reject",
        new_thread: bool = False,
    ) -> RunRecord:
        """A pending run that marks its thread busy; with the ``reject`` strategy,
        :class:`ThreadBusy` if the thread has a run pending or running already.
        ``new_thread``: the thread is created in the same transaction (a stateless run's
        temporary thread, under an id nobody else has)."""
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
                new_thread=new_thread,
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
        thread_state: ThreadState | None,
        delete_thread: bool = False,
    ) -> RunRecord | None:
        """Store the run's final status and its thread's state together; the thread stays busy
        while another run of it is pending or running. ``thread_state`` None keeps the stored
        values (the run never reached the graph). The run as stored, None if it was deleted.

        ``delete_thread`` deletes the thread instead, and the run with it, in the same
        transaction (a stateless run's temporary thread): the run as it ended is returned."""
        return await self._run(
            partial(
                _finish,
                run_id=run_id,
                status=status,
                error=dict(error) if error else None,
                thread_status=thread_status,
                thread_state=thread_state,
                delete_thread=delete_thread,
            )
        )

    async def set_thread_state(
        self, thread_id: str, *, status: ThreadStatus, state: ThreadState
    ) -> None:
        """Replace the thread's stored state (after a rollback); busy while it has active runs."""
        await self._run(partial(_set_thread_state, thread_id=thread_id, status=status, state=state))

    async def delete(self, run_id: str, *, thread_id: str | None = None) -> None:
        """Delete the run's record; :class:`RunNotFound` if there is none."""
        await self._run(partial(_delete, run_id=run_id, thread_id=thread_id))

    async def fail_unfinished(self) -> int:
        """Mark runs a previous process left pending or running as failed, with the reason, and
        their threads ``error`` (never ``busy``); the checkpoints stay, so a new run with
        ``input: null`` continues from the last one."""
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
    new_thread: bool,
) -> RunRecord:
    now = utcnow()
    if new_thread:
        session.add(new_thread_row(thread_id, metadata={}, now=now))
        session.flush()
    thread = session.get(GraphThread, thread_id)
    if thread is None:
        raise ThreadNotFound(thread_id)
    thread_metadata = {
        **(thread.metadata_ or {}),
        "graph_id": graph_id,
        "assistant_id": assistant_id,
    }
    # A conditional update is the lock: of two concurrent runs only one flips the thread to busy.
    # The other strategies queue behind, interrupt or roll back the active run instead.
    claim = update(GraphThread).where(GraphThread.thread_id == thread_id)
    if multitask_strategy == "reject":
        claim = claim.where(GraphThread.status != "busy")
    claimed = session.execute(
        claim.values(status="busy", updated_at=now, metadata_=thread_metadata).execution_options(
            synchronize_session=False
        )
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


def _thread_status(session: Session, thread_id: str, wanted: ThreadStatus) -> ThreadStatus:
    # Another run queued or started on the thread keeps it busy until that one ends.
    others = session.scalar(
        select(GraphRun.run_id)
        .where(GraphRun.thread_id == thread_id, GraphRun.status.in_(ACTIVE_RUN_STATUSES))
        .limit(1)
    )
    return "busy" if others is not None else wanted


def _finish(
    session: Session,
    *,
    run_id: str,
    status: RunStatus,
    error: dict[str, Any] | None,
    thread_status: ThreadStatus,
    thread_state: ThreadState | None,
    delete_thread: bool,
) -> RunRecord | None:
    row = session.get(GraphRun, run_id)
    if row is None:
        return None  # the thread was deleted while the run ran: nothing left to update
    now = utcnow()
    if delete_thread:
        # The run goes with its thread (ON DELETE CASCADE), so its row is left unchanged.
        ended = dataclasses.replace(
            RunRecord.from_row(row), status=status, error=error, updated_at=now
        )
        thread = session.get(GraphThread, row.thread_id)
        if thread is not None:
            session.delete(thread)
        session.commit()
        return ended
    row.status = status
    row.error = error
    row.updated_at = now
    session.flush()
    thread = session.get(GraphThread, row.thread_id)
    if thread is not None:
        thread.status = _thread_status(session, row.thread_id, thread_status)
        if thread_state is not None:
            thread.values, thread.interrupts = thread_state.values, thread_state.interrupts
        thread.updated_at = now
    session.commit()
    return RunRecord.from_row(row)


def _set_thread_state(
    session: Session, *, thread_id: str, status: ThreadStatus, state: ThreadState
) -> None:
    thread = session.get(GraphThread, thread_id)
    if thread is None:
        return
    thread.status = _thread_status(session, thread_id, status)
    thread.values, thread.interrupts = state.values, state.interrupts
    thread.updated_at = utcnow()
    session.commit()


def _delete(session: Session, *, run_id: str, thread_id: str | None) -> None:
    row = session.get(GraphRun, run_id)
    if row is None or (thread_id is not None and row.thread_id != thread_id):
        raise RunNotFound(run_id, thread_id)
    session.delete(row)
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
