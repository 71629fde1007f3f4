"""Fixtures of the identity tests: a migrated SQLite database and its identity stores, with
the cheapest argon2 parameters (the real ones cost about half a second per hash)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import profiles
from sqlalchemy import Engine

from core.settings import Settings
from crm.db import make_engine, migrate
from identity.passwords import Passwords
from identity.services import IdentityServices, open_identity_services
from identity.territories import seed_demo_territories


@pytest.fixture
def identity_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", sign_in_max_failures=3)


@pytest.fixture
def identity_engine(identity_settings: Settings) -> Iterator[Engine]:
    url = identity_settings.resolved_database_url
    engine = make_engine(url)
    migrate(url, engine=engine)
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
