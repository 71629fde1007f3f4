"""Who the work in progress is done for: the actor every audit record names.

A request's handler passes its signed-in user's actor down explicitly where it can; work that
runs further away (a run's graph steps, a model call inside them, a CLI command) finds it here,
in a context variable the run or command sets once. Context variables follow the work into
asyncio tasks and worker threads started with ``anyio.to_thread`` / ``asyncio.to_thread``, so a
step of a run cannot pick up another run's user.

An actor is plain data: ``user_id`` always; for a person or application also ``roles``, ``via``
(session, api_key, sso, custom) and ``credential_id`` (the key or session id, never a secret).
Work no user started names a system actor, ``{"user_id": "system:<component>"}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

SYSTEM_PREFIX = "system:"
# What an entry records when nothing said who it was for: a bug to find, never a disguise.
UNATTRIBUTED = "system:unattributed"
# The keys a recorded actor keeps; anything else a custom authenticator returned stays out.
ACTOR_KEYS = ("user_id", "roles", "via", "credential_id")

# Where a run's config carries its user, as on the LangGraph server (api/run_identity.py).
AUTH_USER_KEY = "langgraph_auth_user"

_current: ContextVar[dict[str, Any] | None] = ContextVar("crm_agents_actor", default=None)


def system_actor(component: str) -> dict[str, Any]:
    """The actor of work a component of the system does on its own (``system:<component>``)."""
    return {"user_id": f"{SYSTEM_PREFIX}{component}"}


def actor_record(actor: Mapping[str, Any]) -> dict[str, Any]:
    """The recorded form of ``actor``: its ``user_id`` and the other known keys it has."""
    return {key: actor[key] for key in ACTOR_KEYS if actor.get(key) is not None}


def actor_from_auth_user(user: Mapping[str, Any]) -> dict[str, Any] | None:
    """The actor of a run from its config's ``langgraph_auth_user`` (``identity`` is the id,
    as the LangGraph server names it); None when it names nobody."""
    user_id = user.get("identity") or user.get("user_id")
    if not isinstance(user_id, str) or not user_id:
        return None
    return actor_record({**user, "user_id": user_id})


def actor_of_run_config(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The actor of a run: the user its config names under ``langgraph_auth_user`` (what the
    API writes there for the signed-in user who started or resumed it), if any."""
    configurable = (config or {}).get("configurable") or {}
    user = configurable.get(AUTH_USER_KEY)
    return actor_from_auth_user(user) if isinstance(user, Mapping) else None


def current_actor() -> dict[str, Any] | None:
    """The actor the surrounding run, request or command acts for, if one was set."""
    found = _current.get()
    return dict(found) if found is not None else None


@contextmanager
def acting_as(actor: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Do the work inside the block for ``actor`` (restored afterwards)."""
    recorded = actor_record(actor)
    if not recorded.get("user_id"):
        raise ValueError("an actor needs a user_id")
    token = _current.set(recorded)
    try:
        yield recorded
    finally:
        _current.reset(token)
