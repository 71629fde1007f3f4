"""The life of one run, from waiting its turn to storing how it ended.

The final run and thread statuses are stored before the run's stream closes, so a client that
sees the stream end and asks for the run never finds it still running. Whatever happens, the
thread is left ``busy`` only while another of its runs is pending or running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import aclosing, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.actor import acting_as, actor_of_run_config
from graphs.registry import GraphSpec
from runtime.broker import StreamBroker, StreamEvent
from runtime.engine import graph_input, stream_graph_events
from runtime.graph_catalog import GraphCatalog
from runtime.records import RunRecord, RunStatus, ThreadStatus, utcnow
from runtime.rollback import delete_run_checkpoints
from runtime.run_lifecycle import RunLifecycle
from runtime.run_request import RunRequest
from runtime.run_store import RunStore, ThreadState
from runtime.serialization import dumps, to_json_value
from runtime.state import pending_interrupts, run_output
from runtime.thread_store import ThreadStore
from runtime.webhooks import WebhookSender, webhook_payload

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended, and what ``runs/wait`` answers: final values or ``{"__error__": ...}``."""

    status: RunStatus
    output: bytes


@dataclass(frozen=True)
class StartedRun:
    """A run just created, its events from the first (``metadata``) one, and its outcome."""

    run: RunRecord
    events: AsyncIterator[StreamEvent]
    outcome: asyncio.Future[RunOutcome]


@dataclass
class ActiveRun:
    """A run executing (or waiting its turn) in this process."""

    run: RunRecord
    spec: GraphSpec
    request: RunRequest
    temporary: bool
    outcome: asyncio.Future[RunOutcome]
    predecessors: list[ActiveRun]
    task: asyncio.Task[None] | None = None
    # Its phase and any cancel asked of it: changed only through the lifecycle's transitions.
    lifecycle: RunLifecycle = field(default_factory=RunLifecycle, init=False)

    @property
    def thread_id(self) -> str:
        return self.run.thread_id


@dataclass
class _Ending:
    status: RunStatus = "success"
    error: dict[str, Any] | None = None
    thread_status: ThreadStatus = "idle"
    state: ThreadState | None = None
    output: bytes = b"null"
    started_at: datetime | None = None


class RunTask:
    """Executes runs: one call of :meth:`execute` per run, in the run's own task."""

    def __init__(
        self,
        *,
        threads: ThreadStore,
        runs: RunStore,
        catalog: GraphCatalog,
        broker: StreamBroker,
        checkpointer: Any,
        webhooks: WebhookSender,
    ) -> None:
        self._threads = threads
        self._runs = runs
        self._catalog = catalog
        self._broker = broker
        self._checkpointer = checkpointer
        self.webhooks = webhooks

    async def _publish(self, run_id: str, event: str, data: Any) -> None:
        await self._broker.publish(run_id, event, dumps(data, lenient=event == "events"))

    async def execute(self, active: ActiveRun) -> None:
        """Wait for the thread's earlier runs, run the graph, store the outcome, close the
        stream, call the webhook; never raises."""
        lifecycle = active.lifecycle
        lifecycle.start()
        run, request = active.run, active.request
        ending = _Ending()
        graph: Any = None
        try:
            if lifecycle.cancel_requested:
                # Cancelled before this first step: the executor left the task alone for this.
                raise asyncio.CancelledError
            await self._publish(run.run_id, "metadata", {"run_id": run.run_id, "attempt": 1})
            for earlier in active.predecessors:
                await asyncio.shield(earlier.outcome)
            if request.after_seconds:
                await asyncio.sleep(request.after_seconds)
            if run.status != "running":
                await self._runs.set_status(run.run_id, "running")
            lifecycle.begin_running()
            ending.started_at = utcnow()
            graph = await self._catalog.compiled(active.spec.graph_id)
            await self._stream(graph, active)
        except asyncio.CancelledError:
            ending.status, ending.thread_status = "interrupted", "idle"
        except Exception as exc:
            logger.warning("run %s failed", run.run_id, exc_info=exc)
            ending.status, ending.thread_status = "error", "error"
            ending.error = {"error": type(exc).__name__, "message": str(exc)}
            await self._publish(run.run_id, "error", ending.error)
        lifecycle.begin_finishing()
        try:
            await self._store_ending(active, graph, ending)
        finally:
            await self._broker.close(run.run_id)
            if not active.outcome.done():
                active.outcome.set_result(RunOutcome(status=ending.status, output=ending.output))
            lifecycle.finish()
        if active.temporary:
            # Nobody can reach the thread's checkpoints any more (its record is gone): delete
            # them after the client has its answer. The run's task waits for it, and so does
            # the server's shutdown.
            try:
                await self._checkpointer.adelete_thread(run.thread_id)
            except Exception:
                logger.exception("deleting the checkpoints of thread %s failed", run.thread_id)

    async def _stream(self, graph: Any, active: ActiveRun) -> None:
        run, request = active.run, active.request
        config = request.graph_config(
            run_id=run.run_id,
            thread_id=run.thread_id,
            assistant_id=run.assistant_id,
            graph_id=active.spec.graph_id,
        )
        stream = stream_graph_events(
            graph,
            graph_input(request.input, request.command),
            config=config,
            stream_modes=request.stream_mode,
            subgraphs=request.stream_subgraphs,
            interrupt_before=request.interrupt_before,
            interrupt_after=request.interrupt_after,
            context=request.context,
            durability=request.durability,
        )
        # Every step, model call and decision of the run is recorded as done for the user who
        # started (or resumed) it; a run whose config names nobody keeps the actor of the work
        # that started it (a CLI command, the evaluation harness).
        actor = actor_of_run_config(config)
        with acting_as(actor) if actor else nullcontext():
            async with aclosing(stream) as events:
                async for event, data in events:
                    await self._publish(run.run_id, event, data)

    async def _store_ending(self, active: ActiveRun, graph: Any, ending: _Ending) -> None:
        run_id, thread_id = active.run.run_id, active.thread_id
        if graph is not None:
            await self._read_final_state(run_id, thread_id, graph, ending)
        if ending.error is not None:
            ending.output = dumps({"__error__": ending.error})
        # A temporary thread goes in the transaction that ends its run (unless the run is rolled
        # back, which reads the thread afterwards).
        delete_thread = active.temporary and not active.lifecycle.rolls_back
        thread_gone = False
        try:
            stored = await self._runs.finish(
                run_id,
                status=ending.status,
                error=ending.error,
                thread_status=ending.thread_status,
                thread_state=ending.state,
                delete_thread=delete_thread,
            )
            thread_gone = delete_thread
        except Exception:
            logger.exception("storing the outcome of run %s failed", run_id)
            stored = await self._store_failure(run_id)
        if active.lifecycle.rolls_back:
            await self._roll_back(active, graph, ending)
        elif stored is not None and active.request.webhook:
            payload = webhook_payload(
                stored,
                values=ending.state.values if ending.state else None,
                error=ending.error,
                started_at=ending.started_at,
                ended_at=stored.updated_at,
            )
            self.webhooks.send(active.request.webhook, payload)
        if active.temporary and not thread_gone:
            try:
                await self._threads.delete(thread_id)
            except Exception:
                logger.exception("deleting the temporary thread %s failed", thread_id)

    async def _store_failure(self, run_id: str) -> RunRecord | None:
        # Last resort, so the thread is not left busy: error, keeping the stored values.
        error = {"error": "OutcomeNotStored", "message": "the run's outcome could not be stored"}
        try:
            return await self._runs.finish(
                run_id, status="error", error=error, thread_status="error", thread_state=None
            )
        except Exception:
            logger.exception("marking run %s failed did not work either", run_id)
            return None

    async def _roll_back(self, active: ActiveRun, graph: Any, ending: _Ending) -> None:
        """Delete the run and its checkpoints; the thread (and anyone waiting for the run's
        output) sees the state from before the run."""
        run_id, thread_id = active.run.run_id, active.thread_id
        try:
            await delete_run_checkpoints(self._checkpointer, thread_id=thread_id, run_id=run_id)
            await self._runs.delete(run_id)
            if graph is not None:
                before = _Ending()
                await self._read_final_state(run_id, thread_id, graph, before)
                if before.state is not None:
                    ending.output = before.output
                    await self._runs.set_thread_state(
                        thread_id, status=before.thread_status, state=before.state
                    )
        except Exception:
            logger.exception("rolling back run %s failed", run_id)

    async def _read_final_state(
        self, run_id: str, thread_id: str, graph: Any, ending: _Ending
    ) -> None:
        try:
            snapshot = await graph.aget_state({"configurable": {"thread_id": thread_id}})
        except Exception:
            logger.exception(
                "reading the state of thread %s after run %s failed", thread_id, run_id
            )
            return
        try:
            ending.state = ThreadState(
                values=to_json_value(snapshot.values),
                interrupts=to_json_value(pending_interrupts(snapshot)),
            )
            ending.output = dumps(run_output(snapshot))
        except TypeError as exc:
            # The graph finished but left state JSON cannot hold: the client cannot see it.
            ending.status, ending.thread_status = "error", "error"
            ending.error = {"error": type(exc).__name__, "message": str(exc)}
            await self._publish(run_id, "error", ending.error)
            return
        if ending.status == "success" and (snapshot.next or snapshot.interrupts):
            ending.thread_status = "interrupted"
