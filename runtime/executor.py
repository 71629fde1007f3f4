"""Start runs as background tasks, order the runs of each thread, and cancel them.

A run's task (:mod:`runtime.run_task`) streams the graph into the broker; HTTP handlers only
subscribe. Runs of one thread execute one at a time, in the order they were created: a new
run waits for the thread's earlier runs, after cancelling them first when its multitask
strategy is ``interrupt`` (their progress is kept) or ``rollback`` (they are deleted with their
checkpoints). ``reject`` is enforced when the run is created (:class:`ThreadBusy`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal

from runtime.broker import StreamBroker, StreamEvent
from runtime.errors import RunActive, RunNotActive
from runtime.graph_catalog import GraphCatalog
from runtime.records import ACTIVE_RUN_STATUSES, RunRecord
from runtime.run_lifecycle import CancelAction, CancelDelivery
from runtime.run_request import RunRequest
from runtime.run_store import RunStore
from runtime.run_task import ActiveRun, RunOutcome, RunTask, StartedRun
from runtime.serialization import dumps
from runtime.thread_store import OWNER_KEY, ThreadStore
from runtime.webhooks import WebhookSender

logger = logging.getLogger(__name__)

__all__ = ["CancelAction", "RunExecutor", "RunOutcome", "StartedRun"]


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
        webhooks: WebhookSender | None = None,
    ) -> None:
        self._threads = threads
        self._runs = runs
        self._broker = broker
        self._task = RunTask(
            threads=threads,
            runs=runs,
            catalog=catalog,
            broker=broker,
            checkpointer=checkpointer,
            webhooks=webhooks or WebhookSender(),
        )
        self._catalog = catalog
        # Insertion order is creation order, which is the order a thread's runs execute in.
        self._active: dict[str, ActiveRun] = {}

    async def start(self, request: RunRequest, *, thread_id: str | None) -> StartedRun:
        """Create a run on ``thread_id`` (a temporary thread when None) and start executing it
        once the thread's earlier runs have ended."""
        await self._task.webhooks.admit(request.webhook)
        resolved = await self._catalog.resolve(request.assistant_id)
        request = resolved.apply(request)
        temporary = new_thread = False
        if thread_id is None:
            # Created with the run, in one transaction.
            thread_id, new_thread = str(uuid.uuid4()), True
            temporary = request.on_completion == "delete"
        elif request.if_not_exists == "create":
            owned = {OWNER_KEY: request.owner} if request.owner else {}
            await self._threads.create(thread_id=thread_id, metadata=owned, if_exists="do_nothing")
        run = await self._runs.create(
            run_id=str(uuid.uuid4()),
            thread_id=thread_id,
            assistant_id=resolved.assistant_id,
            graph_id=resolved.graph_id,
            metadata=request.metadata,
            kwargs=request.to_kwargs(temporary=temporary),
            multitask_strategy=request.multitask_strategy,
            new_thread=new_thread,
            owner=request.owner,
            # Nothing can run before it on a thread created with it: one transaction fewer.
            status="running" if new_thread and not request.after_seconds else "pending",
        )
        self._broker.open(run.run_id, resumable=request.stream_resumable)
        events = self._broker.subscribe(run.run_id, from_start=True)
        earlier = [active for active in self._active.values() if active.thread_id == thread_id]
        active = ActiveRun(
            run=run,
            spec=resolved.spec,
            request=request,
            temporary=temporary,
            outcome=asyncio.get_running_loop().create_future(),
            predecessors=earlier,
        )
        self._active[run.run_id] = active
        strategy = request.multitask_strategy
        if strategy == "interrupt" or strategy == "rollback":
            for other in earlier:
                self._cancel(other, strategy)
        active.task = asyncio.create_task(self._execute(active), name=f"run-{run.run_id}")
        return StartedRun(run=run, events=events, outcome=active.outcome)

    async def check(self, request: RunRequest) -> None:
        """Raise what :meth:`start` would for an unknown assistant or a refused webhook,
        creating nothing."""
        await self._catalog.resolve(request.assistant_id)
        await self._task.webhooks.admit(request.webhook)

    async def _execute(self, active: ActiveRun) -> None:
        try:
            await self._task.execute(active)
        finally:
            self._active.pop(active.run.run_id, None)

    def events(self, run_id: str, *, after: int | None = None) -> AsyncIterator[StreamEvent]:
        """A run's events from now on, or after the event with id ``after`` (while the broker
        keeps them); empty once the run has ended and its events are gone."""
        return self._broker.subscribe(run_id, after=after)

    def is_executing(self, run_id: str) -> bool:
        """Whether the run is pending or running in this process."""
        return run_id in self._active

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

    def cancel(self, run_id: str, *, action: CancelAction = "interrupt") -> bool:
        """Ask a run to stop; it ends ``interrupted`` (``rollback``: it is deleted with its
        checkpoints). False if it is not executing here."""
        active = self._active.get(run_id)
        if active is None:
            return False
        self._cancel(active, action)
        return True

    def _cancel(self, active: ActiveRun, action: CancelAction) -> None:
        # Before the task's first step the lifecycle keeps the cancel for the run to honour as it
        # starts (cancelling the task then would skip the code that stores its outcome); once
        # the graph has stopped it is too late and nothing is done.
        delivery = active.lifecycle.request_cancel(action)
        if delivery is CancelDelivery.CANCEL_TASK and active.task is not None:
            active.task.cancel()

    async def cancel_run(
        self, run_id: str, *, thread_id: str, action: CancelAction = "interrupt", wait: bool
    ) -> None:
        """Cancel a run of ``thread_id``; with ``wait``, return once its outcome is stored.

        :class:`RunNotFound` for an unknown run, :class:`RunNotActive` if it has ended.
        """
        record = await self._runs.get(run_id, thread_id=thread_id)
        active = self._active.get(run_id)
        if active is None or record.status not in ACTIVE_RUN_STATUSES:
            raise RunNotActive(run_id, record.status)
        self._cancel(active, action)
        if wait:
            await asyncio.shield(active.outcome)

    def cancel_many(
        self,
        *,
        thread_id: str | None = None,
        run_ids: Sequence[str] | None = None,
        status: Literal["pending", "running", "all"] | None = None,
        action: CancelAction = "interrupt",
        owners: frozenset[str] | None = None,
    ) -> int:
        """Cancel the runs executing here that match every filter given (``owners``: only runs
        started by one of these users); how many."""
        chosen = [
            active
            for active in self._active.values()
            if (thread_id is None or active.thread_id == thread_id)
            and (owners is None or active.request.owner in owners)
            and (not run_ids or active.run.run_id in run_ids)
            and (status in (None, "all") or active.lifecycle.running == (status == "running"))
        ]
        for active in chosen:
            self._cancel(active, action)
        return len(chosen)

    async def delete_run(self, run_id: str, *, thread_id: str) -> None:
        """Delete an ended run's record; :class:`RunActive` while it is pending or running."""
        record = await self._runs.get(run_id, thread_id=thread_id)
        if run_id in self._active or record.status in ACTIVE_RUN_STATUSES:
            raise RunActive(run_id, "delete")
        await self._runs.delete(run_id, thread_id=thread_id)
        forget = getattr(self._broker, "forget", None)
        if forget is not None:
            forget(run_id)

    async def stop_thread_runs(self, thread_id: str) -> None:
        """Cancel the thread's runs and wait until they have stored their outcome."""
        pending = [active for active in self._active.values() if active.thread_id == thread_id]
        for active in pending:
            self._cancel(active, "interrupt")
        await asyncio.gather(*(asyncio.shield(active.outcome) for active in pending))

    async def aclose(self) -> None:
        """Cancel every run (they end ``interrupted``), wait for them to store that, then let
        webhooks in flight finish briefly."""
        actives = list(self._active.values())
        for active in actives:
            self._cancel(active, "interrupt")
        await asyncio.gather(
            *(active.task for active in actives if active.task is not None),
            return_exceptions=True,
        )
        await self._task.webhooks.aclose()
