"""Session-level operations on assistant rows, run by :class:`AssistantStore` in worker threads."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import Select, func, select
from sqlalchemy import delete as delete_rows
from sqlalchemy.orm import Session

from graphs.registry import GraphSpec
from runtime.errors import (
    AssistantExists,
    AssistantNotFound,
    AssistantReadOnly,
    AssistantVersionNotFound,
)
from runtime.models import GraphAssistant, GraphAssistantVersion
from runtime.records import AssistantRecord, utcnow
from runtime.thread_store import json_contains

logger = logging.getLogger(__name__)


def _version_row(row: GraphAssistant) -> GraphAssistantVersion:
    return GraphAssistantVersion(
        assistant_id=row.assistant_id,
        version=row.version,
        graph_id=row.graph_id,
        created_at=row.updated_at,
        config=row.config,
        context=row.context,
        metadata_=row.metadata_,
        name=row.name,
        description=row.description,
    )


def _system_fields(spec: GraphSpec) -> dict[str, Any]:
    return {
        "graph_id": spec.graph_id,
        "name": spec.graph_id,
        "description": spec.description,
        "metadata_": {"created_by": "system", "title": spec.title},
    }


def sync_system(session: Session, *, specs: list[GraphSpec]) -> None:
    stored = {
        row.assistant_id: row
        for row in session.scalars(select(GraphAssistant).where(GraphAssistant.system.is_(True)))
    }
    now = utcnow()
    for position, spec in enumerate(specs):
        fields = _system_fields(spec)
        row = stored.pop(spec.assistant_id, None)
        if row is None:
            if session.get(GraphAssistant, spec.assistant_id) is not None:
                logger.warning("assistant %s shadows graph %s", spec.assistant_id, spec.graph_id)
                continue
            # Newest first is the default order: a microsecond apart, registration order shows.
            created = now - timedelta(microseconds=position)
            row = GraphAssistant(
                assistant_id=spec.assistant_id,
                created_at=created,
                updated_at=created,
                config={},
                context={},
                version=1,
                system=True,
                **fields,
            )
            session.add(row)
            session.add(_version_row(row))
        elif any(getattr(row, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(row, key, value)
            row.updated_at = now
            # A system assistant has one version, which mirrors the registry.
            session.execute(
                delete_rows(GraphAssistantVersion).where(
                    GraphAssistantVersion.assistant_id == row.assistant_id
                )
            )
            session.add(_version_row(row))
    for stale in stored.values():  # graphs no longer registered
        session.delete(stale)
    session.commit()


def create(
    session: Session,
    *,
    assistant_id: str,
    fields: dict[str, Any],
    if_exists: Literal["raise", "do_nothing"],
) -> AssistantRecord:
    existing = session.get(GraphAssistant, assistant_id)
    if existing is not None:
        if if_exists == "do_nothing":
            return AssistantRecord.from_row(existing, system=existing.system)
        raise AssistantExists(assistant_id)
    now = utcnow()
    row = GraphAssistant(
        assistant_id=assistant_id,
        created_at=now,
        updated_at=now,
        version=1,
        system=False,
        **fields,
    )
    session.add(row)
    session.add(_version_row(row))
    session.commit()
    return AssistantRecord.from_row(row, system=False)


def _row(session: Session, assistant_id: str) -> GraphAssistant:
    row = session.get(GraphAssistant, assistant_id)
    if row is None:
        raise AssistantNotFound(assistant_id)
    return row


def _writable(session: Session, assistant_id: str) -> GraphAssistant:
    row = _row(session, assistant_id)
    if row.system:
        raise AssistantReadOnly(assistant_id, row.graph_id)
    return row


def get(session: Session, *, assistant_id: str) -> AssistantRecord:
    row = _row(session, assistant_id)
    return AssistantRecord.from_row(row, system=row.system)


def update(session: Session, *, assistant_id: str, changes: dict[str, Any]) -> AssistantRecord:
    row = _writable(session, assistant_id)
    latest = session.scalar(
        select(func.max(GraphAssistantVersion.version)).where(
            GraphAssistantVersion.assistant_id == assistant_id
        )
    )
    metadata = changes.pop("metadata")
    for key, value in changes.items():
        if value is not None:
            setattr(row, key, value)
    if metadata:
        row.metadata_ = {**(row.metadata_ or {}), **metadata}
    row.version = (latest or 0) + 1
    row.updated_at = utcnow()
    session.add(_version_row(row))
    session.commit()
    return AssistantRecord.from_row(row, system=False)


def delete(session: Session, *, assistant_id: str) -> None:
    row = _writable(session, assistant_id)
    session.execute(
        delete_rows(GraphAssistantVersion).where(GraphAssistantVersion.assistant_id == assistant_id)
    )
    session.delete(row)
    session.commit()


def filtered(*, graph_id: str | None, name: str | None) -> Select[tuple[GraphAssistant]]:
    query = select(GraphAssistant)
    if graph_id:
        query = query.where(GraphAssistant.graph_id == graph_id)
    if name:
        query = query.where(func.lower(GraphAssistant.name).contains(name.lower(), autoescape=True))
    return query


def _matching(
    session: Session, query: Select[tuple[GraphAssistant]], metadata: Mapping[str, Any] | None
) -> Iterator[GraphAssistant]:
    # Metadata containment is matched in Python, as for threads: one behaviour on both backends.
    for row in session.scalars(query.execution_options(yield_per=200)):
        if not metadata or json_contains(row.metadata_, metadata):
            yield row


def page(
    session: Session,
    *,
    query: Select[tuple[GraphAssistant]],
    metadata: Mapping[str, Any] | None,
    limit: int,
    offset: int,
) -> tuple[list[AssistantRecord], bool]:
    if not metadata:
        rows = list(session.scalars(query.limit(limit + 1).offset(offset)))
    else:
        rows = []
        for index, row in enumerate(_matching(session, query, metadata)):
            if index >= offset:
                rows.append(row)
            if len(rows) > limit:
                break
    records = [AssistantRecord.from_row(row, system=row.system) for row in rows[:limit]]
    return records, len(rows) > limit


def count(
    session: Session, *, query: Select[tuple[GraphAssistant]], metadata: Mapping[str, Any] | None
) -> int:
    if not metadata:
        return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    return sum(1 for _ in _matching(session, query, metadata))


def versions(
    session: Session,
    *,
    assistant_id: str,
    metadata: Mapping[str, Any] | None,
    limit: int,
    offset: int,
) -> list[AssistantRecord]:
    system = _row(session, assistant_id).system
    query = (
        select(GraphAssistantVersion)
        .where(GraphAssistantVersion.assistant_id == assistant_id)
        .order_by(GraphAssistantVersion.version.desc())
    )
    rows = [
        row
        for row in session.scalars(query)
        if not metadata or json_contains(row.metadata_, metadata)
    ]
    return [AssistantRecord.from_row(row, system=system) for row in rows[offset : offset + limit]]


def set_latest(session: Session, *, assistant_id: str, version: int) -> AssistantRecord:
    row = _writable(session, assistant_id)
    saved = session.get(GraphAssistantVersion, (assistant_id, version))
    if saved is None:
        raise AssistantVersionNotFound(assistant_id, version)
    for key in ("graph_id", "config", "context", "metadata_", "name", "description", "version"):
        setattr(row, key, getattr(saved, key))
    row.updated_at = utcnow()
    session.commit()
    return AssistantRecord.from_row(row, system=False)
