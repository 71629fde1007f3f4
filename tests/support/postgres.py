"""The local PostgreSQL server the tests use (127.0.0.1:5432, user postgres, trust auth, database
test): whether it answers, and throw-away databases on it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

ADMIN_CONNINFO = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
# The test database itself, as SQLAlchemy URL; tests add ``?options=-csearch_path%3D<schema>``.
TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_problem() -> str | None:
    """Why PostgreSQL tests cannot run, or None when the server answers."""
    try:
        with psycopg.connect(ADMIN_CONNINFO):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL on 127.0.0.1:5432 (user postgres, db test) unreachable: {exc}"


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """A new, empty, uniquely named database (its SQLAlchemy URL), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
