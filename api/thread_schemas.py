"""Bodies of the thread count, state and history routes, with the LangGraph server's names."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.schemas import CheckpointIn, _Request
from runtime.records import ThreadStatus


class ThreadCount(_Request):
    """Body of ``POST /threads/count``."""

    metadata: dict[str, Any] | None = None
    values: dict[str, Any] | None = None
    status: ThreadStatus | None = None


class ThreadStateUpdate(_Request):
    """Body of ``POST /threads/{id}/state``: write values as if ``as_node`` had just run."""

    values: dict[str, Any] | list[Any] | None = None
    as_node: str | None = Field(None, min_length=1)
    checkpoint: CheckpointIn | None = Field(None, description="Fork from this checkpoint.")
    checkpoint_id: str | None = Field(None, description="Fork from this checkpoint.")


class ThreadStateAtCheckpoint(_Request):
    """Body of ``POST /threads/{id}/state/checkpoint``."""

    checkpoint: CheckpointIn
    subgraphs: bool = False


class ThreadHistory(_Request):
    """Body of ``POST /threads/{id}/history``: past states, newest first."""

    limit: int = Field(10, ge=1, le=1000)
    before: str | CheckpointIn | None = Field(
        None, description="A checkpoint id or object: only states before it."
    )
    metadata: dict[str, Any] | None = Field(None, description="Checkpoint metadata to match.")
    checkpoint: CheckpointIn | None = Field(None, description="A subgraph namespace to list.")


class ThreadState(BaseModel):
    """A thread's state at one checkpoint."""

    values: Any
    next: list[str]
    tasks: list[dict[str, Any]]
    checkpoint: dict[str, Any]
    metadata: dict[str, Any] | None
    created_at: str | None
    parent_checkpoint: dict[str, Any] | None
    interrupts: list[Any]


class ThreadStateUpdated(BaseModel):
    """The checkpoint a state update wrote."""

    checkpoint: dict[str, Any]
