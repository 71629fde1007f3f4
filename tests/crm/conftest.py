"""Fixtures of the CRM tests: one parametrised database fixture over SQLite and PostgreSQL.

PostgreSQL is the local server (127.0.0.1:5432, trust auth, user postgres, database test);
each test session works in its own uniquely named schemas and drops them afterwards. When the
server cannot be reached, the PostgreSQL half of every parametrised test is skipped.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine

from crm import make_engine, migrate
from crm.demo import seed_demo
from tests.support.postgres import ADMIN_CONNINFO, TEST_DATABASE_URL
from tests.support.postgres import postgres_problem as find_postgres_problem

BACKENDS = ("sqlite", "postgresql")
DEMO_SEED = 424242
DEMO_SCALE = 0.04  # 9 accounts: every stage, small enough to seed in well under a second

_RUN = uuid.uuid4().hex[:8]
_schema_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_problem() -> str | None:
    """Why PostgreSQL tests cannot run, or None when the server answers."""
    return find_postgres_problem()


class Databases:
    """Creates empty migrated databases and removes them at the end of the session."""

    def __init__(self, tmp_root: Path) -> None:
        self.tmp_root = tmp_root
        self.schemas: list[str] = []
        self.engines: list[Engine] = []

    def url(self, backend: str) -> str:
        if backend == "sqlite":
            path = self.tmp_root / f"crm-{next(_schema_numbers)}" / "crm.db"
            return f"sqlite:///{path}"
        schema = f"crm_test_{_RUN}_{next(_schema_numbers)}"
        with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        # '%3D' is '=': also proves migrate() survives '%' in URLs.
        return f"{TEST_DATABASE_URL}?options=-csearch_path%3D{schema}"

    def migrated(self, backend: str) -> tuple[str, Engine]:
        url = self.url(backend)
        migrate(url)
        engine = make_engine(url)
        self.engines.append(engine)
        return url, engine

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if self.schemas:
            with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as conn:
                for schema in self.schemas:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    found = Databases(tmp_path_factory.mktemp("crm-db"))
    yield found
    found.close()


def _need(backend: str, problem: str | None) -> None:
    if backend == "postgresql" and problem:
        pytest.skip(problem)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, postgres_problem: str | None) -> str:
    """Each backend in turn; PostgreSQL skipped with the reason when unreachable."""
    _need(request.param, postgres_problem)
    return str(request.param)


@pytest.fixture
def engine(backend: str, databases: Databases) -> Engine:
    """A fresh, migrated, empty database of the current backend."""
    return databases.migrated(backend)[1]


@pytest.fixture(scope="session")
def catalogue() -> Sequence[Any]:
    """The demo's product catalogue."""
    from crm.demo.catalogue import build_catalogue

    return build_catalogue(DEMO_SEED)


_seeded: dict[str, Engine] = {}


@pytest.fixture(scope="session")
def seeded_engines(
    databases: Databases, catalogue: Sequence[Any], postgres_problem: str | None
) -> Callable[[str], Engine]:
    """Per backend, one small demo database shared (read-only) by the store tests."""

    def get(backend: str) -> Engine:
        _need(backend, postgres_problem)
        if backend not in _seeded:
            engine = databases.migrated(backend)[1]
            seed_demo(engine, seed=DEMO_SEED, scale=DEMO_SCALE, catalogue=catalogue)
            _seeded[backend] = engine
        return _seeded[backend]

    return get


@pytest.fixture
def seeded(backend: str, seeded_engines: Callable[[str], Engine]) -> Engine:
    """The shared small demo database of the current backend."""
    return seeded_engines(backend)
