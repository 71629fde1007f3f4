"""Counters the cost benchmark reads from inside our server process (bench only, never served by
``crm-agents serve``): CPU time, SQLite statements and commits per database file, and
tracemalloc snapshots of what the process holds.

``install(app)`` must run before the app opens its databases: statements are counted with
SQLite's trace callback on every connection ``sqlite3.connect`` makes from then on (the records
engine through SQLAlchemy, the checkpointer and the store through aiosqlite).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sqlite3
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI

TRACE_FRAMES = 12

_counts: Counter[str] = Counter()
_lock = threading.Lock()


def _counting_connect(connect: Any) -> Any:
    def connect_and_trace(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(database, *args, **kwargs)
        name = Path(str(database)).stem or "memory"

        def traced(statement: str) -> None:
            # Called in whichever thread runs the statement (worker threads, aiosqlite's).
            with _lock:
                _counts[f"{name} statements"] += 1
                if statement.lstrip()[:6].upper() == "COMMIT":
                    _counts[f"{name} commits"] += 1

        connection.set_trace_callback(traced)
        return connection

    return connect_and_trace


def install(app: FastAPI) -> None:
    """Count SQLite statements from now on and add ``GET /bench/diagnostics`` to ``app``."""
    # aiosqlite calls sqlite3.connect; SQLAlchemy's pysqlite dialect sqlite3.dbapi2.connect.
    sqlite3.connect = _counting_connect(sqlite3.connect)  # type: ignore[assignment]
    sqlite3.dbapi2.connect = sqlite3.connect  # type: ignore[assignment]

    @app.get("/bench/diagnostics", include_in_schema=False)
    async def diagnostics(
        trace: Literal["start", "snapshot", "stop"] | None = None, path: str | None = None
    ) -> dict[str, Any]:
        """Counters so far; ``trace`` starts tracemalloc, dumps a snapshot to ``path`` (after
        a full garbage collection, so only live objects count) or stops it."""
        if trace == "start":
            tracemalloc.start(TRACE_FRAMES)
        elif trace == "snapshot" and path:
            gc.collect()
            tracemalloc.take_snapshot().dump(path)
        elif trace == "stop":
            tracemalloc.stop()
        with _lock:
            counts = dict(_counts)
        return {
            "cpu_seconds": time.process_time(),
            "threads": threading.active_count(),
            "pid": os.getpid(),
            "tasks": len(asyncio.all_tasks()),
            "counts": counts,
        }
