"""Who is asking: one dependency that turns a request's credentials into a :class:`Principal`.

Credentials, tried in this order:

- ``x-api-key: crm_<id>_<secret>``: what ``langgraph_sdk.get_client(api_key=...)`` sends;
- ``Authorization: Bearer <token>``: an API key (what the OpenAI client sends), or, when SSO
  is configured, a signed JWT from the company's identity provider;
- the ``crm_session`` cookie the sign-in page sets; a change (POST, PUT, PATCH, DELETE) made
  with it must also carry the session's CSRF token as ``x-csrf-token``, so another site that
  makes the browser send the cookie cannot act in the rep's name;
- when ``CRM_AGENTS_AUTH_PATH`` names a ``langgraph_sdk.Auth`` object, its ``@auth.authenticate``
  handler, for requests that carry none of the credentials above (a LangGraph Platform user's
  own tokens keep working).

No credentials: 401 with ``WWW-Authenticate``. Each check reads the store on every request (an
HMAC and one indexed row), so revoking a key or signing out takes effect at the next request;
nothing that a revocation must invalidate is cached.
"""

from __future__ import annotations

import hmac
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from api.rate_limit import RateLimiter, client_address, rate_limited
from composition.root import AppServices
from identity.langgraph_auth import CustomAuthError, LangGraphAuth, RequestInfo
from identity.principal import Principal
from identity.sso import SSOTokenError, SSOVerifier

SESSION_COOKIE = "crm_session"
CSRF_HEADER = "x-csrf-token"
API_KEY_PREFIX = "crm_"
# Methods that change something: with a cookie they must prove they come from our own page.
CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# FastAPI's security classes read the credentials and describe them in the OpenAPI document;
# none fails on its own (auto_error=False): the one dependency below decides.
_api_key_header = APIKeyHeader(
    name="x-api-key", auto_error=False, description="An API key (`crm-agents auth create-key`)."
)
_bearer = HTTPBearer(
    auto_error=False, description="An API key, or an SSO token (a signed JWT) when SSO is set up."
)
_session_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="The session the sign-in page sets."
)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="crm-agents"'}


def unauthenticated(detail: str) -> ApiError:
    """A 401 naming what is missing or wrong, with the challenge that says what to send."""
    return ApiError(401, "unauthenticated", detail, headers=_CHALLENGE)


async def _by_api_key(services: AppServices, key: str) -> Principal:
    principal = await anyio.to_thread.run_sync(services.database.identity.api_keys.verify, key)
    if principal is None:
        raise unauthenticated("the API key is unknown, revoked or expired")
    return principal


async def _by_sso(sso: SSOVerifier, token: str) -> Principal:
    try:
        return await anyio.to_thread.run_sync(sso.verify, token)
    except SSOTokenError as exc:
        raise unauthenticated(f"the SSO token was refused: {exc.message}") from exc


async def _by_custom(custom: LangGraphAuth, request: Request) -> Principal:
    info = RequestInfo(
        method=request.method,
        path=request.url.path,
        headers=request.headers,
        query=request.query_params.multi_items(),
        path_params=request.path_params,
        request=request,
    )
    try:
        return await custom.authenticate(info)
    except CustomAuthError as exc:
        code = "unauthenticated" if exc.status_code == 401 else "forbidden"
        headers = exc.headers or (_CHALLENGE if exc.status_code == 401 else None)
        raise ApiError(exc.status_code, code, exc.detail, headers=headers) from exc


async def _by_session(services: AppServices, request: Request, token: str) -> Principal:
    found = await anyio.to_thread.run_sync(services.database.identity.sessions.lookup, token)
    if found is None:
        raise unauthenticated("the session has ended or was signed out; sign in again")
    principal, csrf = found
    # GET /auth/me hands it back to a reloaded page.
    request.state.csrf_token = csrf
    if request.method in CHANGING_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), csrf.encode()):
            raise ApiError(
                403,
                "csrf_failed",
                f"a change made with the session cookie needs the session's {CSRF_HEADER} header",
            )
    return principal


async def _count(request: Request, key: str | None) -> None:
    # The app's request limiter (server.py), which left requests with credentials to us.
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    wait = None if limiter is None or key is None else await limiter.hit(key)
    if limiter is not None and wait is not None:
        detail, headers = rate_limited(limiter, wait, per="user or API key")
        raise ApiError(429, "rate_limited", detail, headers=headers)


async def authenticate(
    request: Request,
    api_key: Annotated[str | None, Depends(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[str | None, Depends(_session_cookie)],
) -> Principal:
    """The principal the request acts for; 401 when it proves no one (see the module doc).
    The request counts against that user's rate limit, or its address's when refused."""
    try:
        principal = await _principal(request, api_key, bearer, session)
    except ApiError:
        await _count(request, client_address(request.scope))
        raise
    await _count(request, f"user:{principal.user_id}")
    return principal


async def _principal(
    request: Request,
    api_key: str | None,
    bearer: HTTPAuthorizationCredentials | None,
    session: str | None,
) -> Principal:
    services: AppServices = request.app.state.services
    token = bearer.credentials if bearer is not None else None
    credential = api_key or token
    if credential and credential.startswith(API_KEY_PREFIX):
        return await _by_api_key(services, credential)
    if token and services.sso is not None and token.count(".") == 2:
        return await _by_sso(services.sso, token)
    if session and not credential:
        return await _by_session(services, request, session)
    # Anything else is for the operator's own Auth object, when one is configured.
    if services.custom_auth is not None:
        return await _by_custom(services.custom_auth, request)
    if api_key:
        raise unauthenticated("the API key is unknown, revoked or expired")
    if token:
        raise unauthenticated(
            "the bearer token is neither an API key (crm_...) nor an SSO token this server accepts"
        )
    raise unauthenticated(
        "credentials required: an API key (x-api-key or Authorization: Bearer), an SSO token, "
        "or sign in at /sign-in"
    )


async def signed_in_or_none(
    request: Request,
    api_key: Annotated[str | None, Depends(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[str | None, Depends(_session_cookie)],
) -> Principal | None:
    """Who is asking for a page, or None when nobody proved it (the page then redirects to
    the sign-in page instead of answering 401)."""
    try:
        return await authenticate(request, api_key, bearer, session)
    except ApiError as exc:
        if exc.status_code == 401:
            return None
        raise
