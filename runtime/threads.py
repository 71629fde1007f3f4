"""Thread operations that span records, runs and checkpoints: delete, copy, read and update
state, history."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from langgraph.errors import InvalidUpdateError

from runtime.checkpoints import copy_thread_checkpoints
from runtime.errors import (
    CheckpointNotFound,
    InvalidStateUpdate,
    ThreadBusy,
    ThreadHasNoGraph,
)
from runtime.executor import RunExecutor
from runtime.graph_catalog import GraphCatalog
from runtime.records import ThreadRecord, ThreadStatus
from runtime.serialization import to_json_value
from runtime.state import checkpoint_of, empty_state, pending_interrupts, snapshot_to_state
from runtime.thread_store import Owners, ThreadStore

logger = logging.getLogger(__name__)

# The parts of a client's checkpoint object that address a checkpoint (its thread is the path's).
_CHECKPOINT_KEYS = ("checkpoint_ns", "checkpoint_id", "checkpoint_map")


def _config(thread_id: str, checkpoint: Mapping[str, Any] | None = None) -> dict[str, Any]:
    configurable: dict[str, Any] = {"thread_id": thread_id, "checkpoint_ns": ""}
    for key in _CHECKPOINT_KEYS:
        if checkpoint and checkpoint.get(key) is not None:
            configurable[key] = checkpoint[key]
    return {"configurable": configurable}


class ThreadService:
    """Threads as the API sees them; plain record operations live on :attr:`store`."""

    def __init__(
        self,
        *,
        store: ThreadStore,
        executor: RunExecutor,
        catalog: GraphCatalog,
        checkpointer: Any,
    ) -> None:
        self.store = store
        self._executor = executor
        self._catalog = catalog
        self._checkpointer = checkpointer

    async def delete(self, thread_id: str, *, owners: Owners = None) -> None:
        """Stop the thread's runs, then delete its record, runs and checkpoints (``owners``:
        whose threads the caller may see; any other is not found)."""
        await self.store.get(thread_id, owners=owners)
        await self._executor.stop_thread_runs(thread_id)
        await self.store.delete(thread_id)
        await self._checkpointer.adelete_thread(thread_id)

    async def copy(
        self, thread_id: str, *, owners: Owners = None, owner: str | None = None
    ) -> ThreadRecord:
        """A new thread, ``owner``'s, with the metadata, values and every checkpoint of
        ``thread_id``."""
        record = await self.store.copy(thread_id, owners=owners, owner=owner)
        try:
            await copy_thread_checkpoints(self._checkpointer, thread_id, record.thread_id)
        except BaseException:
            # Nothing half-written: a copy without its checkpoints would show wrong state.
            await self.store.delete(record.thread_id)
            await self._checkpointer.adelete_thread(record.thread_id)
            raise
        return record

    async def _graph(self, thread: ThreadRecord) -> Any:
        if thread.graph_id is None:
            return None
        return await self._catalog.compiled(self._catalog.graph_spec(thread.graph_id).graph_id)

    async def state(
        self,
        thread_id: str,
        *,
        subgraphs: bool = False,
        checkpoint: Mapping[str, Any] | None = None,
        owners: Owners = None,
    ) -> dict[str, Any]:
        """The thread's ``ThreadState`` now, or at ``checkpoint`` (values hold Python objects)."""
        thread = await self.store.get(thread_id, owners=owners)
        wanted = (checkpoint or {}).get("checkpoint_id")
        graph = await self._graph(thread)
        snapshot = None
        if graph is not None:
            snapshot = await graph.aget_state(_config(thread_id, checkpoint), subgraphs=subgraphs)
        if snapshot is None or snapshot.created_at is None:
            if wanted:
                raise CheckpointNotFound(thread_id, str(wanted))
            return empty_state(thread_id)
        return snapshot_to_state(snapshot)

    async def update_state(
        self,
        thread_id: str,
        values: Any,
        *,
        as_node: str | None = None,
        checkpoint: Mapping[str, Any] | None = None,
        owners: Owners = None,
    ) -> dict[str, Any]:
        """Write ``values`` as if ``as_node`` had run (from ``checkpoint`` when given); the
        thread's record follows. Answers the new checkpoint."""
        thread = await self.store.get(thread_id, owners=owners)
        if thread.status == "busy":
            raise ThreadBusy(thread_id)
        graph = await self._graph(thread)
        if graph is None:
            raise ThreadHasNoGraph(thread_id)
        config = _config(thread_id, checkpoint)
        wanted = config["configurable"].get("checkpoint_id")
        if wanted and await self._checkpointer.aget_tuple(config) is None:
            raise CheckpointNotFound(thread_id, wanted)
        try:
            written = await graph.aupdate_state(config, values, as_node=as_node)
        # ValueError also covers a checkpoint_ns naming no subgraph of this graph, and
        # NotImplementedError values a reducer cannot take (e.g. a number as a message).
        except (InvalidUpdateError, ValueError, TypeError, NotImplementedError) as exc:
            reason = str(exc).split("\n", 1)[0]  # LangGraph appends a troubleshooting link
            raise InvalidStateUpdate(f"the graph refused the update: {reason}") from exc
        await self._refresh_record(thread_id, graph)
        return {"checkpoint": checkpoint_of(written)}

    async def _refresh_record(self, thread_id: str, graph: Any) -> None:
        snapshot = await graph.aget_state({"configurable": {"thread_id": thread_id}})
        status: ThreadStatus = "interrupted" if snapshot.next or snapshot.interrupts else "idle"
        try:
            values = to_json_value(snapshot.values)
            interrupts = to_json_value(pending_interrupts(snapshot))
        except TypeError as exc:
            logger.warning(
                "state of thread %s is not JSON; record keeps old values: %s", thread_id, exc
            )
            current = await self.store.get(thread_id)
            values, interrupts = current.values, current.interrupts
        await self.store.set_state(thread_id, values=values, interrupts=interrupts, status=status)

    async def history(
        self,
        thread_id: str,
        *,
        limit: int = 10,
        before: str | Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        checkpoint: Mapping[str, Any] | None = None,
        owners: Owners = None,
    ) -> list[dict[str, Any]]:
        """Past states, newest first; ``before`` a checkpoint id or object, ``metadata`` a filter
        on checkpoint metadata, ``checkpoint`` a subgraph namespace to list."""
        thread = await self.store.get(thread_id, owners=owners)
        graph = await self._graph(thread)
        if graph is None:
            return []
        before_config = None
        if before:
            before_config = (
                {"configurable": {"checkpoint_id": before}}
                if isinstance(before, str)
                else _config(thread_id, before)
            )
        return [
            snapshot_to_state(snapshot)
            async for snapshot in graph.aget_state_history(
                _config(thread_id, checkpoint),
                filter=dict(metadata) if metadata else None,
                before=before_config,
                limit=limit,
            )
        ]
