"""Runs: create and stream, create and wait, background runs, list, get, join, cancel."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Query, Response
from fastapi import status as http_status
from sse_starlette import EventSourceResponse
from starlette.responses import StreamingResponse

from api.deps import ExecutorDep, RunsDep
from api.errors import ApiError
from api.schemas import Run, RunCreate
from api.streaming import json_when_done, sse_response
from runtime.errors import UnsupportedRunOption
from runtime.executor import RunExecutor, StartedRun
from runtime.records import ACTIVE_RUN_STATUSES, RunRecord, RunStatus
from runtime.run_request import RunRequest

router = APIRouter(tags=["runs"])


def run_request(body: RunCreate) -> RunRequest:
    """The runtime's view of a run-create body."""
    if body.after_seconds:
        raise UnsupportedRunOption("after_seconds", body.after_seconds)
    durability = body.durability
    if durability is None and body.checkpoint_during is not None:
        durability = "async" if body.checkpoint_during else "exit"
    breakpoints = {
        name: value if value is None or value == "*" else tuple(value)
        for name, value in (
            ("interrupt_before", body.interrupt_before),
            ("interrupt_after", body.interrupt_after),
        )
    }
    return RunRequest(
        assistant_id=body.assistant_id,
        input=body.input,
        command=body.command.model_dump(exclude_none=True) if body.command else None,
        config=body.config.model_dump(exclude_none=True) if body.config else {},
        context=body.context,
        metadata=body.metadata or {},
        stream_mode=body.stream_modes,
        stream_subgraphs=body.stream_subgraphs,
        interrupt_before=breakpoints["interrupt_before"],  # type: ignore[arg-type]
        interrupt_after=breakpoints["interrupt_after"],  # type: ignore[arg-type]
        checkpoint_id=body.checkpoint_id,
        checkpoint=body.checkpoint.model_dump(exclude_none=True) if body.checkpoint else None,
        multitask_strategy=body.multitask_strategy,
        if_not_exists=body.if_not_exists,
        on_disconnect=body.on_disconnect,
        on_completion=body.on_completion,
        durability=durability,
    )


def _run(record: RunRecord) -> Run:
    return Run.model_validate(record, from_attributes=True)


def _locations(started: StartedRun, *, stateless: bool, tail: str) -> dict[str, str]:
    run = started.run
    if stateless:
        # No stream route exists for a stateless run, so no Location to reconnect to.
        return {"Content-Location": f"/runs/{run.run_id}"}
    base = f"/threads/{run.thread_id}/runs/{run.run_id}"
    return {"Location": f"{base}/{tail}", "Content-Location": base}


def _canceller(executor: RunExecutor, body: RunCreate, run_id: str) -> object:
    return (lambda: executor.cancel(run_id)) if body.on_disconnect == "cancel" else None


async def _stream(
    executor: RunExecutor, body: RunCreate, thread_id: str | None
) -> EventSourceResponse:
    started = await executor.start(run_request(body), thread_id=thread_id)
    return sse_response(
        started.events,
        headers=_locations(started, stateless=thread_id is None, tail="stream"),
        on_disconnect=_canceller(executor, body, started.run.run_id),  # type: ignore[arg-type]
    )


async def _wait(executor: RunExecutor, body: RunCreate, thread_id: str | None) -> StreamingResponse:
    started = await executor.start(run_request(body), thread_id=thread_id)

    async def output() -> bytes:
        return (await asyncio.shield(started.outcome)).output

    return json_when_done(
        output(),
        headers=_locations(started, stateless=thread_id is None, tail="join"),
        on_disconnect=_canceller(executor, body, started.run.run_id),  # type: ignore[arg-type]
    )


@router.post("/threads/{thread_id}/runs/stream", response_class=EventSourceResponse)
async def stream_run(thread_id: str, body: RunCreate, executor: ExecutorDep) -> EventSourceResponse:
    """Create a run on the thread and stream its events as they happen."""
    return await _stream(executor, body, thread_id)


@router.post("/runs/stream", response_class=EventSourceResponse)
async def stream_stateless_run(body: RunCreate, executor: ExecutorDep) -> EventSourceResponse:
    """Run on a temporary thread (deleted afterwards unless ``on_completion`` is ``keep``)."""
    return await _stream(executor, body, None)


@router.post("/threads/{thread_id}/runs/wait")
async def wait_run(thread_id: str, body: RunCreate, executor: ExecutorDep) -> StreamingResponse:
    """Create a run on the thread and answer its final values when it ends."""
    return await _wait(executor, body, thread_id)


@router.post("/runs/wait")
async def wait_stateless_run(body: RunCreate, executor: ExecutorDep) -> StreamingResponse:
    """Run on a temporary thread and answer its final values."""
    return await _wait(executor, body, None)


@router.post("/threads/{thread_id}/runs", response_model=Run)
async def create_run(
    thread_id: str, body: RunCreate, executor: ExecutorDep, response: Response
) -> Run:
    """Start a run in the background; follow it with ``/stream`` or ``/join``."""
    started = await executor.start(run_request(body), thread_id=thread_id)
    response.headers.update(_locations(started, stateless=False, tail="stream"))
    return _run(started.run)


@router.get("/threads/{thread_id}/runs", response_model=list[Run])
async def list_runs(
    thread_id: str,
    runs: RunsDep,
    limit: int = Query(10, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    status: RunStatus | None = None,
) -> list[Run]:
    """The thread's runs, newest first."""
    return [_run(r) for r in await runs.list(thread_id, limit=limit, offset=offset, status=status)]


@router.get("/threads/{thread_id}/runs/{run_id}", response_model=Run)
async def get_run(thread_id: str, run_id: str, runs: RunsDep) -> Run:
    """One run, with its status."""
    return _run(await runs.get(run_id, thread_id=thread_id))


@router.get("/threads/{thread_id}/runs/{run_id}/stream", response_class=EventSourceResponse)
async def join_run_stream(
    thread_id: str, run_id: str, runs: RunsDep, executor: ExecutorDep
) -> EventSourceResponse:
    """Follow a run's events from now on; ends at once if the run has ended."""
    await runs.get(run_id, thread_id=thread_id)
    return sse_response(executor.events(run_id), headers={})


@router.get("/threads/{thread_id}/runs/{run_id}/join")
async def join_run(thread_id: str, run_id: str, runs: RunsDep, executor: ExecutorDep) -> Response:
    """Wait for the run to end; answer the thread's values (or the run's error)."""
    record = await runs.get(run_id, thread_id=thread_id)
    return Response(await executor.join(record), media_type="application/json")


@router.post("/threads/{thread_id}/runs/{run_id}/cancel")
async def cancel_run(
    thread_id: str,
    run_id: str,
    runs: RunsDep,
    executor: ExecutorDep,
    wait: bool = False,
    action: Literal["interrupt"] = "interrupt",
) -> Response:
    """Stop a run (it ends ``interrupted``); 202 at once, or 204 once stopped with ``wait``."""
    record = await runs.get(run_id, thread_id=thread_id)
    if record.status not in ACTIVE_RUN_STATUSES or not executor.cancel(run_id):
        raise ApiError(409, "run_not_active", f"run {run_id!r} is {record.status}, not running")
    if wait:
        await executor.wait(run_id)
        return Response(status_code=http_status.HTTP_204_NO_CONTENT)
    return Response(status_code=http_status.HTTP_202_ACCEPTED)
