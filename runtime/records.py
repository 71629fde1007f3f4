"""Plain, immutable views of thread, run and assistant rows, detached from any session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from runtime.models import GraphAssistant, GraphAssistantVersion, GraphRun, GraphThread

ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
RunStatus = Literal["pending", "running", "error", "success", "timeout", "interrupted"]

ACTIVE_RUN_STATUSES: tuple[RunStatus, ...] = ("pending", "running")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (what every timestamp column stores)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class ThreadRecord:
    """A thread as the API shows it."""

    thread_id: str
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, Any]
    config: dict[str, Any]
    status: ThreadStatus
    values: Any
    interrupts: dict[str, Any]

    @property
    def graph_id(self) -> str | None:
        """The graph of the thread's runs (set by its first run), if any."""
        value = self.metadata.get("graph_id")
        return value if isinstance(value, str) else None

    @classmethod
    def from_row(cls, row: GraphThread) -> ThreadRecord:
        return cls(
            thread_id=row.thread_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            metadata=dict(row.metadata_ or {}),
            config=dict(row.config or {}),
            status=row.status,  # type: ignore[arg-type]  # the CHECK constraint guarantees it
            values=row.values,
            interrupts=dict(row.interrupts or {}),
        )


@dataclass(frozen=True)
class RunRecord:
    """A run as the API shows it."""

    run_id: str
    thread_id: str
    assistant_id: str
    graph_id: str
    created_at: datetime
    updated_at: datetime
    status: RunStatus
    metadata: dict[str, Any]
    kwargs: dict[str, Any]
    multitask_strategy: str
    error: dict[str, Any] | None

    @classmethod
    def from_row(cls, row: GraphRun) -> RunRecord:
        return cls(
            run_id=row.run_id,
            thread_id=row.thread_id,
            assistant_id=row.assistant_id,
            graph_id=row.graph_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            status=row.status,  # type: ignore[arg-type]  # the CHECK constraint guarantees it
            metadata=dict(row.metadata_ or {}),
            kwargs=dict(row.kwargs or {}),
            multitask_strategy=row.multitask_strategy,
            error=row.error,
        )


@dataclass(frozen=True)
class AssistantRecord:
    """An assistant (or one of its versions) as the API shows it."""

    assistant_id: str
    graph_id: str
    config: dict[str, Any]
    context: dict[str, Any]
    metadata: dict[str, Any]
    name: str
    description: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    system: bool = False

    @classmethod
    def from_row(
        cls, row: GraphAssistant | GraphAssistantVersion, *, system: bool
    ) -> AssistantRecord:
        return cls(
            assistant_id=row.assistant_id,
            graph_id=row.graph_id,
            config=dict(row.config or {}),
            context=dict(row.context or {}),
            metadata=dict(row.metadata_ or {}),
            name=row.name,
            description=row.description,
            version=row.version,
            created_at=row.created_at,
            updated_at=getattr(row, "updated_at", row.created_at),
            system=system,
        )
