"""The answers every operation may give before its own code runs, written into the OpenAPI
document from what the route declares, so a client generator or a reader of ``/docs`` sees
them on each operation and a new route cannot leave them out.

- 401 and 403 on every operation that needs credentials (its ``permission(...)`` or
  ``signed_in()`` puts the security schemes on it): 401 without valid credentials, 403 for a
  role without the permission, a cookie change without its CSRF token, or a refusal by the
  operator's Auth module;
- 429 on every operation the rate limit counts (all but ``/ok``).

The OpenAI-compatible routes answer 401 and 403 in OpenAI's error shape; the rate limit runs
before any route, so its 429 has the API's own shape everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.routing import BaseRoute

from api.errors import ERROR_DESCRIPTIONS, ErrorBody
from api.openai_errors import OpenAIErrorRoute
from api.openai_schemas import OpenAIErrorBody
from api.rate_limit import counted

_SCHEMA_REF = "#/components/schemas/{model}"
# What a client needs to read from the answer besides its body.
_HEADERS = {
    401: {"WWW-Authenticate": 'The credentials to send: `Bearer realm="crm-agents"`.'},
    429: {"Retry-After": "Seconds to wait before the next request would be accepted."},
}


def _response(status: int, body: type[BaseModel]) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {
            "application/json": {"schema": {"$ref": _SCHEMA_REF.format(model=body.__name__)}}
        },
    }
    if status in _HEADERS:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in _HEADERS[status].items()
        }
    return response


def _openai_operations(routes: Iterable[BaseRoute]) -> set[tuple[str, str]]:
    """(method, path) of the operations that answer errors in OpenAI's shape."""
    return {
        (method.lower(), str(route.path_format))
        for route in iter_route_contexts(list(routes))
        if isinstance(route.original_route, OpenAIErrorRoute)
        for method in route.methods or ()
    }


def add_access_errors(schema: dict[str, Any], routes: Iterable[BaseRoute]) -> None:
    """Document 401/403/429 on each operation of ``schema`` that can answer them; a status an
    operation documents itself (the sign-in route's own 401, 403 and 429) is kept."""
    openai = _openai_operations(routes)
    used: set[type[BaseModel]] = set()
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses: list[tuple[int, type[BaseModel]]] = []
            if operation.get("security"):
                shape: type[BaseModel] = OpenAIErrorBody if (method, path) in openai else ErrorBody
                statuses += [(401, shape), (403, shape)]
            if counted(path):
                statuses.append((429, ErrorBody))
            for status, shape in statuses:
                if str(status) not in operation["responses"]:
                    operation["responses"][str(status)] = _response(status, shape)
                    used.add(shape)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for body in used:
        body_schema = body.model_json_schema(ref_template=_SCHEMA_REF)
        for name, definition in body_schema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault(body.__name__, body_schema)


def document_access_errors(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document carry the access errors of every operation (FastAPI's
    way of extending the document: replace ``app.openapi``, keeping its cache)."""
    generate: Callable[[], dict[str, Any]] = app.openapi
    documented: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        schema = generate()
        if not documented or documented[0] is not schema:  # generated anew: routes changed
            add_access_errors(schema, app.routes)
            documented[:] = [schema]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
