"""Credentials of the tests' clients: a real API key in the app's own database, as an operator
would create one with ``crm-agents auth create-key``. There is no switch that turns
authentication off; a test that talks to the API presents a key like any client.

``admin_headers(app)`` (in-process clients, once the app's lifespan has started),
``headers_for(url)`` / ``key_for(url)`` (servers started by ``tests.support.apps.serve``), and
``provision(settings)`` for a server in a process of its own, before it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from composition.database import shared_database
from core.settings import Settings
from identity.principal import Role
from identity.territories import seed_demo_territories

# Keys of the servers ``serve`` started, by base URL (one admin key each).
_KEYS_BY_URL: dict[str, str] = {}


def create_key(app: FastAPI, role: Role = "admin", **options: Any) -> str:
    """A new API key of ``role`` in the app's database (the app's lifespan must be running)."""
    identity = app.state.services.database.identity
    created = identity.api_keys.create(f"tests ({role})", role, **options)
    return str(created.plaintext)


def admin_key(app: FastAPI) -> str:
    """The app's admin key for tests, created on first use."""
    key: str | None = getattr(app.state, "tests_admin_key", None)
    if key is None:
        key = create_key(app, "admin")
        app.state.tests_admin_key = key
    return key


def admin_headers(app: FastAPI) -> dict[str, str]:
    """Headers that authenticate as the app's admin key (what ``langgraph_sdk`` sends)."""
    return {"x-api-key": admin_key(app)}


def register_server(url: str, app: FastAPI) -> None:
    """Remember the admin key of the server at ``url`` (``serve`` calls it once started)."""
    _KEYS_BY_URL[url] = admin_key(app)


def register_key(url: str, key: str) -> None:
    """Remember ``key`` for the server at ``url`` (one in a process of its own)."""
    _KEYS_BY_URL[url] = key


def key_for(url: str) -> str:
    """The admin key of the server ``serve`` started at ``url``."""
    base = url.rstrip("/").removesuffix("/v1")
    return _KEYS_BY_URL[base]


def headers_for(url: str) -> dict[str, str]:
    """Headers that authenticate as the admin key of the server at ``url``."""
    return {"x-api-key": key_for(url)}


@dataclass(frozen=True)
class Provisioned:
    """Credentials made in a data folder before its server starts."""

    admin_key: str
    user_name: str | None = None
    password: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.admin_key}


def provision(
    settings: Settings,
    *,
    user: str | None = None,
    roles: tuple[str, ...] = ("admin",),
    password: str = "a test password",
    **user_options: Any,
) -> Provisioned:
    """An admin key, and optionally a user who signs in with ``password``, in the database of
    ``settings`` (migrated if new), for a server another process will run on it."""
    with shared_database(settings) as database:
        identity = database.identity
        key = identity.api_keys.create("tests (admin)", "admin").plaintext
        if user is None:
            return Provisioned(admin_key=key)
        seed_demo_territories(identity.territories)
        identity.users.create_user(user, roles, password=password, **user_options)
        return Provisioned(admin_key=key, user_name=user, password=password)


def sign_in_page(page: Any, base_url: str, name: str, password: str, *, then: str = "/") -> None:
    """Open ``then`` and sign in on the page it sends us to, as a person would (a Playwright
    ``page``); returns once back on ``then``."""
    page.goto(f"{base_url}{then}")
    page.wait_for_selector("#sign-in")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("#sign-in-submit")
    page.wait_for_url(lambda url: "/sign-in" not in url)
