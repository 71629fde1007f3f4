"""Data subject holder for what approved actions and evidence left behind: tasks, queued
e-mails, and evidence files bound to the person's own CRM fields.

Tasks and e-mails addressed to the person are deleted; others that merely name them are
redacted. Evidence bound to their contact record is deleted (a file about a person is their
data); the evidence's audit entries keep only hashes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from crm.actions import OutboxEmailRow, TaskRow
from crm.db import session_factory
from governance.audit_models import FieldEvidenceRow
from governance.subject_rights import DataSubject
from governance.subject_sql import columns_of, like_any


def _evidence_summary(row: FieldEvidenceRow) -> dict[str, Any]:
    found = columns_of(row)
    # The file itself is described, not inlined: its sha256 identifies it exactly.
    found.pop("content", None)
    return found


class ActionSubjectData:
    """Tasks, e-mails in the outbox and field evidence about the person."""

    name = "actions"

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def _tasks(self, session: Session, contact: DataSubject) -> Iterator[TaskRow]:
        stmt = select(TaskRow).where(
            or_(TaskRow.contact_id == contact.contact_id, like_any(TaskRow.title, contact))
        )
        for row in session.scalars(stmt.order_by(TaskRow.created_at, TaskRow.id)):
            if row.contact_id == contact.contact_id or contact.mentioned_in(row.title):
                yield row

    def _emails(self, session: Session, contact: DataSubject) -> Iterator[OutboxEmailRow]:
        stmt = select(OutboxEmailRow).where(
            or_(
                OutboxEmailRow.contact_id == contact.contact_id,
                like_any(OutboxEmailRow.subject, contact),
                like_any(OutboxEmailRow.body, contact),
            )
        )
        for row in session.scalars(stmt.order_by(OutboxEmailRow.created_at, OutboxEmailRow.id)):
            if row.contact_id == contact.contact_id or contact.mentioned_in(
                f"{row.subject}\n{row.body}"
            ):
                yield row

    def _evidence(self, session: Session, contact: DataSubject) -> list[FieldEvidenceRow]:
        stmt = select(FieldEvidenceRow).where(
            FieldEvidenceRow.entity == "contacts",
            FieldEvidenceRow.record_id == contact.contact_id,
        )
        return list(session.scalars(stmt.order_by(FieldEvidenceRow.created_at)))

    def export(self, *, contact: DataSubject) -> dict[str, Any]:
        with self._sessions() as session:
            return {
                "tasks": [columns_of(row) for row in self._tasks(session, contact)],
                "emails": [columns_of(row) for row in self._emails(session, contact)],
                "evidence": [_evidence_summary(row) for row in self._evidence(session, contact)],
            }

    def erase(self, *, contact: DataSubject) -> int:
        changed = 0
        with self._sessions() as session, session.begin():
            for task in list(self._tasks(session, contact)):
                if task.contact_id == contact.contact_id:
                    session.delete(task)
                else:
                    task.title = contact.redact(task.title)
                changed += 1
            for email in list(self._emails(session, contact)):
                if email.contact_id == contact.contact_id:
                    session.delete(email)
                else:
                    email.subject = contact.redact(email.subject)
                    email.body = contact.redact(email.body)
                changed += 1
            for evidence in self._evidence(session, contact):
                session.delete(evidence)
                changed += 1
        return changed
