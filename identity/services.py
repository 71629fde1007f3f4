"""The identity stores of one process, built once over its shared engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from core.settings import Settings
from identity.api_keys import ApiKeys, load_api_key_secret
from identity.passwords import Passwords
from identity.sessions import Sessions
from identity.territories import Territories
from identity.users import UserDirectory


@dataclass(frozen=True)
class IdentityServices:
    """Users, API keys, sign-in sessions and territories over one engine."""

    users: UserDirectory
    api_keys: ApiKeys
    sessions: Sessions
    territories: Territories


def open_identity_services(
    settings: Settings, *, engine: Engine, passwords: Passwords | None = None
) -> IdentityServices:
    """The identity stores as ``settings`` configure them (reads or creates the API keys'
    hashing secret in the key folder, so: blocking)."""
    territories = Territories(engine)
    return IdentityServices(
        users=UserDirectory(
            engine,
            territories=territories,
            passwords=passwords,
            max_failures=settings.sign_in_max_failures,
            lockout=timedelta(minutes=settings.sign_in_lockout_minutes),
        ),
        api_keys=ApiKeys(
            engine,
            load_api_key_secret(settings.resolved_governance_key_dir),
            territories=territories,
        ),
        sessions=Sessions(engine, lifetime=timedelta(hours=settings.session_hours)),
        territories=territories,
    )
