"""An auth module as a LangGraph Platform team would have written it, used unchanged by the
tests of identity/langgraph_auth.py (and the worked example of docs/SSO_AND_CUSTOM_AUTH.md).

Users present an ``x-api-key``; each owns the threads it creates; the store is read-only;
only admins delete crons and assistants; a suspended user is refused everything else.
"""

from __future__ import annotations

from typing import Any

from langgraph_sdk import Auth

auth = Auth()

USERS: dict[str, Any] = {
    "key-alice": {
        "identity": "alice",
        "display_name": "Alice Wang",
        "permissions": ["role:rep", "threads:write"],
        "team": "east-1",
        "territories": ["East"],
        "org": "acme",
    },
    "key-bob": {"identity": "bob", "permissions": ["role:manager"], "roles": ["evaluator"]},
    "key-root": {"identity": "root", "permissions": ["role:admin", "threads:write"]},
    "key-carol": "carol",
    "key-mallory": {"identity": "mallory", "permissions": []},
}


@auth.authenticate
async def authenticate(headers: dict[bytes, bytes]) -> Any:
    key = headers.get(b"x-api-key")
    if key is None:
        raise Auth.exceptions.HTTPException(status_code=401, detail="missing x-api-key")
    user = USERS.get(key.decode())
    if user is None:
        raise Auth.exceptions.HTTPException(status_code=401, detail="unknown API key")
    return user


@auth.on.threads.create
async def stamp_owner(ctx: Auth.types.AuthContext, value: Auth.types.ThreadsCreate) -> Any:
    value.setdefault("metadata", {})["owner"] = ctx.user.identity
    return {"owner": ctx.user.identity}


@auth.on.threads.create_run
async def runs_need_write(ctx: Auth.types.AuthContext, value: Any) -> Any:
    if "threads:write" not in ctx.permissions:
        return False
    return {"owner": ctx.user.identity}


@auth.on.threads
async def own_threads(ctx: Auth.types.AuthContext, value: Any) -> Any:
    return {"owner": ctx.user.identity}


@auth.on.assistants.search
async def shared_assistants(ctx: Auth.types.AuthContext, value: Any) -> Any:
    return {"shared_with": {"$contains": ctx.user.identity}}


@auth.on.store.put
async def read_only_store(ctx: Auth.types.AuthContext, value: Any) -> Any:
    raise Auth.exceptions.HTTPException(status_code=403, detail="the store is read-only")


@auth.on.store.delete
async def no_store_deletes(ctx: Auth.types.AuthContext, value: Any) -> Any:
    return False


@auth.on(actions="delete")
async def only_admins_delete(ctx: Auth.types.AuthContext, value: Any) -> Any:
    return "role:admin" in ctx.permissions


@auth.on
async def everything_else(ctx: Auth.types.AuthContext, value: Any) -> Any:
    assert ctx.user.identity != "mallory", "mallory is suspended"
    return None
