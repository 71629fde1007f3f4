"""The LangGraph checkpointer and store for the configured database: SQLite files under the
data folder by default, PostgreSQL when the database URL names it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import make_url

from core.settings import Settings

logger = logging.getLogger(__name__)


def is_postgres(url: str) -> bool:
    """Whether a SQLAlchemy URL names PostgreSQL."""
    return make_url(url).get_backend_name() == "postgresql"


def postgres_conninfo(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL (``postgresql+psycopg://...``) as a libpq connection URI."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[Any]:
    """An async checkpointer with its tables set up, closed on exit."""
    url = settings.resolved_database_url
    if is_postgres(url):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        async with AsyncPostgresSaver.from_conn_string(postgres_conninfo(url)) as saver:
            await saver.setup()
            yield saver
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    settings.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(settings.checkpoint_path)) as saver:
        await saver.setup()  # switches the file to WAL
        # In WAL mode NORMAL survives a crash of the process (only a power cut can lose the
        # last commits) and halves a run's time: FULL syncs the disk on each of ~9 commits.
        await saver.conn.execute("PRAGMA synchronous=NORMAL")
        yield saver


# Items put with a ``ttl`` (minutes) expire: reads refresh it, a sweeper deletes expired items,
# and PostgreSQL also hides them from reads before the sweep.
STORE_TTL: dict[str, Any] = {
    "refresh_on_read": True,
    "omit_expired": True,
    "sweep_interval_minutes": 1,
}


@asynccontextmanager
async def open_graph_store(settings: Settings) -> AsyncIterator[Any]:
    """The LangGraph store (``BaseStore``) graphs and the store API use, with its tables set
    up and its TTL sweeper running."""
    url = settings.resolved_database_url
    if is_postgres(url):
        from langgraph.store.postgres.aio import AsyncPostgresStore

        async with AsyncPostgresStore.from_conn_string(
            postgres_conninfo(url),
            ttl=STORE_TTL,  # type: ignore[arg-type]
        ) as store:
            await store.setup()
            async with _sweeping(store):
                yield store
        return
    from langgraph.store.sqlite.aio import AsyncSqliteStore

    path = settings.store_path
    path.parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteStore.from_conn_string(
        str(path),
        ttl=STORE_TTL,  # type: ignore[arg-type]
    ) as store:
        await store.setup()
        async with _sweeping(store):
            yield store


@asynccontextmanager
async def _sweeping(store: Any) -> AsyncIterator[None]:
    await store.start_ttl_sweeper()
    try:
        yield
    finally:
        # The stores only signal their sweeper on exit; wait for it before the connection closes.
        await store.stop_ttl_sweeper(timeout=5)


async def copy_thread_checkpoints(checkpointer: Any, source: str, target: str) -> int:
    """Copy every checkpoint (all namespaces) and pending write of thread ``source`` to
    ``target``, keeping checkpoint ids and parents; returns how many checkpoints were copied.

    Neither the SQLite nor the PostgreSQL saver implements ``acopy_thread``, so this goes
    through the public saver API, which both do implement.
    """
    saved = [item async for item in checkpointer.alist({"configurable": {"thread_id": source}})]
    # Oldest first, so that a reader of the target never sees a child before its parent.
    for item in reversed(saved):
        configurable = item.config["configurable"]
        namespace = configurable.get("checkpoint_ns", "")
        parent = (item.parent_config or {}).get("configurable", {}).get("checkpoint_id")
        metadata = dict(item.metadata or {})
        if metadata.get("thread_id") == source:
            metadata["thread_id"] = target
        stored = await checkpointer.aput(
            {
                "configurable": {
                    "thread_id": target,
                    "checkpoint_ns": namespace,
                    "checkpoint_id": parent,
                }
            },
            item.checkpoint,
            metadata,
            dict(item.checkpoint.get("channel_versions") or {}),
        )
        writes_by_task: dict[str, list[tuple[str, Any]]] = {}
        for task_id, channel, value in item.pending_writes or ():
            writes_by_task.setdefault(task_id, []).append((channel, value))
        for task_id, writes in writes_by_task.items():
            await checkpointer.aput_writes(stored, writes, task_id)
    return len(saved)
