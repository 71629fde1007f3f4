"""Errors of the OpenAI-compatible routes in OpenAI's shape,
``{"error": {"message", "type", "param", "code"}}``, so its clients raise the right exception.

The app's own handlers still decide each error's status and message; the route class below
only reshapes their answer, so every error the rest of the API knows keeps its status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api.openai_schemas import OpenAIErrorBody

# OpenAI's error types by status; any other 4xx is a request error, any 5xx a server error.
_OPENAI_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


def openai_error(
    status: int,
    message: str,
    code: str,
    *,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An error in OpenAI's shape; server errors tell the client not to retry (a retry would
    run the agent again). ``headers`` keep what the app's handler set (WWW-Authenticate,
    Retry-After)."""
    body = {
        "error": {
            "message": message,
            "type": _OPENAI_TYPES.get(
                status, "server_error" if status >= 500 else "invalid_request_error"
            ),
            "param": param,
            "code": code,
        }
    }
    kept = dict(headers or {})
    if status >= 500:
        kept["x-should-retry"] = "false"
    return JSONResponse(body, status_code=status, headers=kept or None)


class OpenAIErrorRoute(APIRoute):
    """A route whose errors take OpenAI's shape: the app's handlers decide status and message
    (so every error the rest of the API knows keeps its status), this only reshapes them."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handle(request)
            except Exception as exc:
                translate = _app_handler(request, exc)
                if translate is None:
                    raise
                shaped = await translate(request, exc)
                return _reshape(shaped, exc)

        return route


def _app_handler(request: Request, exc: Exception) -> Callable[..., Awaitable[Response]] | None:
    handlers: Mapping[Any, Any] = request.app.exception_handlers
    return next((handlers[kind] for kind in type(exc).__mro__ if kind in handlers), None)


def _reshape(response: Response, exc: Exception) -> Response:
    try:
        payload = orjson.loads(bytes(response.body))
    except orjson.JSONDecodeError:
        return response
    code = str(payload.get("code") or "error")
    # OpenAI answers 400 to a body it cannot parse; a parsable but wrong body stays 422.
    status = 400 if code == "malformed_json" else response.status_code
    param = _param_of(exc)
    kept = {
        name: response.headers[name]
        for name in ("www-authenticate", "retry-after")
        if name in response.headers
    }
    return openai_error(status, str(payload.get("detail", "")), code, param=param, headers=kept)


def _param_of(exc: Exception) -> str | None:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return None
    for error in errors():
        location = [str(part) for part in error.get("loc", ())]
        if len(location) > 1 and location[0] == "body" and error.get("type") != "json_invalid":
            return ".".join(location[1:3])
    return None


_DESCRIPTIONS = {
    400: "The body is not valid JSON.",
    404: "No agent has this model name (assistant id or graph id).",
    422: "A field or parameter is missing or wrong; `param` names a body field.",
    500: "The agent's run failed.",
}


def openai_error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a ``/v1`` route: each status documented with OpenAI's error body."""
    return {
        status: {"model": OpenAIErrorBody, "description": _DESCRIPTIONS[status]}
        for status in statuses
    }
