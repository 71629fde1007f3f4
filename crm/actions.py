"""Actions a rep decided on, and what approved ones wrote: tasks, queued e-mails, lead grades.

Every decision on a proposed action (approve, edit or reject) is one ``action_decisions`` row,
unique by recommendation id and action index; an approved action's effect (a ``crm_tasks``,
``email_outbox`` or ``account_grades`` row) is written in the same transaction. Deciding the
same action again returns the first decision and writes nothing, so a run resumed after a
restart performs each action exactly once. Nothing here sends an e-mail: the outbox is for a
mail integration to pick up.

The tables' migration is ``0010_crm_tasks``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    CheckConstraint,
    Date,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from crm import models as m
from crm.columns import UTCDateTime
from crm.db import Base, session_factory
from crm.errors import CRMError, InvalidQuery

DECISIONS = ("approve", "edit", "reject")
LEAD_GRADES = ("S", "A", "B", "C")
Effect = Literal["crm_tasks", "email_outbox", "account_grades"]


class ActionDecisionRow(Base):
    """A rep's decision on one proposed action of a recommendation."""

    __tablename__ = "action_decisions"
    __table_args__ = (
        UniqueConstraint("recommendation_id", "action_index"),
        CheckConstraint("decision IN ('approve', 'edit', 'reject')", name="decision"),
        CheckConstraint("action_index >= 0", name="action_index"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    recommendation_id: Mapped[str] = mapped_column(String(36))
    action_index: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(8))
    reviewer: Mapped[str | None] = mapped_column(String(120))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    effect_table: Mapped[str | None] = mapped_column(String(40))
    effect_id: Mapped[str | None] = mapped_column(String(36))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaskRow(Base):
    """A task for a rep, created by an approved ``create_task`` action."""

    __tablename__ = "crm_tasks"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done')", name="status"),
        Index("ix_crm_tasks_account_id_due_on", "account_id", "due_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8))
    decision_id: Mapped[str] = mapped_column(
        ForeignKey("action_decisions.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxEmailRow(Base):
    """An approved e-mail, queued for a mail integration (nothing is sent from here)."""

    __tablename__ = "email_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status"),
        Index("ix_email_outbox_account_id_created_at", "account_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    in_reply_to: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(8))
    decision_id: Mapped[str] = mapped_column(
        ForeignKey("action_decisions.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountGradeRow(Base):
    """An account's lead grade as set by an approved ``update_grade`` action (newest wins)."""

    __tablename__ = "account_grades"
    __table_args__ = (
        CheckConstraint("grade IN ('S', 'A', 'B', 'C')", name="grade"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
        Index("ix_account_grades_account_id_set_at", "account_id", "set_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    grade: Mapped[str] = mapped_column(String(1))
    score: Mapped[int | None] = mapped_column(Integer)
    decision_id: Mapped[str] = mapped_column(
        ForeignKey("action_decisions.id", ondelete="CASCADE"), unique=True
    )
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


EFFECT_ROWS: dict[str, type[TaskRow | OutboxEmailRow | AccountGradeRow]] = {
    "crm_tasks": TaskRow,
    "email_outbox": OutboxEmailRow,
    "account_grades": AccountGradeRow,
}


class ActionDecisionRecord(BaseModel):
    """A stored decision, as handed out."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: str
    recommendation_id: str
    action_index: int
    kind: str
    decision: str
    reviewer: str | None
    payload_sha256: str
    account_id: str | None
    effect_table: str | None
    effect_id: str | None
    decided_at: datetime


class ActionNotPerformed(CRMError, ValueError):
    """An approved action whose effect cannot be written (unknown or mismatched records)."""

    code = "action_not_performed"


class ActionStore:
    """Writes decisions with their effects atomically and idempotently; reads them back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)

    def decide(
        self,
        *,
        recommendation_id: str,
        action_index: int,
        kind: str,
        decision: str,
        reviewer: str | None,
        payload_sha256: str,
        account_id: str | None,
        effect: tuple[Effect, dict[str, Any]] | None = None,
    ) -> tuple[ActionDecisionRecord, bool]:
        """Store the decision (and ``effect``: table, column values) unless one exists.

        Returns the decision and whether this call stored it. Raises
        :class:`ActionNotPerformed`, writing nothing, when the effect names records that do
        not exist or do not belong together.
        """
        if decision not in DECISIONS:
            raise InvalidQuery(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
        existing = self.decision(recommendation_id=recommendation_id, action_index=action_index)
        if existing is not None:
            return existing, False
        now = datetime.now(UTC)
        row = ActionDecisionRow(
            id=str(uuid.uuid4()),
            recommendation_id=recommendation_id,
            action_index=action_index,
            kind=kind,
            decision=decision,
            reviewer=reviewer,
            payload_sha256=payload_sha256,
            account_id=account_id,
            decided_at=now,
        )
        with self._sessions() as session:
            try:
                if effect is not None:
                    table, values = effect
                    self._check_references(session, values)
                    effect_row = EFFECT_ROWS[table](
                        id=str(uuid.uuid4()), decision_id=row.id, **values
                    )
                    row.effect_table, row.effect_id = table, effect_row.id
                    session.add(row)
                    session.flush()  # the decision first: the effect row refers to it
                    session.add(effect_row)
                else:
                    session.add(row)
                session.commit()
            except IntegrityError as error:
                session.rollback()
                # Another writer decided the same action first (a concurrent resume)?
                raced = self.decision(
                    recommendation_id=recommendation_id, action_index=action_index
                )
                if raced is not None:
                    return raced, False
                raise ActionNotPerformed(
                    f"the action names records that do not exist: {error.orig}"
                ) from None
            except BaseException:
                session.rollback()
                raise
            return ActionDecisionRecord.model_validate(row), True

    @staticmethod
    def _check_references(session: Any, values: dict[str, Any]) -> None:
        account_id = values.get("account_id")
        if not account_id or session.get(m.Account, account_id) is None:
            raise ActionNotPerformed(f"no account {account_id!r}")
        for column, model in (("contact_id", m.Contact), ("deal_id", m.Deal)):
            record_id = values.get(column)
            if record_id is None:
                continue
            record = session.get(model, record_id)
            if record is None or record.account_id != account_id:
                raise ActionNotPerformed(f"{column} {record_id!r} is not of account {account_id!r}")

    def decision(self, *, recommendation_id: str, action_index: int) -> ActionDecisionRecord | None:
        """The decision on one action, if any was stored."""
        stmt = select(ActionDecisionRow).where(
            ActionDecisionRow.recommendation_id == recommendation_id,
            ActionDecisionRow.action_index == action_index,
        )
        with self._sessions() as session:
            row = session.scalars(stmt).first()
            return ActionDecisionRecord.model_validate(row) if row is not None else None

    def effects(self, table: Effect, *, account_id: str) -> list[dict[str, Any]]:
        """The rows an approved action wrote to ``table`` for the account, oldest first."""
        model: Any = EFFECT_ROWS[table]
        order = model.set_at if table == "account_grades" else model.created_at
        stmt = select(model).where(model.account_id == account_id).order_by(order, model.id)
        with self._sessions() as session:
            return [
                {attr.key: getattr(row, attr.key) for attr in row.__mapper__.column_attrs}
                for row in session.scalars(stmt).all()
            ]
