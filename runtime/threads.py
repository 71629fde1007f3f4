"""Thread operations that span records, runs and checkpoints: delete and read state."""

from __future__ import annotations

from typing import Any

from runtime.executor import RunExecutor
from runtime.graphs import GraphCatalog
from runtime.state import empty_state, snapshot_to_state
from runtime.thread_store import ThreadStore


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

    async def delete(self, thread_id: str) -> None:
        """Stop the thread's runs, then delete its record, runs and checkpoints."""
        await self.store.get(thread_id)
        await self._executor.stop_thread_runs(thread_id)
        await self.store.delete(thread_id)
        await self._checkpointer.adelete_thread(thread_id)

    async def state(self, thread_id: str, *, subgraphs: bool = False) -> dict[str, Any]:
        """The thread's current ``ThreadState`` (values still hold Python objects)."""
        thread = await self.store.get(thread_id)
        if thread.graph_id is None:
            return empty_state(thread_id)
        graph = await self._catalog.compiled(thread.graph_id)
        snapshot = await graph.aget_state(
            {"configurable": {"thread_id": thread_id}}, subgraphs=subgraphs
        )
        if not snapshot.config:
            return empty_state(thread_id)
        return snapshot_to_state(snapshot)
