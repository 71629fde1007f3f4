"""Signing in on the pages: ``POST /auth/sign-in``, ``POST /auth/sign-out``, ``GET /auth/me``.

A successful sign-in sets the session cookie (HttpOnly, so page scripts cannot read it;
SameSite=Strict, so other sites cannot make the browser send it; Secure when served over
https) and answers the session's CSRF token in the body. The page sends that token back as
``x-csrf-token`` on every change it makes; ``GET /auth/me`` answers it again after a reload.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi import status as http_status
from pydantic import BaseModel, Field

from api.authentication import SESSION_COOKIE
from api.deps import AppServicesDep, PrincipalDep
from api.errors import BODY_ERRORS, ApiError, error_responses
from api.permissions import anyone, signed_in
from api.rate_limit import RateLimiter
from identity.errors import AccountDisabled, AccountLocked, SignInFailed
from identity.principal import Principal

router = APIRouter(prefix="/auth", tags=["auth"])


class SignIn(BaseModel):
    """Body of ``POST /auth/sign-in``."""

    name: str = Field(min_length=1, max_length=120, description="The sign-in name.")
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    """Who is signed in, and what the page needs to act as them."""

    user_id: str
    name: str
    display_name: str | None = None
    roles: list[str]
    team: str | None = None
    territories: list[str]
    rep_id: str | None = None
    via: str = Field(description="session, api_key, sso or custom: how the request proved it.")
    csrf_token: str | None = Field(
        None,
        description="With a session: the token to send as `x-csrf-token` on every change.",
    )


def _me(principal: Principal, csrf_token: str | None = None) -> Me:
    return Me(
        user_id=principal.user_id,
        name=principal.name,
        display_name=principal.display_name,
        roles=sorted(principal.roles),
        team=principal.team,
        territories=list(principal.territories),
        rep_id=principal.rep_id,
        via=principal.via,
        csrf_token=csrf_token,
    )


def _sign_in_limiter(request: Request) -> RateLimiter:
    """Attempts per sign-in name (``CRM_AGENTS_SIGN_IN_RATE_LIMIT``), counted in this process
    before any password is checked, so guessing is slow even across many addresses; built at
    the first sign-in and kept with the app."""
    limiter: RateLimiter | None = getattr(request.app.state, "sign_in_limiter", None)
    if limiter is None:
        settings = request.app.state.services.settings
        limiter = RateLimiter(settings.sign_in_rate_limit)
        request.app.state.sign_in_limiter = limiter
    return limiter


@router.post(
    "/sign-in",
    response_model=Me,
    summary="Sign in with a name and password",
    responses=error_responses(401, 403, 429, *BODY_ERRORS),
    dependencies=[anyone()],
)
async def sign_in(
    body: SignIn, request: Request, response: Response, services: AppServicesDep
) -> Me:
    """Check the password; set the session cookie and answer the CSRF token. A wrong name or
    password gets the same 401; too many failures lock the account for a while, and too many
    attempts for one name are refused before any check (both 429 with Retry-After); a
    disabled account gets 403 once its password is right."""
    identity = services.database.identity
    attempts = f"sign-in:{body.name.strip().lower()}"
    wait = await _sign_in_limiter(request).hit(attempts)
    if wait is not None:
        raise ApiError(
            429,
            "rate_limited",
            f"too many sign-in attempts for {body.name!r}: try again in {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    try:
        principal = await anyio.to_thread.run_sync(identity.users.sign_in, body.name, body.password)
    except SignInFailed as exc:
        raise ApiError(401, exc.code, str(exc)) from exc
    except AccountLocked as exc:
        seconds = max(1, int((exc.until - datetime.now(UTC)).total_seconds()))
        raise ApiError(429, exc.code, str(exc), headers={"Retry-After": str(seconds)}) from exc
    except AccountDisabled as exc:
        raise ApiError(403, exc.code, str(exc)) from exc
    token, csrf = await anyio.to_thread.run_sync(identity.sessions.create, principal)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(services.settings.session_hours * 3600),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return _me(principal, csrf)


@router.post(
    "/sign-out",
    status_code=http_status.HTTP_204_NO_CONTENT,
    summary="Sign out",
    responses=error_responses(401, 403, 413, 415),
    dependencies=[signed_in()],
)
async def sign_out(request: Request, services: AppServicesDep) -> Response:
    """End the session of the cookie (at once, on every replica) and clear the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await anyio.to_thread.run_sync(services.database.identity.sessions.revoke, token)
    response = Response(status_code=http_status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get(
    "/me",
    response_model=Me,
    summary="Who is signed in",
    responses=error_responses(401),
    dependencies=[signed_in()],
)
async def me(principal: PrincipalDep, request: Request) -> Me:
    """The signed-in user (or the application of the API key); with a session, its CSRF
    token, so a reloaded page can go on making changes."""
    return _me(principal, getattr(request.state, "csrf_token", None))
