"""The SQLAlchemy engine of thread and run records."""

from __future__ import annotations

import anyio
from sqlalchemy import Engine

from crm.db import make_write_locking_engine


def make_records_engine(url: str) -> Engine:
    """An engine for the records: run creation reads the thread and then claims it, from
    several worker threads, so on SQLite every transaction takes the write lock up front."""
    return make_write_locking_engine(url)


def records_limiter(engine: Engine) -> anyio.CapacityLimiter | None:
    """One records transaction at a time on SQLite; None (no limit) on other databases.

    SQLite lets one writer in at a time and every records transaction begins ``IMMEDIATE``, so
    worker threads racing for the lock only wait, holding a thread each, and under load some
    wait past the busy timeout ("database is locked", a 500). Taking turns in the event loop
    costs nothing and never times out.
    """
    return anyio.CapacityLimiter(1) if engine.dialect.name == "sqlite" else None
