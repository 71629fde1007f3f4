"""Who is asking, over every kind of credential: API keys (``x-api-key`` and ``Authorization:
Bearer``), the sign-in session cookie and its CSRF token, SSO tokens, and a LangGraph Auth
module; and how the signed-in user travels into each run's config."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jwt.algorithms import RSAAlgorithm

from api.errors import ApiError
from api.run_identity import RunActor, check_resume_allowed
from api.schemas import RunCreate
from core.settings import Settings
from crm.scope import AccountScope
from identity.principal import Principal
from identity.territories import seed_demo_territories
from tests.support.apps import make_app
from tests.support.credentials import create_key
from tests.support.fake_graphs import FakeServices

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery staple"
ISSUER = "https://sso.example.com/realms/sales"
AUDIENCE = "crm-agents"
HI = {"messages": [{"role": "user", "content": "hi"}]}

Started = Callable[..., Any]


@pytest.fixture
def start(tmp_path: Path) -> Started:
    """``async with start(**settings) as (app, client)``: an app on its own data folder and a
    client without credentials (``base_url`` may be https)."""

    @asynccontextmanager
    async def started(
        base_url: str = "http://testserver", **options: Any
    ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        app = make_app(Settings(data_dir=tmp_path / "data", **options), FakeServices())
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
                yield app, client

    return started


@pytest.fixture
async def served(start: Started) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with start() as (app, client):
        identity = app.state.services.database.identity
        seed_demo_territories(identity.territories)
        identity.users.create_user(
            "li.na", ["rep"], team="east-1", territories=["East"], rep_id="REP-001",
            password=PASSWORD, display_name="Li Na",
        )  # fmt: skip
        identity.users.create_user("eve", ["evaluator"], password=PASSWORD)
        yield app, client


async def _sign_in(client: httpx.AsyncClient, name: str = "li.na") -> str:
    response = await client.post("/auth/sign-in", json={"name": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


# API keys ------------------------------------------------------------------------------------


async def test_without_credentials_the_api_answers_401_naming_what_to_send(served: Any) -> None:
    _, client = served
    response = await client.post("/threads", json={})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="crm-agents"'
    assert response.json()["code"] == "unauthenticated"
    assert "x-api-key" in response.json()["detail"] and "/sign-in" in response.json()["detail"]


async def test_an_api_key_works_as_x_api_key_and_as_bearer_until_revoked(served: Any) -> None:
    app, client = served
    created = app.state.services.database.identity.api_keys.create("crm sync", "application")
    for headers in (
        {"x-api-key": created.plaintext},
        {"authorization": f"Bearer {created.plaintext}"},
    ):
        assert (await client.get("/info", headers=headers)).status_code == 200
    app.state.services.database.identity.api_keys.revoke(created.record.id)
    response = await client.get("/info", headers={"x-api-key": created.plaintext})
    assert response.status_code == 401
    assert response.json()["detail"] == "the API key is unknown, revoked or expired"


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({"x-api-key": "crm_000000000000_" + "a" * 43}, "the API key is unknown"),
        ({"x-api-key": "not-a-key"}, "the API key is unknown"),
        ({"authorization": "Bearer a.b.c"}, "neither an API key"),
        ({"authorization": "Basic dXNlcjpwYXNz"}, "credentials required"),
    ],
)
async def test_wrong_credentials_are_401_naming_the_problem(
    served: Any, headers: dict[str, str], detail: str
) -> None:
    _, client = served
    response = await client.get("/info", headers=headers)
    assert response.status_code == 401
    assert detail in response.json()["detail"]


async def test_a_role_without_the_permission_gets_403_naming_it(served: Any) -> None:
    app, client = served
    evaluator = create_key(app, "evaluator")
    response = await client.post("/threads", json={}, headers={"x-api-key": evaluator})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "threads:write is not allowed for the role(s) evaluator",
        "code": "forbidden",
    }


# Sign-in sessions ----------------------------------------------------------------------------


async def test_sign_in_sets_a_strict_http_only_cookie_and_answers_the_csrf_token(
    served: Any,
) -> None:
    _, client = served
    response = await client.post("/auth/sign-in", json={"name": "li.na", "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("crm_session=")
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age=43200"):
        assert attribute.lower() in cookie.lower(), cookie
    assert "secure" not in cookie.lower()  # plain http: a Secure cookie would never come back
    body = response.json()
    assert body["name"] == "li.na" and body["roles"] == ["rep"] and body["rep_id"] == "REP-001"
    assert body["via"] == "session" and len(body["csrf_token"]) >= 32
    me = (await client.get("/auth/me")).json()
    assert me["csrf_token"] == body["csrf_token"] and me["display_name"] == "Li Na"


async def test_over_https_the_session_cookie_is_secure(start: Started) -> None:
    async with start(base_url="https://testserver") as (app, client):
        app.state.services.database.identity.users.create_user("ann", ["rep"], password=PASSWORD)
        response = await client.post("/auth/sign-in", json={"name": "ann", "password": PASSWORD})
        assert "secure" in response.headers["set-cookie"].lower()


async def test_a_change_with_the_cookie_needs_the_csrf_token(served: Any) -> None:
    _, client = served
    csrf = await _sign_in(client)
    assert (await client.post("/threads/search", json={})).status_code == 403
    refused = await client.post("/threads", json={}, headers={"x-csrf-token": "forged"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    created = await client.post("/threads", json={}, headers={"x-csrf-token": csrf})
    assert created.status_code == 200
    assert (await client.get(f"/threads/{created.json()['thread_id']}")).status_code == 200


@pytest.mark.parametrize(
    ("password", "status", "code"),
    [("wrong", 401, "sign_in_failed"), (PASSWORD, 200, None)],
)
async def test_a_wrong_password_and_an_unknown_name_get_the_same_401(
    served: Any, password: str, status: int, code: str | None
) -> None:
    _, client = served
    response = await client.post("/auth/sign-in", json={"name": "li.na", "password": password})
    assert response.status_code == status
    if code:
        unknown = await client.post("/auth/sign-in", json={"name": "nobody", "password": "x"})
        assert (
            unknown.json()
            == response.json()
            == {
                "detail": "unknown user name or wrong password",
                "code": code,
            }
        )


async def test_repeated_failures_lock_the_account_with_retry_after(start: Started) -> None:
    async with start(sign_in_max_failures=2) as (app, client):
        app.state.services.database.identity.users.create_user("ann", ["rep"], password=PASSWORD)
        for _ in range(2):
            await client.post("/auth/sign-in", json={"name": "ann", "password": "wrong"})
        locked = await client.post("/auth/sign-in", json={"name": "ann", "password": PASSWORD})
        assert locked.status_code == 429 and locked.json()["code"] == "account_locked"
        assert int(locked.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    "body",
    [{}, {"name": "li.na"}, {"name": "", "password": "x"}, {"name": "x" * 121, "password": "x"}],
)
async def test_a_malformed_sign_in_is_422_naming_the_field(served: Any, body: Any) -> None:
    _, client = served
    response = await client.post("/auth/sign-in", json=body)
    assert response.status_code == 422
    assert any(name in response.json()["detail"] for name in ("name", "password"))


async def test_sign_out_ends_the_session_at_once(served: Any) -> None:
    _, client = served
    csrf = await _sign_in(client)
    session = client.cookies["crm_session"]
    response = await client.post("/auth/sign-out", headers={"x-csrf-token": csrf})
    assert response.status_code == 204
    assert (
        'crm_session=""' in response.headers["set-cookie"]
        or "Max-Age=0" in response.headers["set-cookie"]
    )
    client.cookies.set("crm_session", session)  # as if a copy of the cookie were replayed
    again = await client.get("/auth/me")
    assert again.status_code == 401 and "signed out" in again.json()["detail"]


async def test_the_chat_page_needs_a_session(served: Any) -> None:
    _, client = served
    assert (await client.get("/")).headers["location"] == "/sign-in?next=/"
    await _sign_in(client)
    page = await client.get("/")
    assert page.status_code == 200 and 'id="sign-out"' in page.text


# SSO tokens and a LangGraph Auth module ------------------------------------------------------


def _sso_settings(tmp_path: Path) -> tuple[dict[str, Any], rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key())) | {"kid": "k1", "alg": "RS256"}
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    return {"sso_jwks_path": path, "sso_issuer": ISSUER, "sso_audience": AUDIENCE}, key


def _token(key: rsa.RSAPrivateKey, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u-7", "preferred_username": "wei",
               "roles": ["manager"], "territories": ["East"], "iat": now, "exp": now + 600}  # fmt: skip
    return jwt.encode(payload | claims, key, algorithm="RS256", headers={"kid": "k1"})


async def test_an_sso_token_signs_in_as_bearer(start: Started, tmp_path: Path) -> None:
    options, key = _sso_settings(tmp_path)
    async with start(**options) as (_, client):
        me = await client.get("/auth/me", headers={"authorization": f"Bearer {_token(key)}"})
        assert me.status_code == 200
        assert (me.json()["name"], me.json()["roles"], me.json()["via"]) == (
            "wei",
            ["manager"],
            "sso",
        )
        wrong = _token(key, aud="another-app")
        refused = await client.get("/auth/me", headers={"authorization": f"Bearer {wrong}"})
        assert refused.status_code == 401
        assert "audience" in refused.json()["detail"]


async def test_a_langgraph_auth_module_authenticates_what_is_not_ours(start: Started) -> None:
    async with start(auth_path="tests.support.custom_langgraph_auth:auth") as (app, client):
        me = await client.get("/auth/me", headers={"x-api-key": "key-root"})
        assert me.status_code == 200 and me.json()["via"] == "custom"
        refused = await client.get("/auth/me", headers={"x-api-key": "key-unknown"})
        assert refused.status_code == 401 and refused.json()["detail"] == "unknown API key"
        # Our own keys still work beside it.
        assert (
            await client.get("/auth/me", headers={"x-api-key": create_key(app)})
        ).status_code == 200


# The user in each run ------------------------------------------------------------------------


async def test_a_run_acts_for_the_signed_in_user_whatever_the_client_sends(served: Any) -> None:
    app, client = served
    csrf = await _sign_in(client)
    forged = {
        "langgraph_auth_user_id": "admin",
        "crm_scope": {"everything": True},
        "rep_id": "REP-999",
        "tone": "brief",
    }
    body = {"assistant_id": "chat", "input": HI, "config": {"configurable": forged}}
    thread = (await client.post("/threads", json={}, headers={"x-csrf-token": csrf})).json()
    path = f"/threads/{thread['thread_id']}/runs"
    run = (await client.post(path, json=body, headers={"x-csrf-token": csrf})).json()
    configurable = run["kwargs"]["config"]["configurable"]
    user = configurable["langgraph_auth_user"]
    assert configurable["langgraph_auth_user_id"] == user["identity"] != "admin"
    assert user["name"] == "li.na" and user["roles"] == ["rep"] and user["via"] == "session"
    assert "approvals:decide" in configurable["langgraph_auth_permissions"]
    assert configurable["crm_scope"] == {
        "everything": False,
        "regions": [],
        "owner_ids": ["REP-001"],
        "teams": ["east-1"],
    }
    assert configurable["rep_id"] == "REP-001" and configurable["tone"] == "brief"


def test_answering_an_interrupt_needs_approvals_decide() -> None:
    # Every role that may run agents may decide today; the check stands for a role that may
    # run them but not decide (the policy table is data and may gain one).
    evaluator = Principal(user_id="e", name="e", roles=frozenset({"evaluator"}), via="api_key")
    actor = RunActor(principal=evaluator, scope=AccountScope.nothing())
    resume = RunCreate.model_validate({"assistant_id": "chat", "command": {"resume": "yes"}})
    with pytest.raises(ApiError) as refused:
        check_resume_allowed(actor, resume)
    assert refused.value.status_code == 403 and "approvals:decide" in refused.value.detail
    check_resume_allowed(actor, RunCreate.model_validate({"assistant_id": "chat"}))


async def test_sign_in_attempts_per_name_are_rate_limited(start: Started) -> None:
    async with start(sign_in_rate_limit="3/minute") as (app, client):
        app.state.services.database.identity.users.create_user("ann", ["rep"], password=PASSWORD)
        for _ in range(3):
            await client.post("/auth/sign-in", json={"name": "Ann", "password": "wrong"})
        limited = await client.post("/auth/sign-in", json={"name": "ann", "password": PASSWORD})
        assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1 and "'ann'" in limited.json()["detail"]
        # Another name is not held up by Ann's.
        other = await client.post("/auth/sign-in", json={"name": "bob", "password": "wrong"})
        assert other.status_code == 401
