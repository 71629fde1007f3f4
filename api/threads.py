"""Threads: create, read, update metadata, delete, search, and read their state."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import ThreadsDep
from api.errors import ApiError
from api.schemas import Thread, ThreadCreate, ThreadPatch, ThreadSearch
from runtime.records import ThreadRecord
from runtime.serialization import dumps

router = APIRouter(prefix="/threads", tags=["threads"])


def _thread(record: ThreadRecord) -> Thread:
    return Thread.model_validate(record, from_attributes=True)


@router.post("", response_model=Thread)
async def create_thread(threads: ThreadsDep, body: ThreadCreate | None = None) -> Thread:
    """A new thread; ``if_exists`` decides what an existing ``thread_id`` does."""
    body = body or ThreadCreate()
    if body.supersteps:
        raise ApiError(422, "unsupported_option", "supersteps are not supported by this server yet")
    record = await threads.store.create(
        thread_id=str(body.thread_id) if body.thread_id else None,
        metadata=body.metadata,
        if_exists=body.if_exists,
    )
    return _thread(record)


@router.post("/search", response_model=list[Thread])
async def search_threads(threads: ThreadsDep, body: ThreadSearch | None = None) -> list[Thread]:
    """Threads matching ids, status, and metadata or values (by containment)."""
    body = body or ThreadSearch()
    records = await threads.store.search(
        ids=body.ids,
        status=body.status,
        metadata=body.metadata,
        values=body.values,
        limit=body.limit,
        offset=body.offset,
        sort_by=body.sort_by,
        sort_order=body.sort_order,
    )
    return [_thread(record) for record in records]


@router.get("/{thread_id}", response_model=Thread)
async def get_thread(thread_id: str, threads: ThreadsDep) -> Thread:
    """One thread, with its status and last values."""
    return _thread(await threads.store.get(thread_id))


@router.patch("/{thread_id}", response_model=Thread)
async def update_thread(thread_id: str, body: ThreadPatch, threads: ThreadsDep) -> Thread:
    """Merge metadata into the thread's."""
    return _thread(await threads.store.update_metadata(thread_id, body.metadata))


@router.delete("/{thread_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_thread(thread_id: str, threads: ThreadsDep) -> Response:
    """Delete the thread, its runs (cancelled first) and its checkpoints."""
    await threads.delete(thread_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{thread_id}/state")
async def get_thread_state(
    thread_id: str, threads: ThreadsDep, subgraphs: bool = False
) -> Response:
    """The thread's current state: values, next nodes, tasks, checkpoint, interrupts."""
    state = await threads.state(thread_id, subgraphs=subgraphs)
    return Response(dumps(state), media_type="application/json")
