"""Fixtures of the governance tests: audit services on a fresh SQLite or PostgreSQL database.

PostgreSQL is the local server (127.0.0.1:5432, trust auth, user postgres, database test); each
test gets its own schema, dropped afterwards; when the server cannot be reached the PostgreSQL
half of a parametrised test is skipped with the reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from core.settings import Settings
from crm.db import migrate
from governance.audit_services import AuditServices, open_audit_services
from tests.support.postgres import ADMIN_CONNINFO, TEST_DATABASE_URL, postgres_problem


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def audit_postgres_problem() -> str | None:
    return postgres_problem()


@pytest.fixture(params=["sqlite", "postgresql"])
def audit_url(
    request: pytest.FixtureRequest, tmp_path: Path, audit_postgres_problem: str | None
) -> Iterator[str]:
    """A migrated, empty database of each backend in turn."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crm.db'}"
        migrate(url)
        yield url
        return
    if audit_postgres_problem:
        pytest.skip(audit_postgres_problem)
    schema = f"audit_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{TEST_DATABASE_URL}?options=-csearch_path%3D{schema}"
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def audit_settings(tmp_path: Path, audit_url: str) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", database_url=audit_url)


@pytest.fixture
def audit(audit_settings: Settings) -> Iterator[AuditServices]:
    """Audit services with a checkpoint every 10 entries, so tests cross several."""
    services = open_audit_services(audit_settings, checkpoint_every=10)
    yield services
    services.close()


@pytest.fixture
def sqlite_audit(tmp_path: Path) -> Iterator[AuditServices]:
    """Audit services on SQLite only (tests that edit the database file directly)."""
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    migrate(url)
    services = open_audit_services(
        Settings(_env_file=None, data_dir=tmp_path / "data", database_url=url), checkpoint_every=10
    )
    yield services
    services.close()
