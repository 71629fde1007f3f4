"""SQLAlchemy tables of the run runtime: threads, their runs and assistants, on the shared Base."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.columns import UTCDateTime, json_type
from crm.db import Base

THREAD_STATUSES = ("idle", "busy", "interrupted", "error")
RUN_STATUSES = ("pending", "running", "error", "success", "timeout", "interrupted")
MULTITASK_STRATEGIES = ("reject", "interrupt", "rollback", "enqueue")

ID = String(36)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class GraphThread(Base):
    """A conversation with a graph: its checkpoints live in the checkpointer under this id."""

    __tablename__ = "graph_threads"
    __table_args__ = (CheckConstraint(_in("status", THREAD_STATUSES), name="status"),)

    thread_id: Mapped[str] = mapped_column(ID, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # "metadata" is reserved on declarative classes; the column keeps the API's name.
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata")
    config: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), index=True)
    # The state after the last run, as JSON, so GET /threads and search need no graph.
    values: Mapped[Any | None] = mapped_column(json_type(), nullable=True)
    interrupts: Mapped[dict[str, Any]]


class GraphRun(Base):
    """One invocation of a graph on a thread, with the request that started it."""

    __tablename__ = "graph_runs"
    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="status"),
        CheckConstraint(_in("multitask_strategy", MULTITASK_STRATEGIES), name="multitask_strategy"),
        Index("ix_graph_runs_thread_id_created_at", "thread_id", "created_at"),
    )

    run_id: Mapped[str] = mapped_column(ID, primary_key=True)
    thread_id: Mapped[str] = mapped_column(
        ForeignKey("graph_threads.thread_id", ondelete="CASCADE")
    )
    assistant_id: Mapped[str] = mapped_column(ID)
    graph_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), index=True)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata")
    # input, command, config, stream modes...: enough to run it again (retries, queue workers).
    kwargs: Mapped[dict[str, Any]]
    multitask_strategy: Mapped[str] = mapped_column(String(16))
    error: Mapped[dict[str, Any] | None] = mapped_column(json_type(), nullable=True)


class GraphAssistant(Base):
    """A graph plus the configuration and context its runs get; its current version's fields.

    Every registered graph has a ``system`` assistant (id uuid5 of the graph id) that mirrors the
    registry and is read-only; users create further assistants over the same graphs.
    """

    __tablename__ = "graph_assistants"

    assistant_id: Mapped[str] = mapped_column(ID, primary_key=True)
    graph_id: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    config: Mapped[dict[str, Any]]
    context: Mapped[dict[str, Any]]
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata")
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int]
    system: Mapped[bool]


class GraphAssistantVersion(Base):
    """One saved version of an assistant; PATCH adds one, ``/latest`` makes one current again."""

    __tablename__ = "graph_assistant_versions"

    assistant_id: Mapped[str] = mapped_column(
        ForeignKey("graph_assistants.assistant_id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True)
    graph_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    config: Mapped[dict[str, Any]]
    context: Mapped[dict[str, Any]]
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata")
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
