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
        await saver.setup()
        yield saver


@asynccontextmanager
async def open_graph_store(settings: Settings) -> AsyncIterator[Any]:
    """The LangGraph store (``BaseStore``) graphs receive, with its tables set up."""
    url = settings.resolved_database_url
    if is_postgres(url):
        from langgraph.store.postgres.aio import AsyncPostgresStore

        async with AsyncPostgresStore.from_conn_string(postgres_conninfo(url)) as store:
            await store.setup()
            yield store
        return
    from langgraph.store.sqlite.aio import AsyncSqliteStore

    path = settings.store_path
    path.parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteStore.from_conn_string(str(path)) as store:
        await store.setup()
        yield store
