"""The SQL every run executes on the records: create the run (and a stateless run's thread),
start it, end it. Built once, with values passed at execution, so SQLAlchemy compiles each
statement only once: building one with its values for every run cost more CPU than running it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Table, bindparam, delete, insert, select, update

from runtime.models import GraphRun, GraphThread
from runtime.records import ACTIVE_RUN_STATUSES, RunRecord

THREADS: Table = GraphThread.__table__  # type: ignore[assignment]
RUNS: Table = GraphRun.__table__  # type: ignore[assignment]


def _param(name: str, column: Any) -> Any:
    return bindparam(f"p_{name}", type_=column.type)


INSERT_THREAD = insert(THREADS)
INSERT_RUN = insert(RUNS)
THREAD_METADATA = select(THREADS.c.metadata).where(
    THREADS.c.thread_id == _param("thread_id", THREADS.c.thread_id)
)
CLAIM = (
    update(THREADS)
    .where(THREADS.c.thread_id == _param("thread_id", THREADS.c.thread_id))
    .values(
        status="busy",
        updated_at=_param("now", THREADS.c.updated_at),
        metadata=_param("metadata", THREADS.c.metadata),
    )
)
CLAIM_IF_IDLE = CLAIM.where(THREADS.c.status != "busy")
SET_STATUS = (
    update(RUNS)
    .where(RUNS.c.run_id == _param("run_id", RUNS.c.run_id))
    .values(status=_param("status", RUNS.c.status), updated_at=_param("now", RUNS.c.updated_at))
)
END_RUN = (
    update(RUNS)
    .where(RUNS.c.run_id == _param("run_id", RUNS.c.run_id))
    .values(
        status=_param("status", RUNS.c.status),
        error=_param("error", RUNS.c.error),
        updated_at=_param("now", RUNS.c.updated_at),
    )
    .returning(*RUNS.c)
)
DELETE_RUN = delete(RUNS).where(RUNS.c.run_id == _param("run_id", RUNS.c.run_id)).returning(*RUNS.c)
DELETE_THREAD = delete(THREADS).where(
    THREADS.c.thread_id == _param("thread_id", THREADS.c.thread_id)
)
OTHER_ACTIVE_RUN = (
    select(RUNS.c.run_id)
    .where(
        RUNS.c.thread_id == _param("thread_id", RUNS.c.thread_id),
        RUNS.c.status.in_(ACTIVE_RUN_STATUSES),
    )
    .limit(1)
)
END_THREAD = (
    update(THREADS)
    .where(THREADS.c.thread_id == _param("thread_id", THREADS.c.thread_id))
    .values(
        status=_param("status", THREADS.c.status), updated_at=_param("now", THREADS.c.updated_at)
    )
)
END_THREAD_WITH_STATE = END_THREAD.values(
    values=_param("values", THREADS.c["values"]),
    interrupts=_param("interrupts", THREADS.c.interrupts),
)


def run_values(record: RunRecord) -> dict[str, Any]:
    """The ``graph_runs`` column values of a run (the columns are named as its fields)."""
    return dict(vars(record))  # not dataclasses.asdict: its deep copy of the input costs more


def run_record(row: Row[Any]) -> RunRecord:
    """The run in a ``graph_runs`` row read with Core."""
    return RunRecord(**row._mapping)
