"""The permission matrix, built from the served OpenAPI document: every operation, without
credentials and as each role, answers 401, 403 or gets past authorization exactly as the
policy table (``identity/policy.py``) says. A route that declares no access (``permission``,
``signed_in`` or ``anyone`` from ``api/permissions.py``) fails the first test, so a new
route cannot be open by omission."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import RouteContext, iter_route_contexts

from api.permissions import Anyone, RequiredPermission, SignedIn
from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.store import CRMStore
from identity.policy import permits
from identity.principal import ROLES, Principal
from identity.territories import seed_demo_territories
from server import create_app
from tests.support.apps import make_app
from tests.support.credentials import create_key
from tests.support.fake_graphs import FakeServices

pytestmark = pytest.mark.anyio

METHODS = {"get", "post", "put", "patch", "delete"}
# Path parameters that must parse for the route to be reached at all; anything else is "x".
PATH_VALUES = {"batch_id": "1", "item_id": "1", "version": "1"}


@dataclass(frozen=True)
class Access:
    """What one operation declares: a permission name, or signed-in, or anyone."""

    kind: str  # "permission" | "signed_in" | "anyone"
    permission: str | None = None


def declared_access(route: RouteContext) -> list[Access]:
    """The access declarations among the route's dependencies (its router's included)."""
    found: list[Access] = []
    for depends in route.dependencies:
        call = depends.dependency
        if isinstance(call, RequiredPermission):
            found.append(Access("permission", call.name))
        elif isinstance(call, SignedIn):
            found.append(Access("signed_in"))
        elif isinstance(call, Anyone):
            found.append(Access("anyone"))
    return found


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = make_app(settings, FakeServices())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield app, c


def _operations(app: FastAPI) -> list[tuple[str, str, RouteContext]]:
    """Every (method, path) of the OpenAPI document with the route that serves it (as
    included: its router's dependencies with its own)."""
    routes = {
        (method.lower(), route.path_format): route
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
    }
    schema = app.openapi()
    return [
        (method, path, routes[(method, path)])
        for path, item in schema["paths"].items()
        for method in item
        if method in METHODS
    ]


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "x"), path)


async def _call(client: httpx.AsyncClient, method: str, path: str, key: str | None) -> int:
    headers = {"x-api-key": key} if key else {}
    body: dict[str, Any] = {"json": {}} if method in {"post", "put", "patch"} else {}
    response = await client.request(method.upper(), _url(path), headers=headers, **body)
    if response.status_code in (401, 403):
        # The OpenAI-compatible routes answer in OpenAI's error shape, so its client raises
        # AuthenticationError / PermissionDeniedError.
        shape = {"error"} if path.startswith("/v1/") else {"detail", "code"}
        assert set(response.json()) == shape, (method, path, response.text)
    if response.status_code == 401:
        assert response.headers["www-authenticate"].startswith("Bearer"), (method, path)
    return response.status_code


async def test_every_operation_declares_who_may_call_it(
    served: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, _ = served
    undeclared = [
        f"{method.upper()} {path}"
        for method, path, route in _operations(app)
        if len(declared_access(route)) != 1
    ]
    assert undeclared == [], "routes must declare exactly one of permission/signed_in/anyone"


async def test_the_matrix_of_operations_and_roles_follows_the_policy(
    served: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = served
    keys = {role: create_key(app, role) for role in ROLES}
    problems: list[str] = []
    for method, path, route in _operations(app):
        (access,) = declared_access(route)
        status = await _call(client, method, path, None)
        expected_anonymous = "not 401/403" if access.kind == "anyone" else "401"
        if (status == 401) != (access.kind != "anyone") or status == 403:
            problems.append(
                f"{method.upper()} {path} anonymous: {status}, not {expected_anonymous}"
            )
        if access.kind == "anyone":
            continue
        for role in ROLES:
            principal = Principal(user_id="u", name="u", roles=frozenset({role}), via="api_key")
            allowed = access.permission is None or permits(principal, access.permission)
            status = await _call(client, method, path, keys[role])
            if allowed and status in (401, 403):
                problems.append(f"{method.upper()} {path} as {role}: {status}, allowed")
            if not allowed and status != 403:
                problems.append(f"{method.upper()} {path} as {role}: {status}, not 403")
    assert problems == []


@pytest.mark.parametrize("path", ["/ok", "/sign-in", "/static/sign-in.js", "/static/style.css"])
async def test_only_liveness_sign_in_and_static_files_answer_without_credentials(
    served: tuple[FastAPI, httpx.AsyncClient], path: str
) -> None:
    _, client = served
    assert (await client.get(path)).status_code == 200


@pytest.mark.parametrize("path", ["/", "/calibration/review"])
async def test_pages_send_someone_without_a_session_to_the_sign_in_page(
    served: tuple[FastAPI, httpx.AsyncClient], path: str
) -> None:
    _, client = served
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/sign-in?next={path}"


async def test_each_caller_sees_the_accounts_of_their_scope_and_404_for_others(
    tmp_path: Path,
) -> None:
    """A key of East (an application), a rep and a manager of East: /crm lists only what
    each may see, and an account of the West is 404 for all three (as an unknown one)."""
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", model="scripted/t")
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    seed_demo(engine, seed=settings.seed, scale=0.05)
    crm = CRMStore(engine)
    west = crm.list_accounts(region="West", limit=1)[0]
    rep = next(r for r in crm.list_reps() if r.region == "East")
    engine.dispose()
    app = create_app(settings, graphs={}, services_factory=lambda _: None)
    async with app.router.lifespan_context(app):
        identity = app.state.services.database.identity
        seed_demo_territories(identity.territories)
        identity.users.create_user("rep.east", ["rep"], team=rep.team, territories=["East"],
                                   rep_id=rep.id, password="a rep's password")  # fmt: skip
        identity.users.create_user("mgr.east", ["manager"], territories=["East"])
        callers = {
            "application": create_key(app, "application", territories=["East"]),
            "rep": create_key(app, "rep", owner="rep.east"),
            "manager": create_key(app, "manager", owner="mgr.east"),
        }
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for caller, key in callers.items():
                headers = {"x-api-key": key}
                listed = (await client.get("/crm/accounts?limit=100", headers=headers)).json()
                assert listed, caller
                if caller == "rep":
                    reps = (await client.get("/crm/reps", headers=headers)).json()
                    team = {r["id"] for r in reps if r["team"] == rep.team}
                    assert {account["owner_id"] for account in listed} <= team
                else:
                    assert {account["region"] for account in listed} == {"East"}, caller
                hidden = await client.get(f"/crm/accounts/{west.id}", headers=headers)
                assert hidden.status_code == 404, caller
                assert hidden.json()["code"] == "account_not_found"
