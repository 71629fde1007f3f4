"""Fixtures of the calibration tests: a migrated temporary database (SQLite, and PostgreSQL when
the local server answers) holding a recommendation log."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from crm.db import make_engine, migrate
from tests.support.calibration_world import fill_log
from tests.support.postgres import ADMIN_CONNINFO, TEST_DATABASE_URL
from tests.support.postgres import postgres_problem as find_postgres_problem


@pytest.fixture(scope="session")
def postgres_problem() -> str | None:
    return find_postgres_problem()


@pytest.fixture(scope="session")
def migrated_sqlite_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding an empty SQLite database at the newest schema, made once: each test
    copies it (milliseconds) rather than running every migration again (seconds on 2 cores)."""
    folder = tmp_path_factory.mktemp("calibration-schema")
    migrate(f"sqlite:///{folder / 'crm.db'}")
    return folder


@pytest.fixture(params=("sqlite", "postgresql"))
def engine(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres_problem: str | None,
    migrated_sqlite_dir: Path,
) -> Iterator[Engine]:
    """An empty, migrated database of each backend (its own PostgreSQL schema, dropped after)."""
    schema = None
    if request.param == "sqlite":
        # The whole folder: SQLite's write-ahead log, if one is left, holds part of the schema.
        shutil.copytree(migrated_sqlite_dir, tmp_path, dirs_exist_ok=True)
        url = f"sqlite:///{tmp_path / 'crm.db'}"
    else:
        if postgres_problem:
            pytest.skip(postgres_problem)
        schema = f"calibration_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{TEST_DATABASE_URL}?options=-csearch_path%3D{schema}"
        migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    if schema:
        with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def logged(engine: Engine) -> Engine:
    """The database with a recommendation log over October and November 2026."""
    fill_log(engine)
    return engine


@pytest.fixture
def fill() -> Callable[..., list[str]]:
    return fill_log
