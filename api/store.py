"""The store API: long-term memory items in namespaces, backed by the LangGraph store the graphs
use (SQLite by default, PostgreSQL when the database is).

Items are per user: a namespace's first label is its owner's user id (``api/ownership.py``).
One writes only under one's own id; a manager also reads their reports'; an admin reaches all.
A search or listing without a prefix covers the caller's own namespace."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Response, status
from langgraph.store.base import InvalidNamespaceError

from api.deps import StoreDep
from api.errors import BODY_ERRORS, ApiError, error_responses
from api.ownership import OwnershipDep
from api.permissions import permission
from api.store_schemas import (
    Item,
    Namespaces,
    SearchItems,
    StoreDelete,
    StoreListNamespaces,
    StorePut,
    StoreSearch,
    check_labels,
)
from runtime.serialization import dumps

router = APIRouter(prefix="/store", tags=["store"])

T = TypeVar("T")


async def _refusals(call: Awaitable[T]) -> T:
    # The store validates too (e.g. labels reaching it through a filter); its refusals are the
    # client's mistakes, not the server's.
    try:
        return await call
    except InvalidNamespaceError as exc:
        raise ApiError(422, "invalid_namespace", str(exc)) from exc
    except NotImplementedError as exc:
        raise ApiError(422, "unsupported_option", str(exc)) from exc
    except ValueError as exc:  # e.g. a filter operator the store does not know
        raise ApiError(422, "invalid_request", str(exc)) from exc


def _timestamp(value: Any) -> str:
    if isinstance(value, datetime):
        # The SQLite store hands back naive UTC times; PostgreSQL aware ones.
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value)


def _item(item: Any) -> dict[str, Any]:
    found = {
        "namespace": list(item.namespace),
        "key": item.key,
        "value": item.value,
        "created_at": _timestamp(item.created_at),
        "updated_at": _timestamp(item.updated_at),
    }
    if hasattr(item, "score"):
        found["score"] = item.score
    return found


def _json(value: Any) -> Response:
    return Response(dumps(value), media_type="application/json")


@router.put(
    "/items",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, *BODY_ERRORS),
    dependencies=[permission("store:write")],
)
async def put_item(body: StorePut, store: StoreDep, owner: OwnershipDep) -> Response:
    """Create or replace an item under one's own user id; ``ttl`` (minutes) makes it expire."""
    namespace = owner.item_namespace(body.namespace, writing=True)
    await _refusals(store.aput(namespace, body.key, body.value, index=body.index, ttl=body.ttl))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/items",
    response_model=Item | None,
    responses=error_responses(404, 422),
    dependencies=[permission("store:read")],
)
async def get_item(
    store: StoreDep,
    owner: OwnershipDep,
    key: Annotated[str, Query(min_length=1)],
    namespace: Annotated[
        list[str],
        Query(description="Labels joined by '.' (as the client sends it), or one per parameter."),
    ],
    refresh_ttl: bool | None = None,
) -> Response:
    """One item, or ``null`` when there is none (as the LangGraph server answers)."""
    labels = namespace[0].split(".") if len(namespace) == 1 else namespace
    try:
        check_labels(labels)
    except ValueError as exc:
        raise ApiError(422, "invalid_namespace", f"namespace (query parameter): {exc}") from exc
    checked = owner.item_namespace(labels, writing=False)
    item = await _refusals(store.aget(checked, key, refresh_ttl=refresh_ttl))
    return _json(None if item is None else _item(item))


@router.delete(
    "/items",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, *BODY_ERRORS),
    dependencies=[permission("store:write")],
)
async def delete_item(body: StoreDelete, store: StoreDep, owner: OwnershipDep) -> Response:
    """Delete one of one's own items; deleting one that does not exist is not an error."""
    namespace = owner.item_namespace(body.namespace, writing=True)
    await _refusals(store.adelete(namespace, body.key))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/items/search",
    response_model=SearchItems,
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("store:read")],
)
async def search_items(
    store: StoreDep, owner: OwnershipDep, body: StoreSearch | None = None
) -> Response:
    """Items under a namespace prefix matching ``filter``, most recently updated first. A
    ``query`` ranks them only when the store has an embedding index (none by default)."""
    body = body or StoreSearch()
    items = await _refusals(
        store.asearch(
            owner.search_prefix(body.namespace_prefix),
            filter=body.filter,
            limit=body.limit,
            offset=body.offset,
            query=body.query,
            refresh_ttl=body.refresh_ttl,
        )
    )
    return _json({"items": [_item(item) for item in items]})


@router.post(
    "/namespaces",
    response_model=Namespaces,
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("store:read")],
)
async def list_namespaces(
    store: StoreDep, owner: OwnershipDep, body: StoreListNamespaces | None = None
) -> Response:
    """Namespaces that hold items, filtered by prefix and suffix, cut at ``max_depth``."""
    body = body or StoreListNamespaces()
    found = await _refusals(
        store.alist_namespaces(
            prefix=owner.search_prefix(body.prefix) or None,
            suffix=tuple(body.suffix) if body.suffix else None,
            max_depth=body.max_depth,
            limit=body.limit,
            offset=body.offset,
        )
    )
    return _json({"namespaces": [list(namespace) for namespace in found]})
