"""Assistants: one per registered graph, with the LangGraph server's stable uuid5 ids."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError

from api.deps import CatalogDep, RuntimeDep
from api.schemas import Assistant, AssistantSearch
from graphs.registry import GraphSpec
from runtime.serialization import dumps

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/assistants", tags=["assistants"])


def _assistant(spec: GraphSpec, created_at: datetime) -> Assistant:
    return Assistant(
        assistant_id=spec.assistant_id,
        graph_id=spec.graph_id,
        config={},
        context={},
        created_at=created_at,
        updated_at=created_at,
        metadata={"created_by": "system", "title": spec.title},
        version=1,
        name=spec.graph_id,
        description=spec.description,
    )


def _matches(assistant: Assistant, search: AssistantSearch) -> bool:
    if search.graph_id and assistant.graph_id != search.graph_id:
        return False
    if search.name and search.name.lower() not in assistant.name.lower():
        return False
    return all(assistant.metadata.get(k) == v for k, v in (search.metadata or {}).items())


@router.post("/search", response_model=list[Assistant])
async def search_assistants(
    runtime: RuntimeDep, response: Response, search: AssistantSearch | None = None
) -> list[Assistant]:
    """Assistants filtered by graph id, name and metadata; ``X-Pagination-Next`` when more."""
    search = search or AssistantSearch()
    found = [
        assistant
        for spec in runtime.catalog.specs()
        if _matches(assistant := _assistant(spec, runtime.started_at), search)
    ]
    if search.sort_by:
        found.sort(key=lambda a: getattr(a, search.sort_by or "name"))
        if search.sort_order == "desc":
            found.reverse()
    page = found[search.offset : search.offset + search.limit]
    if search.offset + search.limit < len(found):
        response.headers["X-Pagination-Next"] = str(search.offset + search.limit)
    return page


@router.get("/{assistant_id}", response_model=Assistant)
async def get_assistant(assistant_id: str, runtime: RuntimeDep) -> Assistant:
    """One assistant, by assistant id or graph id."""
    return _assistant(runtime.catalog.spec(assistant_id), runtime.started_at)


@router.get("/{assistant_id}/graph")
async def get_assistant_graph(
    assistant_id: str, catalog: CatalogDep, xray: bool | int = Query(False)
) -> Response:
    """The graph's nodes and edges (LangGraph's drawable JSON)."""
    graph = await catalog.compiled(catalog.spec(assistant_id).graph_id)
    drawable = graph.get_graph(xray=xray)
    return Response(dumps(drawable.to_json()), media_type="application/json")


@router.get("/{assistant_id}/schemas")
async def get_assistant_schemas(assistant_id: str, catalog: CatalogDep) -> Response:
    """JSON schemas of the graph's input, output, state, config and context."""
    spec = catalog.spec(assistant_id)
    graph = await catalog.compiled(spec.graph_id)
    schemas: dict[str, Any] = {
        "graph_id": spec.graph_id,
        "input_schema": _schema(graph.get_input_jsonschema),
        "output_schema": _schema(graph.get_output_jsonschema),
        "state_schema": _schema(lambda: _state_schema(graph)),
        # LangGraph 1.x deprecates config schemas in favour of the context schema.
        "config_schema": None,
        "context_schema": _schema(getattr(graph, "get_context_jsonschema", lambda: None)),
    }
    return Response(dumps(schemas), media_type="application/json")


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
