"""Assistant rows and their versions: create, read, patch (a new version), delete, search.

Blocking SQL runs in worker threads (the session-level work is in ``_assistant_rows``). Every
registered graph has a read-only ``system`` row, kept in step with the registry by
:meth:`AssistantStore.sync_system` at startup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Literal, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from graphs.registry import GraphSpec
from runtime import _assistant_rows as rows
from runtime.models import GraphAssistant
from runtime.records import AssistantRecord

T = TypeVar("T")

AssistantSortField = Literal["assistant_id", "graph_id", "name", "created_at", "updated_at"]


class AssistantStore:
    """Persistence of assistants; every method is a coroutine that keeps SQL off the event loop."""

    def __init__(
        self, sessions: sessionmaker[Session], *, limiter: anyio.CapacityLimiter | None = None
    ) -> None:
        self._sessions = sessions
        # The records' writers take turns here rather than on SQLite's lock (see database.py).
        self._limiter = limiter

    async def _run(self, fn: Callable[[Session], T]) -> T:
        def work() -> T:
            # One retry: two writers racing for the same id or version number collide on the
            # primary key; the second attempt sees the first one's row and acts on it.
            for attempt in (1, 2):
                with self._sessions() as session:
                    try:
                        return fn(session)
                    except IntegrityError:
                        session.rollback()
                        if attempt == 2:
                            raise
            raise AssertionError("unreachable")

        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    async def sync_system(self, specs: Sequence[GraphSpec]) -> None:
        """Make the system assistants exactly the registered graphs (insert, refresh, drop)."""
        await self._run(partial(rows.sync_system, specs=list(specs)))

    async def create(
        self,
        *,
        assistant_id: str,
        graph_id: str,
        config: Mapping[str, Any],
        context: Mapping[str, Any],
        metadata: Mapping[str, Any],
        name: str,
        description: str | None,
        if_exists: Literal["raise", "do_nothing"] = "raise",
    ) -> AssistantRecord:
        """A new assistant at version 1; an existing id raises or is returned (``if_exists``)."""
        fields = {
            "graph_id": graph_id,
            "config": dict(config),
            "context": dict(context),
            "metadata_": dict(metadata),
            "name": name,
            "description": description,
        }
        return await self._run(
            partial(rows.create, assistant_id=assistant_id, fields=fields, if_exists=if_exists)
        )

    async def get(self, assistant_id: str) -> AssistantRecord:
        """The assistant, or :class:`AssistantNotFound`."""
        return await self._run(partial(rows.get, assistant_id=assistant_id))

    async def update(
        self,
        assistant_id: str,
        *,
        graph_id: str | None = None,
        config: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        name: str | None = None,
        description: str | None = None,
    ) -> AssistantRecord:
        """Save a new version: given fields replace the current ones, metadata is merged."""
        changes = {
            "graph_id": graph_id,
            "config": None if config is None else dict(config),
            "context": None if context is None else dict(context),
            "metadata": None if metadata is None else dict(metadata),
            "name": name,
            "description": description,
        }
        return await self._run(partial(rows.update, assistant_id=assistant_id, changes=changes))

    async def delete(self, assistant_id: str) -> None:
        """Delete the assistant and its versions."""
        await self._run(partial(rows.delete, assistant_id=assistant_id))

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
        """One page of matching assistants (newest first by default), and whether more follow."""
        query = rows.filtered(graph_id=graph_id, name=name)
        column = {
            "assistant_id": GraphAssistant.assistant_id,
            "graph_id": func.lower(GraphAssistant.graph_id),
            "name": func.lower(GraphAssistant.name),
            "created_at": GraphAssistant.created_at,
            "updated_at": GraphAssistant.updated_at,
        }[sort_by or "created_at"]
        ascending = sort_order == "asc"
        query = query.order_by(
            column.asc() if ascending else column.desc(), GraphAssistant.assistant_id
        )
        return await self._run(
            partial(rows.page, query=query, metadata=metadata, limit=limit, offset=offset)
        )

    async def count(
        self,
        *,
        graph_id: str | None = None,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> int:
        """How many assistants match."""
        query = rows.filtered(graph_id=graph_id, name=name)
        return await self._run(partial(rows.count, query=query, metadata=metadata))

    async def versions(
        self,
        assistant_id: str,
        *,
        metadata: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[AssistantRecord]:
        """The assistant's versions, newest first."""
        return await self._run(
            partial(
                rows.versions,
                assistant_id=assistant_id,
                metadata=metadata,
                limit=limit,
                offset=offset,
            )
        )

    async def set_latest(self, assistant_id: str, version: int) -> AssistantRecord:
        """Make an earlier (or later) version the current one."""
        return await self._run(partial(rows.set_latest, assistant_id=assistant_id, version=version))
