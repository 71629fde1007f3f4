"""The graphs this server runs: lookup by graph id or assistant id, compiled once on demand.

:meth:`GraphCatalog.resolve` is the one place an assistant id, a default assistant id or a graph
id becomes a graph plus the configuration and context its runs get.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from graphs.errors import UnknownGraph
from graphs.registry import GraphSpec, resolve_graph_spec
from runtime.errors import AssistantNotFound, GraphNotFound
from runtime.run_request import RunRequest
from runtime.service_loader import ServicesLoader

if TYPE_CHECKING:
    from runtime.assistant_store import AssistantStore


@dataclass(frozen=True)
class ResolvedAssistant:
    """The assistant a run executes: its graph, and the config and context it adds to runs."""

    assistant_id: str
    spec: GraphSpec
    config: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)
    version: int = 1

    @property
    def graph_id(self) -> str:
        return self.spec.graph_id

    def apply(self, request: RunRequest) -> RunRequest:
        """``request`` with the assistant's config and context beneath the run's own values."""
        if not self.config and not self.context:
            return dataclasses.replace(request, assistant_id=self.assistant_id)
        context = request.context
        if self.context and (context is None or isinstance(context, Mapping)):
            context = {**self.context, **(context or {})}
        return dataclasses.replace(
            request,
            assistant_id=self.assistant_id,
            config=merge_configs(self.config, request.config),
            context=context,
        )


def merge_configs(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``: configurable and metadata key by key, tags concatenated."""
    merged: dict[str, Any] = {**base, **override}
    for key in ("configurable", "metadata"):
        inner = {**(base.get(key) or {}), **(override.get(key) or {})}
        if inner:
            merged[key] = inner
    tags = list(dict.fromkeys([*(base.get("tags") or []), *(override.get("tags") or [])]))
    if tags:
        merged["tags"] = tags
    return merged


class GraphCatalog:
    """Graph specs plus their compiled graphs, built with the services, checkpointer and store."""

    def __init__(
        self,
        specs: Mapping[str, GraphSpec],
        *,
        services: ServicesLoader,
        checkpointer: Any,
        store: Any,
        assistants: AssistantStore | None = None,
    ) -> None:
        self._specs = dict(specs)
        self._assistants = assistants
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
        return resolve_graph_spec(self._specs, graph_or_assistant_id)

    async def resolve(self, assistant_or_graph_id: str) -> ResolvedAssistant:
        """The assistant named by its id, or a graph's default assistant by graph id or uuid5.

        Default assistants are read-only mirrors of the registry, so they resolve without a
        database read; user-created ones are read from the assistant store.
        :class:`AssistantNotFound` (an :class:`UnknownGraph`) when nothing has that id.
        """
        try:
            default = self.spec(assistant_or_graph_id)
        except UnknownGraph:
            if self._assistants is None:
                raise AssistantNotFound(assistant_or_graph_id) from None
        else:
            return ResolvedAssistant(assistant_id=default.assistant_id, spec=default)
        record = await self._assistants.get(assistant_or_graph_id)
        return ResolvedAssistant(
            assistant_id=record.assistant_id,
            spec=self.graph_spec(record.graph_id),
            config=record.config,
            context=record.context,
            version=record.version,
        )

    def graph_spec(self, graph_id: str) -> GraphSpec:
        """The graph registered under exactly this graph id; :class:`GraphNotFound` otherwise."""
        spec = self._specs.get(graph_id)
        if spec is None:
            raise GraphNotFound(graph_id, list(self._specs))
        return spec

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
