"""Start runs as background tasks, publish their events, and store how they ended.

A run's task streams the graph into the broker; HTTP handlers only subscribe. The final run
and thread statuses are stored before the run's stream closes, so a client that sees the
stream end and asks for the run never finds it still running.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

from graphs.registry import GraphSpec
from runtime.broker import StreamBroker, StreamEvent
from runtime.engine import graph_input, stream_graph_events
from runtime.errors import UnsupportedRunOption
from runtime.graphs import GraphCatalog
from runtime.records import RunRecord, RunStatus, ThreadStatus
from runtime.run_request import RunRequest
from runtime.run_store import RunStore
from runtime.serialization import dumps, to_json_value
from runtime.state import pending_interrupts, run_output
from runtime.thread_store import ThreadStore

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
class _ActiveRun:
    thread_id: str
    outcome: asyncio.Future[RunOutcome]
    task: asyncio.Task[None] | None = None
    started: bool = False
    cancel_requested: bool = False


@dataclass
class _Ending:
    status: RunStatus = "success"
    error: dict[str, Any] | None = None
    thread_status: ThreadStatus = "idle"
    values: Any = None
    interrupts: dict[str, Any] = field(default_factory=dict)
    output: bytes = b"null"


class RunExecutor:
    """Creates runs and executes each in its own task on the event loop."""

    def __init__(
        self,
        *,
        threads: ThreadStore,
        runs: RunStore,
        catalog: GraphCatalog,
        broker: StreamBroker,
        checkpointer: Any,
    ) -> None:
        self._threads = threads
        self._runs = runs
        self._catalog = catalog
        self._broker = broker
        self._checkpointer = checkpointer
        self._active: dict[str, _ActiveRun] = {}

    async def start(self, request: RunRequest, *, thread_id: str | None) -> StartedRun:
        """Create a run on ``thread_id`` (a temporary thread when None) and start executing it."""
        if request.multitask_strategy != "reject":
            raise UnsupportedRunOption("multitask_strategy", request.multitask_strategy)
        spec = self._catalog.spec(request.assistant_id)
        temporary = False
        if thread_id is None:
            thread_id = (await self._threads.create()).thread_id
            temporary = request.on_completion == "delete"
        elif request.if_not_exists == "create":
            await self._threads.create(thread_id=thread_id, if_exists="do_nothing")
        run = await self._runs.create(
            run_id=str(uuid.uuid4()),
            thread_id=thread_id,
            assistant_id=spec.assistant_id,
            graph_id=spec.graph_id,
            metadata=request.metadata,
            kwargs=request.to_kwargs(temporary=temporary),
            multitask_strategy=request.multitask_strategy,
        )
        self._broker.open(run.run_id)
        events = self._broker.subscribe(run.run_id, from_start=True)
        active = _ActiveRun(thread_id=thread_id, outcome=asyncio.get_running_loop().create_future())
        self._active[run.run_id] = active
        active.task = asyncio.create_task(
            self._execute(run, spec, request, active, temporary=temporary),
            name=f"run-{run.run_id}",
        )
        return StartedRun(run=run, events=events, outcome=active.outcome)

    def events(self, run_id: str) -> AsyncIterator[StreamEvent]:
        """A running run's events from now on; empty once the run has ended."""
        return self._broker.subscribe(run_id, from_start=False)

    async def wait(self, run_id: str) -> RunOutcome | None:
        """The outcome of a run executing here, once it ends; None if it is not executing."""
        active = self._active.get(run_id)
        if active is None:
            return None
        return await asyncio.shield(active.outcome)

    async def join(self, run: RunRecord) -> bytes:
        """What ``runs/wait`` answers for ``run``, waiting for it if it is still executing."""
        outcome = await self.wait(run.run_id)
        if outcome is not None:
            return outcome.output
        if run.error is not None:
            return dumps({"__error__": run.error})
        thread = await self._threads.get(run.thread_id)
        return dumps(thread.values)

    def cancel(self, run_id: str) -> bool:
        """Ask a run to stop; it ends ``interrupted``. False if it is not executing here."""
        active = self._active.get(run_id)
        if active is None:
            return False
        if active.started and active.task is not None:
            active.task.cancel()
        else:
            # Cancelling a task before its first step skips its body, and with it the code that
            # stores the final status: the run checks this flag when it starts instead.
            active.cancel_requested = True
        return True

    async def stop_thread_runs(self, thread_id: str) -> None:
        """Cancel the thread's runs and wait until they have stored their outcome."""
        pending = [
            (run_id, active)
            for run_id, active in self._active.items()
            if active.thread_id == thread_id
        ]
        for run_id, _ in pending:
            self.cancel(run_id)
        await asyncio.gather(*(asyncio.shield(a.outcome) for _, a in pending))

    async def aclose(self) -> None:
        """Cancel every run (they end ``interrupted``) and wait for them to store that."""
        actives = list(self._active.items())
        for run_id, _ in actives:
            self.cancel(run_id)
        tasks = [active.task for _, active in actives if active.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _publish(self, run_id: str, event: str, data: Any) -> None:
        await self._broker.publish(run_id, event, dumps(data))

    async def _execute(
        self,
        run: RunRecord,
        spec: GraphSpec,
        request: RunRequest,
        active: _ActiveRun,
        *,
        temporary: bool,
    ) -> None:
        active.started = True
        run_id, thread_id = run.run_id, run.thread_id
        ending = _Ending()
        graph: Any = None
        try:
            if active.cancel_requested:
                raise asyncio.CancelledError
            await self._publish(run_id, "metadata", {"run_id": run_id, "attempt": 1})
            await self._runs.set_status(run_id, "running")
            graph = await self._catalog.compiled(spec.graph_id)
            config = request.graph_config(
                run_id=run_id,
                thread_id=thread_id,
                assistant_id=spec.assistant_id,
                graph_id=spec.graph_id,
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
            async with aclosing(stream) as events:
                async for event, data in events:
                    await self._publish(run_id, event, data)
        except asyncio.CancelledError:
            ending.status, ending.thread_status = "interrupted", "idle"
        except Exception as exc:
            logger.warning("run %s failed", run_id, exc_info=exc)
            ending.status, ending.thread_status = "error", "error"
            ending.error = {"error": type(exc).__name__, "message": str(exc)}
            await self._publish(run_id, "error", ending.error)
        try:
            await self._store_ending(run_id, thread_id, graph, ending, temporary=temporary)
        except Exception:
            logger.exception("storing the outcome of run %s failed", run_id)
        finally:
            await self._broker.close(run_id)
            self._active.pop(run_id, None)
            if not active.outcome.done():
                active.outcome.set_result(RunOutcome(status=ending.status, output=ending.output))

    async def _store_ending(
        self, run_id: str, thread_id: str, graph: Any, ending: _Ending, *, temporary: bool
    ) -> None:
        if graph is not None:
            await self._read_final_state(run_id, thread_id, graph, ending)
        if ending.error is not None:
            ending.output = dumps({"__error__": ending.error})
        await self._runs.finish(
            run_id,
            status=ending.status,
            error=ending.error,
            thread_status=ending.thread_status,
            thread_values=ending.values,
            thread_interrupts=ending.interrupts,
        )
        if temporary:
            await self._threads.delete(thread_id)
            await self._checkpointer.adelete_thread(thread_id)

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
            ending.values = to_json_value(snapshot.values)
            ending.interrupts = to_json_value(pending_interrupts(snapshot))
            ending.output = dumps(run_output(snapshot))
        except TypeError as exc:
            # The graph finished but left state JSON cannot hold: the client cannot see it.
            ending.status, ending.thread_status = "error", "error"
            ending.error = {"error": type(exc).__name__, "message": str(exc)}
            await self._publish(run_id, "error", ending.error)
            return
        if ending.status == "success" and (snapshot.next or snapshot.interrupts):
            ending.thread_status = "interrupted"
