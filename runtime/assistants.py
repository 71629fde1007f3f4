"""Assistants as the API sees them: a registered graph plus config, context and metadata, with
versions. Registry graphs are read-only default assistants; wherever an assistant id is
accepted, the graph id works too."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Literal

from graphs.errors import UnknownGraph
from runtime.assistant_store import AssistantSortField, AssistantStore
from runtime.errors import AssistantReadOnly
from runtime.graph_catalog import GraphCatalog, ResolvedAssistant
from runtime.records import AssistantRecord
from runtime.threads import ThreadService

DEFAULT_NAME = "Untitled"  # what the LangGraph server names an assistant created without one


class AssistantService:
    """Creates, reads, versions and deletes assistants over the store and the graph catalog."""

    def __init__(
        self, *, store: AssistantStore, catalog: GraphCatalog, threads: ThreadService
    ) -> None:
        self.store = store
        self._catalog = catalog
        self._threads = threads

    def _stored_id(self, assistant_or_graph_id: str) -> str:
        # A graph id names its default assistant, whose row is keyed by the uuid5.
        try:
            return self._catalog.spec(assistant_or_graph_id).assistant_id
        except UnknownGraph:
            return assistant_or_graph_id  # a user-created assistant's own id

    def check_graph(self, graph_id: str) -> None:
        """:class:`GraphNotFound` unless ``graph_id`` is a registered graph."""
        self._catalog.graph_spec(graph_id)

    async def resolve(self, assistant_or_graph_id: str) -> ResolvedAssistant:
        """The graph and run settings of an assistant (see :meth:`GraphCatalog.resolve`)."""
        return await self._catalog.resolve(assistant_or_graph_id)

    async def get(self, assistant_or_graph_id: str) -> AssistantRecord:
        """The assistant by its id, or a graph's default assistant by graph id."""
        return await self.store.get(self._stored_id(assistant_or_graph_id))

    async def create(
        self,
        *,
        graph_id: str,
        assistant_id: str | None = None,
        config: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        name: str | None = None,
        description: str | None = None,
        if_exists: Literal["raise", "do_nothing"] = "raise",
    ) -> AssistantRecord:
        """A new assistant over a registered graph (:class:`GraphNotFound` otherwise)."""
        self.check_graph(graph_id)
        return await self.store.create(
            assistant_id=assistant_id or str(uuid.uuid4()),
            graph_id=graph_id,
            config=config or {},
            context=context or {},
            metadata=metadata or {},
            name=name or DEFAULT_NAME,
            description=description,
            if_exists=if_exists,
        )

    async def update(
        self,
        assistant_or_graph_id: str,
        *,
        graph_id: str | None = None,
        config: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        name: str | None = None,
        description: str | None = None,
    ) -> AssistantRecord:
        """Save a new version with the given fields changed (metadata merged)."""
        if graph_id is not None:
            self.check_graph(graph_id)
        return await self.store.update(
            self._stored_id(assistant_or_graph_id),
            graph_id=graph_id,
            config=config,
            context=context,
            metadata=metadata,
            name=name,
            description=description,
        )

    async def delete(self, assistant_or_graph_id: str, *, delete_threads: bool = False) -> None:
        """Delete a user assistant and its versions; with ``delete_threads``, also every thread
        whose runs used it (their runs are stopped first)."""
        record = await self.get(assistant_or_graph_id)
        if record.system:
            raise AssistantReadOnly(record.assistant_id, record.graph_id)
        if delete_threads:
            await self._delete_threads_of(record.assistant_id)
        await self.store.delete(record.assistant_id)

    async def _delete_threads_of(self, assistant_id: str) -> None:
        while True:
            found = await self._threads.store.search(
                metadata={"assistant_id": assistant_id}, limit=100
            )
            if not found:
                return
            for thread in found:
                await self._threads.delete(thread.thread_id)

    async def search(
        self,
        *,
        graph_id: str | None = None,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: AssistantSortField | None = None,
        sort_order: Literal["asc", "desc"] | None = None,
    ) -> tuple[list[AssistantRecord], bool]:
        """A page of assistants and whether another page follows."""
        return await self.store.search(
            graph_id=graph_id,
            name=name,
            metadata=metadata,
            limit=limit,
            offset=offset,
            sort_by=sort_by,
            sort_order=sort_order,
        )

    async def count(
        self,
        *,
        graph_id: str | None = None,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> int:
        """How many assistants match."""
        return await self.store.count(graph_id=graph_id, name=name, metadata=metadata)

    async def versions(
        self,
        assistant_or_graph_id: str,
        *,
        metadata: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[AssistantRecord]:
        """The assistant's versions, newest first."""
        return await self.store.versions(
            self._stored_id(assistant_or_graph_id), metadata=metadata, limit=limit, offset=offset
        )

    async def set_latest(self, assistant_or_graph_id: str, version: int) -> AssistantRecord:
        """Make ``version`` the assistant's current one."""
        return await self.store.set_latest(self._stored_id(assistant_or_graph_id), version)

    async def compiled_graph(self, assistant_or_graph_id: str) -> tuple[ResolvedAssistant, Any]:
        """The assistant and its compiled graph (for drawings and schemas)."""
        assistant = await self.resolve(assistant_or_graph_id)
        return assistant, await self._catalog.compiled(assistant.graph_id)
