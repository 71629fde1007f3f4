"""One error shape for the whole API, ``{"detail": "...", "code": "..."}``, and the handlers that
translate every exception into it."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from graphs.errors import UnknownGraph
from runtime.errors import (
    AssistantExists,
    AssistantNotFound,
    AssistantReadOnly,
    AssistantVersionNotFound,
    CheckpointNotFound,
    GraphNotFound,
    InvalidAssistantConfig,
    InvalidStateUpdate,
    RunActive,
    RunNotActive,
    RunNotFound,
    RuntimeLayerError,
    ServicesUnavailable,
    ThreadBusy,
    ThreadExists,
    ThreadHasNoGraph,
    ThreadNotFound,
    UnsupportedRunOption,
    WebhookRefused,
)

logger = logging.getLogger(__name__)

# Stable codes for HTTP errors raised by the framework itself (unknown route, wrong method...).
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    503: "unavailable",
}

_RUNTIME_STATUS: dict[type[RuntimeLayerError], int] = {
    ThreadNotFound: 404,
    RunNotFound: 404,
    ThreadExists: 409,
    ThreadBusy: 409,
    UnsupportedRunOption: 422,
    RunActive: 409,
    RunNotActive: 409,
    ServicesUnavailable: 503,
    AssistantNotFound: 404,
    AssistantVersionNotFound: 404,
    GraphNotFound: 404,
    CheckpointNotFound: 404,
    AssistantExists: 409,
    AssistantReadOnly: 409,
    ThreadHasNoGraph: 409,
    InvalidAssistantConfig: 422,
    InvalidStateUpdate: 422,
    WebhookRefused: 422,
}


_UNION_TAG = re.compile(r"^(?:[\w-]+\[.*\]|str|int|float|bool|none)$")


class ApiError(Exception):
    """An error raised by a route, already carrying its status and code."""

    def __init__(
        self,
        status_code: int,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.code = code
        self.detail = detail
        # e.g. WWW-Authenticate on a 401, so a client knows which credentials to send.
        self.headers = headers


def error_response(
    status_code: int, code: str, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The API's error body."""
    return JSONResponse({"detail": detail, "code": code}, status_code=status_code, headers=headers)


class ErrorBody(BaseModel):
    """The body of every error response."""

    detail: str = Field(description="What went wrong, naming the field, id or limit involved.")
    code: str = Field(description="A stable machine-readable code, e.g. `thread_not_found`.")


# What each status means on this API, for the OpenAPI schema.
ERROR_DESCRIPTIONS = {
    400: "The request is malformed (e.g. a Content-Length that is not a number).",
    401: "No credentials, or credentials that are unknown, revoked or expired (the detail "
    "says which); send an API key (`x-api-key` or `Authorization: Bearer`), an SSO token or "
    "the sign-in session cookie.",
    403: "Signed in, but the role does not allow this (the detail names the permission), a "
    "cookie-authenticated change without its `x-csrf-token`, or a refusal by the operator's "
    "Auth module (CRM_AGENTS_AUTH_PATH).",
    429: "Too many requests, or too many failed sign-ins (Retry-After says when to retry).",
    404: "An id in the path or body names nothing (the id is named).",
    409: "Conflict with the current state (the detail says which).",
    413: "The body is larger than CRM_AGENTS_MAX_REQUEST_BYTES.",
    415: "The body is not application/json.",
    422: "Malformed JSON, a wrong or missing field (named), or an unsupported option.",
    503: "The agent services (CRM store, memory, model) failed to load.",
}

BODY_ERRORS = (413, 415, 422)
"""What the body guard and validation answer on any route that reads a JSON body."""


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status documented with :class:`ErrorBody`."""
    return {
        status: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[status]}
        for status in sorted(set(statuses))
    }


def describe_validation_errors(errors: Sequence[Any]) -> tuple[str, str]:
    """``(code, detail)`` for pydantic errors: each problem named by its field, in one line."""
    problems: list[str] = []
    for error in errors:
        # Union branches add their type to the location ("update.dict[str,any]"): drop it.
        location = [str(part) for part in error.get("loc", ()) if not _UNION_TAG.match(str(part))]
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "invalid JSON")
            position = location[1] if len(location) > 1 else "?"
            return "malformed_json", f"malformed JSON body: {reason} (at character {position})"
        where = location[0] if location else "body"
        field = ".".join(location[1:]) if where in ("body", "query", "path", "header") else ""
        name = field or ("request body" if where == "body" else where)
        if where in ("query", "path", "header") and field:
            name = f"{field} ({where} parameter)"
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        problems.append(f"{name}: {message}")
    return "invalid_request", "; ".join(dict.fromkeys(problems)) or "invalid request"


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    code, detail = describe_validation_errors(exc.errors())
    return error_response(422, code, detail)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status_code, exc.code, exc.detail, headers=exc.headers)


async def _unknown_graph(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnknownGraph)
    return error_response(404, "assistant_not_found", f"assistant {exc.graph_id!r} not found")


async def _runtime_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RuntimeLayerError)
    status = next((s for kind, s in _RUNTIME_STATUS.items() if isinstance(exc, kind)), 500)
    if status == 500:
        logger.error("unmapped runtime error", exc_info=exc)
    return error_response(status, exc.code, str(exc))


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    # A bug: logged with its traceback; the client gets the shape, not the internals.
    logger.error("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception the app can raise to the single error shape."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(UnknownGraph, _unknown_graph)
    app.add_exception_handler(RuntimeLayerError, _runtime_error)
    app.add_exception_handler(Exception, _unexpected)


ErrorMap = Mapping[type[Exception], "int | tuple[int, str]"]


async def call_in_thread(
    function: Callable[..., Any], /, *, errors: ErrorMap, **kwargs: Any
) -> Any:
    """Run a blocking store call in a worker thread and turn the domain errors in ``errors``
    into API errors: the status, and the given code or else the exception's own ``code``.
    The first matching entry wins; anything else propagates (a 5xx is a bug)."""
    try:
        return await anyio.to_thread.run_sync(functools.partial(function, **kwargs))
    except tuple(errors) as exc:
        for kind, target in errors.items():
            if isinstance(exc, kind):
                status, code = target if isinstance(target, tuple) else (target, exc.code)  # type: ignore[attr-defined]
                raise ApiError(status, code, str(exc)) from exc
        raise
