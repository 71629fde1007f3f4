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
from runtime.run_statements import (
    CLAIM,
    CLAIM_IF_IDLE,
    DELETE_RUN,
    DELETE_THREAD,
    END_RUN,
    END_THREAD,
    END_THREAD_WITH_STATE,
    INSERT_RUN,
    INSERT_THREAD,
    OTHER_ACTIVE_RUN,
    SET_STATUS,
    THREAD_METADATA,
    run_record,
    run_values,
)
from runtime.thread_store import OWNER_KEY, new_thread_values

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
        owner: str | None = None,
        status: RunStatus = "pending",
    ) -> RunRecord:
        """A run (``pending``, or ``running`` when it starts at once) that marks its thread
        busy; with the ``reject`` strategy, :class:`ThreadBusy` if the thread has a run pending
        or running already. ``new_thread``: the thread is created in the same transaction (a
        stateless run's temporary thread, under an id nobody else has, stamped as ``owner``'s)."""
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
                run_owner=owner,
                status=status,
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
    status: RunStatus,
    run_owner: str | None = None,
) -> RunRecord:
    # Prepared Core statements (runtime.run_statements): every run passes here.
    connection = session.connection()
    now = utcnow()
    owner = {"graph_id": graph_id, "assistant_id": assistant_id}
    if new_thread:
        created = {**owner, OWNER_KEY: run_owner} if run_owner else owner
        connection.execute(
            INSERT_THREAD, new_thread_values(thread_id, metadata=created, now=now, status="busy")
        )
    else:
        stored = connection.execute(THREAD_METADATA, {"p_thread_id": thread_id}).first()
        if stored is None:
            raise ThreadNotFound(thread_id)
        # A conditional update is the lock: of two concurrent runs only one flips the thread to
        # busy. The other strategies queue behind, interrupt or roll back the active run instead.
        claimed = connection.execute(
            CLAIM_IF_IDLE if multitask_strategy == "reject" else CLAIM,
            {"p_thread_id": thread_id, "p_now": now, "p_metadata": {**(stored[0] or {}), **owner}},
        )
        if claimed.rowcount != 1:
            session.rollback()
            raise ThreadBusy(thread_id)
    record = RunRecord(
        run_id=run_id,
        thread_id=thread_id,
        assistant_id=assistant_id,
        graph_id=graph_id,
        created_at=now,
        updated_at=now,
        status=status,
        metadata=metadata,
        kwargs=kwargs,
        multitask_strategy=multitask_strategy,
        error=None,
    )
    connection.execute(INSERT_RUN, run_values(record))
    session.commit()
    return record


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
    session.connection().execute(
        SET_STATUS, {"p_run_id": run_id, "p_status": status, "p_now": utcnow()}
    )
    session.commit()


def _thread_status(session: Session, thread_id: str, wanted: ThreadStatus) -> ThreadStatus:
    # Another run queued or started on the thread keeps it busy until that one ends.
    others = session.connection().execute(OTHER_ACTIVE_RUN, {"p_thread_id": thread_id}).first()
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
    connection = session.connection()
    now = utcnow()
    if delete_thread:
        # The run goes with its thread; the run as it ended is built from the deleted row.
        deleted = connection.execute(DELETE_RUN, {"p_run_id": run_id}).first()
        if deleted is None:
            return None  # the thread was deleted while the run ran: nothing left to update
        connection.execute(DELETE_THREAD, {"p_thread_id": deleted.thread_id})
        session.commit()
        return dataclasses.replace(run_record(deleted), status=status, error=error, updated_at=now)
    ended = connection.execute(
        END_RUN, {"p_run_id": run_id, "p_status": status, "p_error": error, "p_now": now}
    ).first()
    if ended is None:
        return None  # the thread was deleted while the run ran: nothing left to update
    params: dict[str, Any] = {
        "p_thread_id": ended.thread_id,
        "p_status": _thread_status(session, ended.thread_id, thread_status),
        "p_now": now,
    }
    if thread_state is None:
        connection.execute(END_THREAD, params)
    else:
        params |= {"p_values": thread_state.values, "p_interrupts": thread_state.interrupts}
        connection.execute(END_THREAD_WITH_STATE, params)
    session.commit()
    return run_record(ended)


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
