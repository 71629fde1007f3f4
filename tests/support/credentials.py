"""Credentials of the tests' clients: a real API key in the app's own database, as an operator
would create one with ``crm-agents auth create-key``. There is no switch that turns
authentication off; a test that talks to the API presents a key like any client.

``admin_headers(app)`` (in-process clients, once the app's lifespan has started) and
``headers_for(url)`` / ``key_for(url)`` (servers started by ``tests.support.apps.serve``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from identity.principal import Role

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


def key_for(url: str) -> str:
    """The admin key of the server ``serve`` started at ``url``."""
    base = url.rstrip("/").removesuffix("/v1")
    return _KEYS_BY_URL[base]


def headers_for(url: str) -> dict[str, str]:
    """Headers that authenticate as the admin key of the server at ``url``."""
    return {"x-api-key": key_for(url)}
