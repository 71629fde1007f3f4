"""Assistants: every registered graph (read-only, id = uuid5 of the graph id) plus user-created,
versioned configurations of them. Wherever an assistant id is accepted, the graph id works too."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError

from api.assistant_schemas import (
    Assistant,
    AssistantCreate,
    AssistantFilter,
    AssistantLatest,
    AssistantPatch,
    AssistantSearch,
    AssistantVersion,
    AssistantVersionsSearch,
    GraphSchemas,
)
from api.deps import AssistantsDep
from api.errors import BODY_ERRORS, ApiError, error_responses
from api.permissions import permission
from runtime.records import AssistantRecord
from runtime.serialization import dumps

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/assistants", tags=["assistants"])

# Drawing a graph builds it, which needs the agent services (503 if they failed to load).
GRAPH_ERRORS = error_responses(404, 422, 503)


def _assistant(record: AssistantRecord) -> Assistant:
    return Assistant.model_validate(record, from_attributes=True)


def _config(config: Any) -> dict[str, Any] | None:
    return None if config is None else config.model_dump(exclude_none=True)


@router.post(
    "",
    response_model=Assistant,
    responses=error_responses(404, 409, *BODY_ERRORS),
    dependencies=[permission("assistants:write")],
)
async def create_assistant(body: AssistantCreate, assistants: AssistantsDep) -> Assistant:
    """Create an assistant over a registered graph; ``if_exists`` decides what an existing id
    does (``raise``: 409, ``do_nothing``: answer the existing one)."""
    record = await assistants.create(
        graph_id=body.graph_id,
        assistant_id=str(body.assistant_id) if body.assistant_id else None,
        config=_config(body.config),
        context=body.context,
        metadata=body.metadata,
        name=body.name,
        description=body.description,
        if_exists=body.if_exists,
    )
    return _assistant(record)


@router.post(
    "/search",
    response_model=list[Assistant],
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("assistants:read")],
)
async def search_assistants(
    assistants: AssistantsDep, response: Response, body: AssistantSearch | None = None
) -> Any:
    """Assistants filtered by graph id, name and metadata, newest first by default;
    ``X-Pagination-Next`` holds the next offset when more follow."""
    body = body or AssistantSearch()
    if body.graph_id:
        assistants.check_graph(body.graph_id)
    records, more = await assistants.search(
        graph_id=body.graph_id,
        name=body.name,
        metadata=body.metadata,
        limit=body.limit,
        offset=body.offset,
        sort_by=body.sort_by,
        sort_order=body.sort_order,
    )
    headers = {"X-Pagination-Next": str(body.offset + body.limit)} if more else {}
    found = [_assistant(record) for record in records]
    if body.select:
        selected = [
            {key: value for key, value in a.model_dump(mode="json").items() if key in body.select}
            for a in found
        ]
        return JSONResponse(selected, headers=headers)
    response.headers.update(headers)
    return found


@router.post(
    "/count",
    response_model=int,
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("assistants:read")],
)
async def count_assistants(assistants: AssistantsDep, body: AssistantFilter | None = None) -> int:
    """How many assistants match the filters."""
    body = body or AssistantFilter()
    if body.graph_id:
        assistants.check_graph(body.graph_id)
    return await assistants.count(graph_id=body.graph_id, name=body.name, metadata=body.metadata)


@router.get(
    "/{assistant_id}",
    response_model=Assistant,
    responses=error_responses(404, 422),
    dependencies=[permission("assistants:read")],
)
async def get_assistant(assistant_id: str, assistants: AssistantsDep) -> Assistant:
    """One assistant, by assistant id or graph id."""
    return _assistant(await assistants.get(assistant_id))


@router.patch(
    "/{assistant_id}",
    response_model=Assistant,
    responses=error_responses(404, 409, *BODY_ERRORS),
    dependencies=[permission("assistants:write")],
)
async def update_assistant(
    assistant_id: str, body: AssistantPatch, assistants: AssistantsDep
) -> Assistant:
    """Save a new version: given fields replace the current ones, metadata is merged. The
    default assistants of registered graphs are read-only (409)."""
    record = await assistants.update(
        assistant_id,
        graph_id=body.graph_id,
        config=_config(body.config),
        context=body.context,
        metadata=body.metadata,
        name=body.name,
        description=body.description,
    )
    return _assistant(record)


@router.delete(
    "/{assistant_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 409, 422),
    dependencies=[permission("assistants:write")],
)
async def delete_assistant(
    assistant_id: str, assistants: AssistantsDep, delete_threads: bool = False
) -> Response:
    """Delete an assistant and its versions; ``delete_threads`` also deletes the threads it ran
    on. The default assistants of registered graphs cannot be deleted (409)."""
    await assistants.delete(assistant_id, delete_threads=delete_threads)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{assistant_id}/versions",
    response_model=list[AssistantVersion],
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("assistants:read")],
)
async def list_assistant_versions(
    assistant_id: str, assistants: AssistantsDep, body: AssistantVersionsSearch | None = None
) -> list[AssistantVersion]:
    """The assistant's versions, newest first, optionally filtered by metadata."""
    body = body or AssistantVersionsSearch()
    records = await assistants.versions(
        assistant_id, metadata=body.metadata, limit=body.limit, offset=body.offset
    )
    return [AssistantVersion.model_validate(r, from_attributes=True) for r in records]


@router.post(
    "/{assistant_id}/latest",
    response_model=Assistant,
    responses=error_responses(404, 409, *BODY_ERRORS),
    dependencies=[permission("assistants:write")],
)
async def set_latest_assistant_version(
    assistant_id: str, body: AssistantLatest, assistants: AssistantsDep
) -> Assistant:
    """Make a saved version the assistant's current one."""
    return _assistant(await assistants.set_latest(assistant_id, body.version))


@router.get(
    "/{assistant_id}/graph",
    responses=GRAPH_ERRORS,
    dependencies=[permission("assistants:read")],
)
async def get_assistant_graph(
    assistant_id: str,
    assistants: AssistantsDep,
    xray: bool | int = Query(False, description="true, or how many subgraph levels to draw."),
) -> Response:
    """The graph's nodes and edges (LangGraph's drawable JSON)."""
    if not isinstance(xray, bool) and xray <= 0:
        raise ApiError(422, "invalid_request", "xray (query parameter): must be true, false or > 0")
    assistant, graph = await assistants.compiled_graph(assistant_id)
    drawable = graph.get_graph(config=dict(assistant.config) or None, xray=xray)
    return Response(dumps(drawable.to_json()), media_type="application/json")


@router.get(
    "/{assistant_id}/schemas",
    response_model=GraphSchemas,
    responses=GRAPH_ERRORS,
    dependencies=[permission("assistants:read")],
)
async def get_assistant_schemas(assistant_id: str, assistants: AssistantsDep) -> Response:
    """JSON schemas of the graph's input, output, state, config and context."""
    assistant, graph = await assistants.compiled_graph(assistant_id)
    schemas = {"graph_id": assistant.graph_id, **_graph_schemas(graph)}
    return Response(dumps(schemas), media_type="application/json")


@router.get(
    "/{assistant_id}/subgraphs",
    response_model=dict[str, GraphSchemas],
    responses=GRAPH_ERRORS,
    dependencies=[permission("assistants:read")],
)
async def get_assistant_subgraphs(
    assistant_id: str, assistants: AssistantsDep, recurse: bool = False
) -> Response:
    """Schemas of the graph's subgraphs, by namespace (``recurse`` for nested ones)."""
    return await _subgraphs(assistants, assistant_id, None, recurse)


@router.get(
    "/{assistant_id}/subgraphs/{namespace}",
    response_model=dict[str, GraphSchemas],
    responses=GRAPH_ERRORS,
    dependencies=[permission("assistants:read")],
)
async def get_assistant_subgraphs_in(
    assistant_id: str, namespace: str, assistants: AssistantsDep, recurse: bool = False
) -> Response:
    """Schemas of the subgraphs under ``namespace``."""
    return await _subgraphs(assistants, assistant_id, namespace, recurse)


async def _subgraphs(
    assistants: AssistantsDep, assistant_id: str, namespace: str | None, recurse: bool
) -> Response:
    assistant, graph = await assistants.compiled_graph(assistant_id)
    found = {
        name: {"graph_id": assistant.graph_id, **_graph_schemas(subgraph)}
        async for name, subgraph in graph.aget_subgraphs(namespace=namespace, recurse=recurse)
    }
    return Response(dumps(found), media_type="application/json")


def _graph_schemas(graph: Any) -> dict[str, Any]:
    return {
        "input_schema": _schema(graph.get_input_jsonschema),
        "output_schema": _schema(graph.get_output_jsonschema),
        "state_schema": _schema(lambda: _state_schema(graph)),
        # LangGraph 1.x deprecates config schemas in favour of the context schema.
        "config_schema": None,
        "context_schema": _schema(getattr(graph, "get_context_jsonschema", lambda: None)),
    }


def _schema(make: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    # Best effort, as on the LangGraph server: some state types have no JSON schema (e.g.
    # typing.TypedDict on Python 3.11 for pydantic); the graph still runs, the schema is null.
    try:
        return make()
    except (PydanticUserError, PydanticSchemaGenerationError, TypeError, ValueError) as exc:
        logger.debug("no JSON schema: %s", exc)
        return None


def _state_schema(graph: Any) -> dict[str, Any] | None:
    schema = getattr(getattr(graph, "builder", None), "state_schema", None)
    return None if schema is None else TypeAdapter(schema).json_schema()
