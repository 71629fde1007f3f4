"""Fixtures of the identity tests: a migrated database (SQLite, and PostgreSQL when the local
server answers) and its identity stores, with the cheapest argon2 parameters (the real ones
cost about half a second per hash)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import profiles
from sqlalchemy import Engine, text

from core.settings import Settings
from crm.db import make_engine, migrate
from identity.passwords import Passwords
from identity.services import IdentityServices, open_identity_services
from identity.territories import seed_demo_territories
from tests.support.postgres import fresh_database, postgres_problem


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str]:
    """One PostgreSQL database for the session, migrated once (creating one per test costs
    seconds); each test starts from empty identity tables."""
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    with fresh_database("identity") as url:
        migrate(url)
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def identity_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        return Settings(data_dir=data_dir, sign_in_max_failures=3)
    url = request.getfixturevalue("_postgres_url")
    return Settings(data_dir=data_dir, database_url=url, sign_in_max_failures=3)


@pytest.fixture
def identity_engine(identity_settings: Settings) -> Iterator[Engine]:
    url = identity_settings.resolved_database_url
    engine = make_engine(url)
    migrate(url, engine=engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE territories SET parent = NULL"))  # RESTRICT on parents
        for table in ("sessions", "api_keys", "users", "territories"):
            connection.execute(text(f"DELETE FROM {table}"))  # children before parents
    yield engine
    engine.dispose()


@pytest.fixture
def identity(identity_settings: Settings, identity_engine: Engine) -> IdentityServices:
    """The identity stores over a fresh database holding the demo's territory tree."""
    services = open_identity_services(
        identity_settings,
        engine=identity_engine,
        passwords=Passwords.with_parameters(profiles.CHEAPEST),
    )
    seed_demo_territories(services.territories)
    return services
