"""A LangGraph Platform auth module works unchanged: its handlers are called as the LangGraph
server calls them (parameters by name, most specific handler first, allow/deny/filter)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import Auth
from starlette.requests import Request

from core.settings import Settings
from identity.langgraph_auth import (
    AuthDecision,
    CustomAuthConfigurationError,
    CustomAuthError,
    LangGraphAuth,
    RequestInfo,
    filter_matches,
    handler_key,
    langgraph_auth_from_settings,
    load_auth_object,
)
from identity.principal import Principal

AUTH_PATH = "tests.support.custom_langgraph_auth:auth"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def custom() -> LangGraphAuth:
    return LangGraphAuth.load(AUTH_PATH)


def _request(key: str | None, **parts: Any) -> RequestInfo:
    headers = {"X-Api-Key": key} if key is not None else {}
    return RequestInfo(method="POST", path="/threads", headers=headers, **parts)


def _sign_in(custom: LangGraphAuth, key: str) -> Principal:
    return asyncio.run(custom.authenticate(_request(key)))


def _decide(
    custom: LangGraphAuth, who: Principal, resource: Any, action: str, value: dict[str, Any]
) -> AuthDecision:
    return asyncio.run(custom.authorize(who, resource, action, value))


# Authentication


def test_dict_user_becomes_a_principal_with_roles_from_permissions(custom: LangGraphAuth) -> None:
    alice = _sign_in(custom, "key-alice")
    assert alice.user_id == "alice"
    assert alice.via == "custom"
    assert alice.roles == frozenset({"rep"})
    assert alice.team == "east-1"
    assert alice.territories == ("East",)
    assert alice.display_name == "Alice Wang"
    assert alice.extra["permissions"] == ("role:rep", "threads:write")


def test_roles_also_come_from_a_roles_field(custom: LangGraphAuth) -> None:
    assert _sign_in(custom, "key-bob").roles == frozenset({"manager", "evaluator"})


def test_a_plain_user_id_is_a_user_without_roles(custom: LangGraphAuth) -> None:
    carol = _sign_in(custom, "key-carol")
    assert (carol.user_id, carol.roles, carol.display_name) == ("carol", frozenset(), None)


@pytest.mark.parametrize(
    ("key", "detail"), [(None, "missing x-api-key"), ("key-stolen", "unknown API key")]
)
def test_authenticate_handler_refusal_keeps_its_401(
    custom: LangGraphAuth, key: str | None, detail: str
) -> None:
    with pytest.raises(CustomAuthError) as caught:
        asyncio.run(custom.authenticate(_request(key)))
    assert (caught.value.status_code, caught.value.detail) == (401, detail)


def test_handler_gets_the_request_parts_it_names() -> None:
    seen: dict[str, Any] = {}
    auth = Auth()

    @auth.authenticate
    async def authenticate(
        method: str,
        path: str,
        headers: dict[bytes, bytes],
        authorization: str | None,
        query_params: Any,
        path_params: dict[str, str],
        request: Request,
        body: Any,
        user: Any,
        scopes: list[str],
    ) -> Any:
        seen.update(locals())
        return {"identity": "u1", "permissions": ["role:admin"], "is_authenticated": True}

    info = RequestInfo(
        method="get",
        path="/threads/t1",
        headers={"Authorization": "Bearer abc", "X-Trace": "7"},
        query=[("limit", "5"), ("tag", "a"), ("tag", "b")],
        path_params={"thread_id": "t1"},
        body={"q": 1},
    )
    principal = asyncio.run(LangGraphAuth(auth).authenticate(info))
    assert principal.roles == frozenset({"admin"})
    assert seen["method"] == "GET" and seen["path"] == "/threads/t1"
    assert seen["headers"][b"x-trace"] == b"7"
    assert seen["authorization"] == "Bearer abc"
    assert seen["query_params"].getlist("tag") == ["a", "b"]
    assert seen["path_params"] == {"thread_id": "t1"}
    assert seen["request"].headers["authorization"] == "Bearer abc"
    assert seen["request"].query_params["limit"] == "5"
    assert seen["body"] == {"q": 1}
    assert (seen["user"], seen["scopes"]) == (None, [])


def test_the_real_request_is_passed_through_when_given() -> None:
    auth = Auth()
    real = Request({"type": "http", "method": "GET", "path": "/ok", "headers": []})

    @auth.authenticate
    async def authenticate(request: Request) -> str:
        assert request is real
        return "u1"

    info = RequestInfo(method="GET", path="/ok", request=real)
    assert asyncio.run(LangGraphAuth(auth).authenticate(info)).user_id == "u1"


def test_sync_handler_object_user_and_permissions_pair() -> None:
    class Account:
        identity = "svc-1"
        display_name = "Nightly export"
        roles = ("application",)

    auth = Auth()

    @auth.authenticate  # type: ignore[type-var]
    def authenticate() -> tuple[list[str], Account]:
        return ["export"], Account()

    principal = asyncio.run(LangGraphAuth(auth).authenticate(_request(None)))
    assert (principal.user_id, principal.display_name) == ("svc-1", "Nightly export")
    assert principal.roles == frozenset({"application"})
    assert principal.extra["permissions"] == ("export",)


@pytest.mark.parametrize(
    ("returned", "words"),
    [({"name": "no identity"}, "without an identity"), (("a", "b", "c"), "tuple of 3")],
)
def test_handler_returning_nonsense_is_a_configuration_error(returned: Any, words: str) -> None:
    auth = Auth()

    @auth.authenticate
    async def authenticate() -> Any:
        return returned

    with pytest.raises(CustomAuthConfigurationError, match=words):
        asyncio.run(LangGraphAuth(auth).authenticate(_request(None)))


# Loading


def test_loads_from_a_file_path_as_langgraph_json_does() -> None:
    path = f"{ROOT / 'tests/support/custom_langgraph_auth.py'}:auth"
    assert isinstance(load_auth_object(path), Auth)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("tests.support.custom_langgraph_auth", "must look like"),
        ("tests.support.no_such_module:auth", "cannot import"),
        ("./no/such/file.py:auth", "cannot import"),
        ("tests.support.custom_langgraph_auth:nothing", "has no nothing"),
        ("tests.support.custom_langgraph_auth:USERS", "not a langgraph_sdk.Auth"),
    ],
)
def test_bad_auth_paths_are_named(path: str, words: str) -> None:
    with pytest.raises(CustomAuthConfigurationError, match=words):
        LangGraphAuth.load(path)


def test_auth_without_authenticate_handler_is_refused() -> None:
    with pytest.raises(CustomAuthConfigurationError, match="no @auth.authenticate"):
        LangGraphAuth(Auth())


def test_handler_asking_for_an_unknown_parameter_is_refused() -> None:
    auth = Auth()

    @auth.authenticate
    async def authenticate(tenant: str) -> str:
        return tenant

    with pytest.raises(CustomAuthConfigurationError, match="asks for tenant"):
        LangGraphAuth(auth)


def test_settings_name_the_auth_object() -> None:
    assert langgraph_auth_from_settings(Settings()) is None
    loaded = langgraph_auth_from_settings(Settings(auth_path=AUTH_PATH))
    assert loaded is not None
    assert loaded.handler_for("threads", "read") is not None


# Authorization


def test_thread_create_stamps_the_owner_and_filters(custom: LangGraphAuth) -> None:
    value: dict[str, Any] = {"thread_id": "t1", "metadata": {"topic": "tender"}}
    decision = _decide(custom, _sign_in(custom, "key-alice"), "threads", "create", value)
    assert decision == AuthDecision(allowed=True, filters={"owner": "alice"})
    assert value["metadata"] == {"topic": "tender", "owner": "alice"}


def test_thread_read_filter_keeps_others_threads_out(custom: LangGraphAuth) -> None:
    decision = _decide(custom, _sign_in(custom, "key-bob"), "threads", "read", {"thread_id": "t1"})
    assert decision.allowed and decision.filters == {"owner": "bob"}
    assert filter_matches(decision.filters, {"owner": "bob", "topic": "x"})
    assert not filter_matches(decision.filters, {"owner": "alice"})
    assert not filter_matches(decision.filters, {})


def test_runs_are_authorized_as_their_threads_create_run(custom: LangGraphAuth) -> None:
    value = {"thread_id": "t1", "assistant_id": "supervisor"}
    alice = _decide(custom, _sign_in(custom, "key-alice"), "runs", "create", value)
    assert alice.filters == {"owner": "alice"}
    bob = _decide(custom, _sign_in(custom, "key-bob"), "runs", "create", value)
    assert (bob.allowed, bob.status_code, bob.detail) == (False, 403, "Forbidden")
    # Reading or cancelling a run is the thread's read or update: the owner filter again.
    assert _decide(custom, _sign_in(custom, "key-bob"), "runs", "read", value).filters == {
        "owner": "bob"
    }
    assert handler_key("runs", "cancel") == ("threads", "update")


def test_store_writes_are_denied_with_the_handlers_reason(custom: LangGraphAuth) -> None:
    root = _sign_in(custom, "key-root")
    put = _decide(custom, root, "store", "put", {"namespace": ("notes",), "key": "k"})
    assert (put.allowed, put.status_code, put.detail) == (False, 403, "the store is read-only")
    delete = _decide(custom, root, "store", "delete", {"namespace": ("notes",), "key": "k"})
    assert (delete.allowed, delete.status_code) == (False, 403)
    assert _decide(custom, root, "store", "get", {"namespace": ("notes",), "key": "k"}).allowed


def test_most_specific_handler_wins(custom: LangGraphAuth) -> None:
    alice = _sign_in(custom, "key-alice")
    root = _sign_in(custom, "key-root")
    # (threads, *) beats (*, delete): alice may delete her own threads.
    assert _decide(custom, alice, "threads", "delete", {}).filters == {"owner": "alice"}
    # (*, delete) beats the global handler: only admins delete crons.
    assert not _decide(custom, alice, "crons", "delete", {}).allowed
    assert _decide(custom, root, "crons", "delete", {}) == AuthDecision.allow()
    # Nothing more specific: the global handler.
    assert _decide(custom, alice, "crons", "read", {}) == AuthDecision.allow()


def test_failed_assert_in_a_handler_is_a_403(custom: LangGraphAuth) -> None:
    decision = _decide(custom, _sign_in(custom, "key-mallory"), "assistants", "read", {})
    assert (decision.allowed, decision.status_code) == (False, 403)
    assert decision.detail is not None and decision.detail.startswith("mallory is suspended")


def test_contains_filter(custom: LangGraphAuth) -> None:
    decision = _decide(custom, _sign_in(custom, "key-bob"), "assistants", "search", {})
    assert decision.filters == {"shared_with": {"$contains": "bob"}}
    assert filter_matches(decision.filters, {"shared_with": ["alice", "bob"]})
    assert not filter_matches(decision.filters, {"shared_with": ["alice"]})
    assert not filter_matches(decision.filters, {"shared_with": "bob"})


def test_filter_operators() -> None:
    metadata = {"owner": "u1", "tags": ["east", "vip"], "org": "acme"}
    assert filter_matches({}, metadata)
    assert filter_matches({"owner": {"$eq": "u1"}, "org": "acme"}, metadata)
    assert not filter_matches({"owner": {"$eq": "u1"}, "org": "other"}, metadata)
    assert filter_matches({"tags": {"$contains": ["east", "vip"]}}, metadata)
    assert not filter_matches({"tags": {"$contains": ["east", "west"]}}, metadata)
    with pytest.raises(CustomAuthConfigurationError, match=r"\$eq"):
        filter_matches({"owner": {"$ne": "u1"}}, metadata)


def test_principals_signed_in_otherwise_meet_the_same_handlers(custom: LangGraphAuth) -> None:
    admin = Principal(user_id="u9", name="ops", roles=frozenset({"admin"}), via="sso")
    rep = Principal(user_id="u7", name="li", roles=frozenset({"rep"}), via="api_key")
    assert _decide(custom, admin, "crons", "delete", {}).allowed
    assert not _decide(custom, rep, "crons", "delete", {}).allowed
    assert _decide(custom, rep, "threads", "search", {}).filters == {"owner": "u7"}


def _everyone_is_u1() -> Auth:
    auth = Auth()

    @auth.authenticate
    async def authenticate() -> str:
        return "u1"

    return auth


def test_no_handler_at_all_allows_as_on_the_langgraph_server() -> None:
    custom = LangGraphAuth(_everyone_is_u1())
    who = asyncio.run(custom.authenticate(_request(None)))
    assert _decide(custom, who, "threads", "create", {}) == AuthDecision.allow()


@pytest.mark.parametrize(
    ("returned", "words"),
    [("yes", "returned str"), ({"owner": {"$regex": ".*"}}, "must be one of")],
)
def test_handler_answer_that_is_not_a_decision_is_a_configuration_error(
    returned: Any, words: str
) -> None:
    auth = _everyone_is_u1()

    @auth.on
    async def answer(ctx: Auth.types.AuthContext, value: Any) -> Any:
        return returned

    custom = LangGraphAuth(auth)
    who = asyncio.run(custom.authenticate(_request(None)))
    with pytest.raises(CustomAuthConfigurationError, match=words):
        _decide(custom, who, "threads", "read", {})


@pytest.mark.parametrize(
    ("resource", "action"),
    [("threads", "put"), ("store", "create"), ("runs", "create_run"), ("webhooks", "read")],
)
def test_unknown_resource_or_action_is_a_programming_error(resource: Any, action: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        handler_key(resource, action)
