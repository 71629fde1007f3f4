"""The served OpenAPI schema documents every route: summary, tags and its error responses."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from server import create_app

BODY_METHODS = {"post", "put", "patch"}
METHODS = BODY_METHODS | {"get", "delete"}
ERROR_REF = "#/components/schemas/ErrorBody"
OPENAI_ERROR_REF = "#/components/schemas/OpenAIErrorBody"
# Conflicts a rule cannot infer: where the API answers 409, per the docs.
UNCOUNTED = {"/ok"}  # what the rate limit does not count
CONFLICTS = {
    ("post", "/threads"),
    ("post", "/threads/{thread_id}/runs"),
    ("post", "/threads/{thread_id}/runs/stream"),
    ("post", "/threads/{thread_id}/runs/wait"),
    ("post", "/threads/{thread_id}/runs/{run_id}/cancel"),
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("openapi")), graphs={})
    # No lifespan: the schema needs no runtime, and serving it must not either.
    response = TestClient(app).get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _expected_errors(method: str, path: str, operation: dict[str, Any]) -> set[str]:
    expected: set[str] = set()
    parameters = operation.get("parameters", [])
    if any(p["in"] == "path" for p in parameters):
        expected.add("404")
    if method in BODY_METHODS:
        expected |= {"413", "415"}  # the body guard answers these on every such route
    if parameters or "requestBody" in operation:
        expected.add("422")
    if (method, path) in CONFLICTS:
        expected.add("409")
    if operation.get("security"):
        expected |= {"401", "403"}  # no or bad credentials; a role, CSRF or Auth-module refusal
    if path not in UNCOUNTED:
        expected.add("429")  # the rate limit counts every request but the health check's
    return expected


def test_the_schema_lists_the_core_routes(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    for path in (
        "/ok",
        "/threads",
        "/threads/{thread_id}/runs/stream",
        "/runs/wait",
        "/assistants/search",
        "/v1/chat/completions",
        "/v1/models",
    ):
        assert path in paths, path


def test_every_operation_has_a_summary_tags_and_a_unique_id(schema: dict[str, Any]) -> None:
    ids = []
    for method, path, operation in _operations(schema):
        assert operation.get("summary"), f"{method} {path} has no summary"
        assert operation.get("tags"), f"{method} {path} has no tags"
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))


def test_every_operation_documents_its_error_responses(schema: dict[str, Any]) -> None:
    missing = {
        f"{method.upper()} {path}": sorted(expected - set(operation["responses"]))
        for method, path, operation in _operations(schema)
        if (expected := _expected_errors(method, path, operation)) - set(operation["responses"])
    }
    assert not missing, f"undocumented error responses: {missing}"


def test_error_responses_use_the_api_error_body(schema: dict[str, Any]) -> None:
    wrong = []
    for method, path, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            # /v1 routes answer in OpenAI's shape, except the middleware's 413/415 (body
            # guard) and 429 (rate limit), which answer before any route.
            openai = path.startswith("/v1/") and status not in ("413", "415", "429")
            expected_ref = OPENAI_ERROR_REF if openai else ERROR_REF
            ref = response.get("content", {}).get("application/json", {}).get("schema", {})
            if ref.get("$ref") != expected_ref:
                wrong.append(f"{method.upper()} {path} {status}: {ref}")
    assert not wrong, "error responses without the error body:\n" + "\n".join(wrong)
    components = schema["components"]["schemas"]
    assert "HTTPValidationError" not in components  # FastAPI's default 422 shape is not ours
    assert set(components["ErrorBody"]["required"]) == {"detail", "code"}
    assert set(components["OpenAIErrorBody"]["properties"]) == {"error"}


def test_every_operation_that_needs_credentials_says_so(schema: dict[str, Any]) -> None:
    open_operations = {
        f"{method.upper()} {path}"
        for method, path, operation in _operations(schema)
        if not operation.get("security")
    }
    assert open_operations == {"GET /ok", "POST /auth/sign-in"}


def test_a_401_names_its_challenge_and_a_429_when_to_retry(schema: dict[str, Any]) -> None:
    threads = schema["paths"]["/threads"]["post"]["responses"]
    assert "WWW-Authenticate" in threads["401"]["headers"]
    assert "Retry-After" in threads["429"]["headers"]
    chat = schema["paths"]["/v1/chat/completions"]["post"]["responses"]
    assert chat["401"]["content"]["application/json"]["schema"]["$ref"] == OPENAI_ERROR_REF
    assert chat["429"]["content"]["application/json"]["schema"]["$ref"] == ERROR_REF
