"""The graphs this server runs: lookup by graph id or assistant id, compiled once on demand."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import partial
from typing import Any

import anyio.to_thread

from graphs.errors import UnknownGraph
from graphs.registry import GraphSpec
from runtime.service_loader import ServicesLoader


class GraphCatalog:
    """Graph specs plus their compiled graphs, built with the services, checkpointer and store."""

    def __init__(
        self,
        specs: Mapping[str, GraphSpec],
        *,
        services: ServicesLoader,
        checkpointer: Any,
        store: Any,
    ) -> None:
        self._specs = dict(specs)
        self._services = services
        self._checkpointer = checkpointer
        self._store = store
        self._compiled: dict[str, Any] = {}
        self._lock = asyncio.Lock()

    def specs(self) -> list[GraphSpec]:
        """Every graph, in registration order."""
        return list(self._specs.values())

    def spec(self, graph_or_assistant_id: str) -> GraphSpec:
        """The graph named by its graph id or its assistant id; :class:`UnknownGraph` otherwise."""
        spec = self._specs.get(graph_or_assistant_id)
        if spec is not None:
            return spec
        for spec in self._specs.values():
            if spec.assistant_id == graph_or_assistant_id:
                return spec
        raise UnknownGraph(graph_or_assistant_id)

    async def compiled(self, graph_id: str) -> Any:
        """The compiled graph, built on first use (waits for the services to load)."""
        graph = self._compiled.get(graph_id)
        if graph is not None:
            return graph
        spec = self.spec(graph_id)
        async with self._lock:
            if graph_id not in self._compiled:
                services = await self._services.get()
                build = partial(
                    spec.build,
                    services=services,
                    checkpointer=self._checkpointer,
                    store=self._store,
                )
                self._compiled[graph_id] = await anyio.to_thread.run_sync(build)
        return self._compiled[graph_id]
