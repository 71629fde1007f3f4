"""Threads: create, read, update metadata, delete, search, count, copy; their state (now, at a
checkpoint, updated by hand) and history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import JSONResponse

from api.deps import ThreadsDep
from api.errors import BODY_ERRORS, ApiError, error_responses
from api.ownership import OwnershipDep
from api.permissions import permission
from api.schemas import CheckpointIn, Thread, ThreadCreate, ThreadPatch, ThreadSearch
from api.thread_schemas import (
    ThreadCount,
    ThreadHistory,
    ThreadState,
    ThreadStateAtCheckpoint,
    ThreadStateUpdate,
    ThreadStateUpdated,
)
from runtime.errors import ThreadExists
from runtime.records import ThreadRecord
from runtime.serialization import dumps
from runtime.thread_store import OWNER_KEY

router = APIRouter(prefix="/threads", tags=["threads"])

# Reading state builds the thread's graph, which needs the agent services (503 if they failed).
STATE_ERRORS = error_responses(404, 422, 503)


def _thread(record: ThreadRecord) -> Thread:
    return Thread.model_validate(record, from_attributes=True)


def _json(value: Any) -> Response:
    # State values hold LangChain messages and other objects pydantic cannot validate.
    return Response(dumps(value), media_type="application/json")


def _checkpoint(checkpoint: CheckpointIn | None) -> dict[str, Any] | None:
    return None if checkpoint is None else checkpoint.model_dump(exclude_none=True)


@router.post(
    "",
    response_model=Thread,
    responses=error_responses(409, *BODY_ERRORS),
    dependencies=[permission("threads:write")],
)
async def create_thread(
    threads: ThreadsDep, owner: OwnershipDep, body: ThreadCreate | None = None
) -> Thread:
    """A new thread, the caller's (``metadata.owner``); ``if_exists`` decides what an existing
    ``thread_id`` does (one the caller may not see is a conflict, never handed back)."""
    body = body or ThreadCreate()
    if body.supersteps:
        raise ApiError(422, "unsupported_option", "supersteps are not supported by this server yet")
    record = await threads.store.create(
        thread_id=str(body.thread_id) if body.thread_id else None,
        metadata=owner.stamped(body.metadata),
        if_exists=body.if_exists,
    )
    if not owner.sees(record.metadata.get(OWNER_KEY)):
        raise ThreadExists(record.thread_id)
    return _thread(record)


@router.post(
    "/search",
    response_model=list[Thread],
    responses=error_responses(*BODY_ERRORS),
    dependencies=[permission("threads:read")],
)
async def search_threads(
    threads: ThreadsDep, owner: OwnershipDep, body: ThreadSearch | None = None
) -> Any:
    """The caller's threads (and their reports' for a manager, everyone's for an admin)
    matching ids, status, and metadata or values (by containment)."""
    body = body or ThreadSearch()
    if body.extract:
        raise ApiError(422, "unsupported_option", "extract is not supported by this server yet")
    sort_by = "updated_at" if body.sort_by == "state_updated_at" else body.sort_by
    records = await threads.store.search(
        ids=body.ids,
        status=body.status,
        metadata=body.metadata,
        values=body.values,
        limit=body.limit,
        offset=body.offset,
        sort_by=sort_by,
        sort_order=body.sort_order,
        owners=owner.owners,
    )
    found = [_thread(record) for record in records]
    if body.select:
        return JSONResponse(
            [
                {
                    key: value
                    for key, value in t.model_dump(mode="json").items()
                    if key in body.select
                }
                for t in found
            ]
        )
    return found


@router.post(
    "/count",
    response_model=int,
    responses=error_responses(*BODY_ERRORS),
    dependencies=[permission("threads:read")],
)
async def count_threads(
    threads: ThreadsDep, owner: OwnershipDep, body: ThreadCount | None = None
) -> int:
    """How many of the threads the caller sees match status, and metadata or values."""
    body = body or ThreadCount()
    return await threads.store.count(
        status=body.status, metadata=body.metadata, values=body.values, owners=owner.owners
    )


@router.get(
    "/{thread_id}",
    response_model=Thread,
    responses=error_responses(404, 422),
    dependencies=[permission("threads:read")],
)
async def get_thread(thread_id: str, threads: ThreadsDep, owner: OwnershipDep) -> Thread:
    """One thread, with its status and last values (404 for another user's)."""
    return _thread(await threads.store.get(thread_id, owners=owner.owners))


@router.patch(
    "/{thread_id}",
    response_model=Thread,
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("threads:write")],
)
async def update_thread(
    thread_id: str,
    body: ThreadPatch,
    threads: ThreadsDep,
    owner: OwnershipDep,
    prefer: Annotated[str | None, Header()] = None,
) -> Any:
    """Merge metadata into the thread's; ``Prefer: return=minimal`` answers 204 without a body.
    A thread's owner cannot be changed (403)."""
    metadata = dict(body.metadata)
    if OWNER_KEY in metadata:
        current = await threads.store.get(thread_id, owners=owner.owners)
        if metadata[OWNER_KEY] != current.metadata.get(OWNER_KEY):
            raise ApiError(403, "forbidden", "metadata.owner: a thread's owner cannot be changed")
    record = await threads.store.update_metadata(thread_id, metadata, owners=owner.owners)
    if prefer and "return=minimal" in prefer:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return _thread(record)


@router.delete(
    "/{thread_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 422),
    dependencies=[permission("threads:write")],
)
async def delete_thread(thread_id: str, threads: ThreadsDep, owner: OwnershipDep) -> Response:
    """Delete the thread, its runs (cancelled first) and its checkpoints."""
    await threads.delete(thread_id, owners=owner.owners)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{thread_id}/copy",
    response_model=Thread,
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("threads:write")],
)
async def copy_thread(thread_id: str, threads: ThreadsDep, owner: OwnershipDep) -> Thread:
    """A new thread, the caller's, with this one's metadata, values and every checkpoint (not
    its runs)."""
    return _thread(await threads.copy(thread_id, owners=owner.owners, owner=owner.user_id))


@router.get(
    "/{thread_id}/state",
    response_model=ThreadState,
    responses=STATE_ERRORS,
    dependencies=[permission("threads:read")],
)
async def get_thread_state(
    thread_id: str, threads: ThreadsDep, owner: OwnershipDep, subgraphs: bool = False
) -> Response:
    """The thread's current state: values, next nodes, tasks, checkpoint, interrupts."""
    return _json(await threads.state(thread_id, subgraphs=subgraphs, owners=owner.owners))


@router.post(
    "/{thread_id}/state",
    response_model=ThreadStateUpdated,
    responses=error_responses(404, 409, 503, *BODY_ERRORS),
    dependencies=[permission("threads:write")],
)
async def update_thread_state(
    thread_id: str, body: ThreadStateUpdate, threads: ThreadsDep, owner: OwnershipDep
) -> Response:
    """Write values as if ``as_node`` had run, from the latest checkpoint or the one given.
    409 while a run is active or before the thread has a graph; 422 if the graph refuses."""
    checkpoint = _checkpoint(body.checkpoint) or {}
    if body.checkpoint_id:
        checkpoint["checkpoint_id"] = body.checkpoint_id
    written = await threads.update_state(
        thread_id,
        body.values,
        as_node=body.as_node,
        checkpoint=checkpoint or None,
        owners=owner.owners,
    )
    return _json(written)


@router.get(
    "/{thread_id}/state/{checkpoint_id}",
    response_model=ThreadState,
    responses=STATE_ERRORS,
    dependencies=[permission("threads:read")],
)
async def get_thread_state_at(
    thread_id: str,
    checkpoint_id: str,
    threads: ThreadsDep,
    owner: OwnershipDep,
    subgraphs: bool = False,
) -> Response:
    """The thread's state at one checkpoint of its root graph."""
    state = await threads.state(
        thread_id,
        subgraphs=subgraphs,
        checkpoint={"checkpoint_id": checkpoint_id},
        owners=owner.owners,
    )
    return _json(state)


@router.post(
    "/{thread_id}/state/checkpoint",
    response_model=ThreadState,
    responses=error_responses(404, 503, *BODY_ERRORS),
    dependencies=[permission("threads:read")],
)
async def get_thread_state_at_checkpoint(
    thread_id: str, body: ThreadStateAtCheckpoint, threads: ThreadsDep, owner: OwnershipDep
) -> Response:
    """The thread's state at a checkpoint given as an object (namespace for subgraphs)."""
    state = await threads.state(
        thread_id,
        subgraphs=body.subgraphs,
        checkpoint=_checkpoint(body.checkpoint),
        owners=owner.owners,
    )
    return _json(state)


@router.get(
    "/{thread_id}/history",
    response_model=list[ThreadState],
    responses=STATE_ERRORS,
    dependencies=[permission("threads:read")],
)
async def get_thread_history(
    thread_id: str,
    threads: ThreadsDep,
    owner: OwnershipDep,
    limit: int = Query(10, ge=1, le=1000),
    before: str | None = Query(None, description="Only states before this checkpoint id."),
) -> Response:
    """Past states of the thread, newest first."""
    return _json(await threads.history(thread_id, limit=limit, before=before, owners=owner.owners))


@router.post(
    "/{thread_id}/history",
    response_model=list[ThreadState],
    responses=error_responses(404, 503, *BODY_ERRORS),
    dependencies=[permission("threads:read")],
)
async def search_thread_history(
    thread_id: str, threads: ThreadsDep, owner: OwnershipDep, body: ThreadHistory | None = None
) -> Response:
    """Past states, newest first, filtered by checkpoint metadata, before a checkpoint, or in
    a subgraph's namespace."""
    body = body or ThreadHistory()
    before = body.before if isinstance(body.before, str) else _checkpoint(body.before)
    states = await threads.history(
        thread_id,
        limit=body.limit,
        before=before,
        metadata=body.metadata,
        checkpoint=_checkpoint(body.checkpoint),
        owners=owner.owners,
    )
    return _json(states)
