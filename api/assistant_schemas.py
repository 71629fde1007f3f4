"""Assistant request and response bodies, with the LangGraph server's field names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from api.schemas import RunnableConfigIn, SortOrder, _Request

AssistantField = Literal[
    "assistant_id",
    "graph_id",
    "name",
    "description",
    "config",
    "context",
    "created_at",
    "updated_at",
    "metadata",
    "version",
]
AssistantSortBy = Literal["assistant_id", "graph_id", "name", "created_at", "updated_at"]


class AssistantCreate(_Request):
    """Body of ``POST /assistants``."""

    assistant_id: uuid.UUID | None = Field(None, description="A UUID; a random one if absent.")
    graph_id: str = Field(min_length=1, description="A registered graph id.")
    config: RunnableConfigIn | None = Field(None, description="Config every run starts from.")
    context: dict[str, Any] | None = Field(None, description="Static context added to runs.")
    metadata: dict[str, Any] | None = None
    if_exists: Literal["raise", "do_nothing"] = "raise"
    name: str | None = Field(
        None, min_length=1, max_length=255, description='"Untitled" if absent.'
    )
    description: str | None = None


class AssistantPatch(_Request):
    """Body of ``PATCH /assistants/{id}``: given fields change, metadata is merged."""

    graph_id: str | None = Field(None, min_length=1)
    config: RunnableConfigIn | None = None
    context: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    name: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = None


class AssistantFilter(_Request):
    """Body of ``POST /assistants/count``: graph id, name (substring, any case), metadata."""

    graph_id: str | None = None
    name: str | None = None
    metadata: dict[str, Any] | None = None


class AssistantSearch(AssistantFilter):
    """Body of ``POST /assistants/search``; newest first unless ``sort_by`` says otherwise."""

    limit: int = Field(10, ge=1, le=1000)
    offset: int = Field(0, ge=0)
    sort_by: AssistantSortBy | None = None
    sort_order: SortOrder | None = Field(None, description="desc unless asc is asked for.")
    select: list[AssistantField] | None = Field(None, description="Only these fields.")


class AssistantVersionsSearch(_Request):
    """Body of ``POST /assistants/{id}/versions``."""

    metadata: dict[str, Any] | None = None
    limit: int = Field(10, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class AssistantLatest(_Request):
    """Body of ``POST /assistants/{id}/latest``."""

    version: int = Field(ge=1)


class AssistantVersion(BaseModel):
    assistant_id: str
    graph_id: str
    config: dict[str, Any]
    context: dict[str, Any]
    created_at: datetime
    metadata: dict[str, Any]
    version: int
    name: str
    description: str | None


class Assistant(AssistantVersion):
    updated_at: datetime


class GraphSchemas(BaseModel):
    """JSON schemas of a graph; null where the graph's types have none."""

    graph_id: str
    input_schema: dict[str, Any] | None
    output_schema: dict[str, Any] | None
    state_schema: dict[str, Any] | None
    config_schema: dict[str, Any] | None
    context_schema: dict[str, Any] | None
