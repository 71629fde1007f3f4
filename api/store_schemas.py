"""Store API bodies: items in namespaces (lists of labels), as the LangGraph server names them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from api.schemas import _Request


def check_labels(labels: list[str]) -> list[str]:
    """Namespace labels are non-empty and hold no period (the store joins them with one)."""
    for label in labels:
        if not label:
            raise ValueError("namespace labels cannot be empty")
        if "." in label:
            raise ValueError(f"namespace label {label!r} contains a period ('.')")
        if "\x00" in label:
            raise ValueError(f"namespace label {label!r} contains a NUL character")
    return labels


def _check_item_namespace(labels: list[str]) -> list[str]:
    if not labels:
        raise ValueError("an item's namespace needs at least one label")
    if labels[0] == "langgraph":
        raise ValueError('the root label "langgraph" is reserved')
    return check_labels(labels)


Labels = Annotated[list[str], AfterValidator(check_labels)]
ItemNamespace = Annotated[list[str], AfterValidator(_check_item_namespace)]


class StorePut(_Request):
    """Body of ``PUT /store/items``: create or replace one item."""

    namespace: ItemNamespace
    key: str = Field(min_length=1)
    value: dict[str, Any]
    index: Literal[False] | list[str] | None = Field(
        None, description="false: not indexed; a list: the fields to index; null: the default."
    )
    ttl: float | None = Field(None, gt=0, description="Minutes until the item expires.")


class StoreDelete(_Request):
    """Body of ``DELETE /store/items``."""

    namespace: ItemNamespace
    key: str = Field(min_length=1)


class StoreSearch(_Request):
    """Body of ``POST /store/items/search``: items under a namespace prefix."""

    namespace_prefix: Labels | None = None
    filter: dict[str, Any] | None = Field(None, description="Values the items must have.")
    limit: int = Field(10, ge=1, le=1000)
    offset: int = Field(0, ge=0)
    query: str | None = Field(
        None, description="Natural-language query; ranks results only if the store is indexed."
    )
    refresh_ttl: bool | None = None


class StoreListNamespaces(_Request):
    """Body of ``POST /store/namespaces``."""

    prefix: Labels | None = None
    suffix: Labels | None = None
    max_depth: int | None = Field(None, ge=1)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class Item(BaseModel):
    namespace: list[str]
    key: str
    value: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class SearchItem(Item):
    score: float | None = None


class SearchItems(BaseModel):
    items: list[SearchItem]


class Namespaces(BaseModel):
    namespaces: list[list[str]]
