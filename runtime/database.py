"""The SQLAlchemy engine of thread and run records."""

from __future__ import annotations

from typing import Any

import anyio
from sqlalchemy import Engine, event

from crm.db import make_engine


def make_records_engine(url: str) -> Engine:
    """An engine for the records; on SQLite every transaction takes the write lock up front.

    In WAL mode a transaction that reads and then writes fails at once with "database is
    locked" when another connection committed in between (the reader's snapshot is stale).
    Run creation reads the thread and then claims it, from several worker threads; beginning
    with ``BEGIN IMMEDIATE`` makes such transactions wait on the busy timeout instead.
    """
    engine = make_engine(url)
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _manual_transactions(dbapi_connection: Any, _record: Any) -> None:
        # Stop pysqlite from issuing its own deferred BEGIN; the listener below does it.
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def records_limiter(engine: Engine) -> anyio.CapacityLimiter | None:
    """One records transaction at a time on SQLite; None (no limit) on other databases.

    SQLite lets one writer in at a time and every records transaction begins ``IMMEDIATE``, so
    worker threads racing for the lock only wait, holding a thread each, and under load some
    wait past the busy timeout ("database is locked", a 500). Taking turns in the event loop
    costs nothing and never times out.
    """
    return anyio.CapacityLimiter(1) if engine.dialect.name == "sqlite" else None
