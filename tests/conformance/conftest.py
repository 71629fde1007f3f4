"""The store conformance suite's fixtures: every store on SQLite and on PostgreSQL.

Each test module states one store's contract once; the ``backend`` fixture runs it on a SQLite
file and on the local PostgreSQL server (127.0.0.1:5432, trust auth, user ``postgres``,
database ``test``), in a database created for the test session and dropped after it. Tests keep
apart by their own ids (uuid4 thread ids, contact ids, namespaces), as LangGraph's checkpointer
conformance tests do, so one migrated database per backend serves the whole session.

PostgreSQL must answer: when it cannot be reached the PostgreSQL half FAILS with the reason,
so CI never passes on SQLite alone. Set ``CRM_AGENTS_TEST_POSTGRES=off`` to skip that half on a
machine without the server (see docs/OPERATIONS.md, "The store conformance suite").
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.store.base import BaseStore
from sqlalchemy import Engine

from core.settings import Settings
from crm.db import session_factory
from runtime.checkpoints import open_checkpointer, open_graph_store
from runtime.database import records_limiter
from runtime.run_store import RunStore
from runtime.thread_store import ThreadStore
from tests.conformance.databases import StoreDatabases
from tests.support.postgres import postgres_problem

BACKENDS = ("sqlite", "postgresql")
POSTGRES_SWITCH = "CRM_AGENTS_TEST_POSTGRES"


def postgres_turned_off() -> bool:
    """Whether the PostgreSQL half was turned off on purpose (``CRM_AGENTS_TEST_POSTGRES=off``)."""
    return os.environ.get(POSTGRES_SWITCH, "").strip().lower() in {"off", "0", "false", "no"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def store_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreDatabases]:
    with ExitStack() as cleanup:
        yield StoreDatabases(tmp_path_factory.mktemp("conformance"), cleanup)


@pytest.fixture(scope="session")
def postgres_reason() -> str | None:
    """Why the PostgreSQL half cannot run (None when the server answers)."""
    return postgres_problem()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, postgres_reason: str | None) -> str:
    """Each database in turn; an unreachable PostgreSQL fails unless turned off on purpose."""
    if request.param == "postgresql":
        if postgres_turned_off():
            pytest.skip(f"{POSTGRES_SWITCH}=off: the PostgreSQL half is turned off")
        if postgres_reason:
            pytest.fail(f"{postgres_reason} (set {POSTGRES_SWITCH}=off to skip this half)")
    return str(request.param)


@pytest.fixture
def database_url(backend: str, store_databases: StoreDatabases) -> str:
    """The session's migrated database of the current backend."""
    return store_databases.shared_url(backend)


@pytest.fixture
def engine(database_url: str, store_databases: StoreDatabases) -> Engine:
    """The session's engine on the current backend's database (SQLite's deferred BEGIN)."""
    return store_databases.engine(database_url)


@pytest.fixture
def records_engine(database_url: str, store_databases: StoreDatabases) -> Engine:
    """The engine of the thread and run records: SQLite transactions lock at BEGIN."""
    return store_databases.engine(database_url, locking=True)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings naming the current backend's database (SQLite's checkpoints and LangGraph
    store live in their own files under the data folder, as in the server)."""
    return Settings(_env_file=None, data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def threads(records_engine: Engine) -> ThreadStore:
    return ThreadStore(session_factory(records_engine), limiter=records_limiter(records_engine))


@pytest.fixture
def runs(records_engine: Engine) -> RunStore:
    return RunStore(session_factory(records_engine), limiter=records_limiter(records_engine))


@pytest.fixture
async def checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver[str]]:
    async with open_checkpointer(settings) as saver:
        yield saver


@pytest.fixture
async def graph_store(settings: Settings) -> AsyncIterator[BaseStore]:
    async with open_graph_store(settings) as store:
        yield store


@pytest.fixture
def known_difference(request: pytest.FixtureRequest, backend: str) -> Callable[[str, str], None]:
    """``known_difference("sqlite", reason)``: the contract does not hold on that backend yet,
    so the test must fail there (a strict xfail: fixing it turns the suite red until the mark
    goes)."""

    def mark(on: str, reason: str) -> None:
        if backend == on:
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))

    return mark


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Ids no other test uses: ``unique("thread")`` -> ``"thread-3f2a..."``."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:12]}"
