"""Runs: create and stream, create and wait, background runs, list, get, join, cancel, delete,
on a thread or stateless (a temporary thread)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Query, Response
from fastapi import status as http_status
from pydantic import BaseModel
from sse_starlette import EventSourceResponse
from starlette.responses import StreamingResponse

from api.deps import ExecutorDep, RunsDep, ThreadsDep
from api.errors import BODY_ERRORS, ApiError, error_responses
from api.ownership import OwnershipDep
from api.permissions import permission
from api.query_params import flat_values
from api.run_identity import RunActor, RunActorDep
from api.run_options import run_request
from api.run_streams import filter_stream_modes, parse_last_event_id
from api.schemas import Run, RunCreate
from api.streaming import json_when_done, sse_response
from runtime.executor import RunExecutor, StartedRun
from runtime.records import RunRecord, RunStatus
from runtime.serialization import dumps

router = APIRouter(tags=["runs"])

BATCH_LIMIT = 100

RUN_FIELDS = tuple(Run.model_fields)


def _run(record: RunRecord) -> Run:
    return Run.model_validate(record, from_attributes=True)


def _locations(started: StartedRun, *, stateless: bool, tail: str) -> dict[str, str]:
    run = started.run
    if stateless and run.kwargs.get("temporary"):
        # Its thread goes when it ends, so there would be nothing to reconnect to.
        return {"Content-Location": f"/runs/{run.run_id}"}
    base = f"/threads/{run.thread_id}/runs/{run.run_id}"
    return {"Location": f"{base}/{tail}", "Content-Location": base}


def _canceller(executor: RunExecutor, body: RunCreate, run_id: str) -> Callable[[], object] | None:
    return (lambda: executor.cancel(run_id)) if body.on_disconnect == "cancel" else None


async def _stream(
    executor: RunExecutor, body: RunCreate, thread_id: str | None, actor: RunActor
) -> EventSourceResponse:
    started = await executor.start(run_request(body, actor), thread_id=thread_id)
    return sse_response(
        started.events,
        headers=_locations(started, stateless=thread_id is None, tail="stream"),
        on_disconnect=_canceller(executor, body, started.run.run_id),
        event_ids=body.stream_resumable,
    )


async def _wait(
    executor: RunExecutor, body: RunCreate, thread_id: str | None, actor: RunActor
) -> StreamingResponse:
    started = await executor.start(run_request(body, actor), thread_id=thread_id)

    async def output() -> bytes:
        return (await asyncio.shield(started.outcome)).output

    return json_when_done(
        output(),
        headers=_locations(started, stateless=thread_id is None, tail="join"),
        on_disconnect=_canceller(executor, body, started.run.run_id),
    )


@router.post(
    "/threads/{thread_id}/runs/stream",
    response_class=EventSourceResponse,
    responses=error_responses(404, 409, *BODY_ERRORS),
    dependencies=[permission("agents:run")],
)
async def stream_run(
    thread_id: str,
    body: RunCreate,
    executor: ExecutorDep,
    actor: RunActorDep,
    threads: ThreadsDep,
    owner: OwnershipDep,
) -> EventSourceResponse:
    """Create a run on the thread and stream its events as they happen."""
    await owner.may_run_on(threads.store, thread_id, creates=body.if_not_exists == "create")
    return await _stream(executor, body, thread_id, actor)


@router.post(
    "/runs/stream",
    response_class=EventSourceResponse,
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("agents:run")],
)
async def stream_stateless_run(
    body: RunCreate, executor: ExecutorDep, actor: RunActorDep
) -> EventSourceResponse:
    """Run on a temporary thread (deleted afterwards unless ``on_completion`` is ``keep``)."""
    return await _stream(executor, body, None, actor)


@router.post(
    "/threads/{thread_id}/runs/wait",
    responses=error_responses(404, 409, *BODY_ERRORS),
    dependencies=[permission("agents:run")],
)
async def wait_run(
    thread_id: str,
    body: RunCreate,
    executor: ExecutorDep,
    actor: RunActorDep,
    threads: ThreadsDep,
    owner: OwnershipDep,
) -> StreamingResponse:
    """Create a run on the thread and answer its final values when it ends."""
    await owner.may_run_on(threads.store, thread_id, creates=body.if_not_exists == "create")
    return await _wait(executor, body, thread_id, actor)


@router.post(
    "/runs/wait",
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("agents:run")],
)
async def wait_stateless_run(
    body: RunCreate, executor: ExecutorDep, actor: RunActorDep
) -> StreamingResponse:
    """Run on a temporary thread and answer its final values."""
    return await _wait(executor, body, None, actor)


@router.post(
    "/threads/{thread_id}/runs",
    response_model=Run,
    responses=error_responses(404, 409, *BODY_ERRORS),
    dependencies=[permission("agents:run")],
)
async def create_run(
    thread_id: str,
    body: RunCreate,
    executor: ExecutorDep,
    response: Response,
    actor: RunActorDep,
    threads: ThreadsDep,
    owner: OwnershipDep,
) -> Run:
    """Start a run in the background; follow it with ``/stream`` or ``/join``."""
    await owner.may_run_on(threads.store, thread_id, creates=body.if_not_exists == "create")
    started = await executor.start(run_request(body, actor), thread_id=thread_id)
    response.headers.update(_locations(started, stateless=False, tail="stream"))
    return _run(started.run)


@router.post(
    "/runs",
    response_model=Run,
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("agents:run")],
)
async def create_stateless_run(
    body: RunCreate, executor: ExecutorDep, response: Response, actor: RunActorDep
) -> Run:
    """Start a run on a temporary thread in the background."""
    started = await executor.start(run_request(body, actor), thread_id=None)
    response.headers.update(_locations(started, stateless=True, tail="stream"))
    return _run(started.run)


@router.post(
    "/runs/batch",
    response_model=list[Run],
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("agents:run")],
)
async def create_stateless_runs(
    body: Annotated[list[RunCreate], Body(max_length=BATCH_LIMIT)],
    executor: ExecutorDep,
    actor: RunActorDep,
) -> list[Run]:
    """Start several stateless runs in the background (all are checked before any starts)."""
    requests = [run_request(item, actor) for item in body]
    for request in requests:
        await executor.check(request)
    return [_run((await executor.start(request, thread_id=None)).run) for request in requests]


@router.get(
    "/threads/{thread_id}/runs",
    response_model=None,
    responses={200: {"model": list[Run]}, **error_responses(404, 422)},
    dependencies=[permission("threads:read")],
)
async def list_runs(
    thread_id: str,
    runs: RunsDep,
    threads: ThreadsDep,
    owner: OwnershipDep,
    limit: int = Query(10, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    status: RunStatus | None = None,
    select: Annotated[
        list[str] | None, Query(description="Fields to return (default: all).")
    ] = None,
) -> Response:
    """The thread's runs, newest first; ``select`` trims each to the fields named."""
    fields = _selected(select)
    await owner.visible_thread(threads.store, thread_id)
    records = await runs.list(thread_id, limit=limit, offset=offset, status=status)
    listed = [_run(r).model_dump(mode="json", include=fields) for r in records]
    return Response(dumps(listed), media_type="application/json")


def _selected(select: list[str] | None) -> set[str] | None:
    try:
        fields = flat_values(select)
    except ValueError as exc:
        raise ApiError(422, "invalid_request", f"select (query parameter): {exc}") from None
    unknown = [name for name in fields if name not in RUN_FIELDS]
    if unknown:
        raise ApiError(
            422,
            "invalid_request",
            f"select (query parameter): unknown field {unknown[0]!r}; use {', '.join(RUN_FIELDS)}",
        )
    return set(fields) or None


@router.get(
    "/threads/{thread_id}/runs/{run_id}",
    response_model=Run,
    responses=error_responses(404, 422),
    dependencies=[permission("threads:read")],
)
async def get_run(
    thread_id: str, run_id: str, runs: RunsDep, threads: ThreadsDep, owner: OwnershipDep
) -> Run:
    """One run, with its status (and, for a failed run, its error)."""
    await owner.visible_thread(threads.store, thread_id)
    return _run(await runs.get(run_id, thread_id=thread_id))


@router.delete(
    "/threads/{thread_id}/runs/{run_id}",
    status_code=http_status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 409, 422),
    dependencies=[permission("threads:write")],
)
async def delete_run(
    thread_id: str, run_id: str, executor: ExecutorDep, threads: ThreadsDep, owner: OwnershipDep
) -> Response:
    """Delete an ended run's record (409 while it is pending or running: cancel it first)."""
    await owner.visible_thread(threads.store, thread_id)
    await executor.delete_run(run_id, thread_id=thread_id)
    return Response(status_code=http_status.HTTP_204_NO_CONTENT)


@router.get(
    "/threads/{thread_id}/runs/{run_id}/stream",
    response_class=EventSourceResponse,
    responses=error_responses(404, 422),
    dependencies=[permission("threads:read")],
)
async def join_run_stream(
    thread_id: str,
    run_id: str,
    runs: RunsDep,
    executor: ExecutorDep,
    threads: ThreadsDep,
    owner: OwnershipDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    stream_mode: Annotated[
        list[str] | None, Query(description="Only these modes (default: all).")
    ] = None,
    cancel_on_disconnect: bool = False,
) -> EventSourceResponse:
    """Follow a run's events from now on, or replay those after ``Last-Event-ID`` (resumable
    runs keep their events for a while after they end); ends at once if nothing is left."""
    await owner.visible_thread(threads.store, thread_id)
    record = await runs.get(run_id, thread_id=thread_id)
    after = parse_last_event_id(last_event_id)
    try:
        modes = flat_values(stream_mode)
    except ValueError as exc:
        raise ApiError(422, "invalid_request", f"stream_mode (query parameter): {exc}") from None
    events = filter_stream_modes(executor.events(run_id, after=after), modes)
    return sse_response(
        events,
        headers={"Content-Location": f"/threads/{thread_id}/runs/{run_id}"},
        on_disconnect=(lambda: executor.cancel(run_id)) if cancel_on_disconnect else None,
        event_ids=bool(record.kwargs.get("stream_resumable")),
    )


@router.get(
    "/threads/{thread_id}/runs/{run_id}/join",
    responses=error_responses(404, 422),
    dependencies=[permission("threads:read")],
)
async def join_run(
    thread_id: str,
    run_id: str,
    runs: RunsDep,
    executor: ExecutorDep,
    threads: ThreadsDep,
    owner: OwnershipDep,
) -> Response:
    """Wait for the run to end; answer the thread's values (or the run's error)."""
    await owner.visible_thread(threads.store, thread_id)
    record = await runs.get(run_id, thread_id=thread_id)
    return Response(await executor.join(record), media_type="application/json")


@router.post(
    "/threads/{thread_id}/runs/{run_id}/cancel",
    status_code=http_status.HTTP_202_ACCEPTED,
    responses={
        204: {"description": "Cancelled (with ``wait``)."},
        **error_responses(404, 409, *BODY_ERRORS),
    },
    dependencies=[permission("agents:run")],
)
async def cancel_run(
    thread_id: str,
    run_id: str,
    executor: ExecutorDep,
    threads: ThreadsDep,
    owner: OwnershipDep,
    wait: bool = False,
    action: Literal["interrupt", "rollback"] = "interrupt",
) -> Response:
    """Stop a run: ``interrupt`` keeps its progress (it ends ``interrupted``), ``rollback``
    deletes it and its checkpoints. 202 at once, or 204 once stopped with ``wait``."""
    await owner.visible_thread(threads.store, thread_id)
    await executor.cancel_run(run_id, thread_id=thread_id, action=action, wait=wait)
    if wait:
        return Response(status_code=http_status.HTTP_204_NO_CONTENT)
    return Response(status_code=http_status.HTTP_202_ACCEPTED)


class BulkCancel(BaseModel):
    """Body of ``POST /runs/cancel``: runs of a thread, given runs, or every run in a status."""

    thread_id: str | None = None
    run_ids: list[str] | None = None
    status: Literal["pending", "running", "all"] | None = None


@router.post(
    "/runs/cancel",
    status_code=http_status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("agents:run")],
)
async def cancel_runs(
    body: BulkCancel,
    executor: ExecutorDep,
    threads: ThreadsDep,
    owner: OwnershipDep,
    action: Literal["interrupt", "rollback"] = "interrupt",
) -> Response:
    """Cancel several runs without waiting: those of ``thread_id`` (all, or ``run_ids``), or
    every run ``pending``/``running``/``all`` when ``status`` is given; only runs the caller
    started (or, for a manager, their reports'; for an admin, anyone's)."""
    if body.status is None and body.thread_id is None:
        raise ApiError(422, "invalid_request", "request body: give thread_id or status")
    if body.thread_id is not None:
        await owner.visible_thread(threads.store, body.thread_id)
    executor.cancel_many(
        thread_id=body.thread_id,
        run_ids=body.run_ids,
        status=body.status,
        action=action,
        # The runs of a thread the caller may see are theirs to stop, whoever started them.
        owners=None if body.thread_id is not None else owner.owners,
    )
    return Response(status_code=http_status.HTTP_204_NO_CONTENT)
