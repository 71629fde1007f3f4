"""Lead scores and behaviour-event intake: the table and the writes that go with it.

A lead score is the stored outcome of scoring an account (or contact): stage, score, grade,
the specialist to activate and why, the confidence, and the full recommendation. Event intake
writes the new activities and their scores in one transaction, so an event is never stored
without its score nor a score without its events.

The table lives in crm/ because it hangs off accounts and activities; its migration is
``0004_lead_scores``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    CheckConstraint,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from crm import models as m
from crm.columns import UTCDateTime, json_type
from crm.db import Base, session_factory
from crm.enums import TRUE_STAGES, sql_in
from crm.errors import CRMError, InvalidQuery
from crm.records import ActivityRecord

GRADES = ("S", "A", "B", "C")


class LeadScoreRow(Base):
    """One scoring of an account (or one of its contacts), and the events that triggered it."""

    __tablename__ = "lead_scores"
    __table_args__ = (
        CheckConstraint(sql_in("stage", TRUE_STAGES), name="stage"),
        CheckConstraint(sql_in("grade", GRADES), name="grade"),
        CheckConstraint("score >= 0 AND score <= 100", name="score"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
        Index("ix_lead_scores_account_id_created_at", "account_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(16))
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(1))
    route: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_ids: Mapped[list[str]] = mapped_column(json_type())
    recommendation_id: Mapped[str] = mapped_column(String(36))
    assessment: Mapped[dict[str, Any]] = mapped_column(json_type())
    recommendation: Mapped[dict[str, Any]] = mapped_column(json_type())


class LeadScoreRecord(BaseModel):
    """A stored lead score, as handed out."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: str
    account_id: str
    contact_id: str | None
    stage: str
    score: int
    grade: str
    route: str
    confidence: float
    as_of: datetime
    created_at: datetime
    event_ids: list[str]
    recommendation_id: str
    assessment: dict[str, Any]
    recommendation: dict[str, Any]


class EventIdTaken(CRMError):
    """An activity id that another writer stored between the check and the write."""

    code = "event_id_taken"

    def __init__(self, ids: Sequence[str]) -> None:
        super().__init__(f"activity ids already stored: {', '.join(ids)}")
        self.ids = list(ids)


class LeadScoreStore:
    """Writes intake batches (activities + scores) atomically; reads scores back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)

    def stored_activities(self, ids: Sequence[str]) -> dict[str, ActivityRecord]:
        """The activities among ``ids`` that are already stored, by id."""
        if not ids:
            return {}
        with self._sessions() as session:
            rows = session.scalars(select(m.Activity).where(m.Activity.id.in_(list(ids)))).all()
            return {row.id: ActivityRecord.model_validate(row) for row in rows}

    def record_intake(
        self, *, activities: Sequence[dict[str, Any]], scores: Sequence[dict[str, Any]]
    ) -> list[LeadScoreRecord]:
        """Insert ``activities`` (column dicts) and ``scores`` (LeadScoreRow dicts) together.

        Raises :class:`EventIdTaken` (and writes nothing) when an activity id exists already.
        """
        with self._sessions() as session:
            _begin_write(session)
            try:
                ids = [a["id"] for a in activities]
                taken = session.scalars(select(m.Activity.id).where(m.Activity.id.in_(ids))).all()
                if taken:
                    raise EventIdTaken(sorted(taken))
                if activities:
                    session.execute(insert(m.Activity), list(activities))
                rows = [LeadScoreRow(**score) for score in scores]
                session.add_all(rows)
                session.commit()
            except IntegrityError:
                session.rollback()
                # Another writer won the race on an id (PostgreSQL, no write lock up front)?
                taken = sorted(self.stored_activities([a["id"] for a in activities]))
                if taken:
                    raise EventIdTaken(taken) from None
                raise  # any other constraint: a bug in the caller, not a race
            except BaseException:
                session.rollback()
                raise
            return [LeadScoreRecord.model_validate(row) for row in rows]

    def record_scores(self, scores: Sequence[dict[str, Any]]) -> list[LeadScoreRecord]:
        """Insert scores that no new event triggered (the demo's first scores, a re-scoring)."""
        return self.record_intake(activities=[], scores=scores) if scores else []

    def scored_accounts(self) -> set[str]:
        """The ids of the accounts that have at least one account-level score."""
        stmt = select(LeadScoreRow.account_id).where(LeadScoreRow.contact_id.is_(None)).distinct()
        with self._sessions() as session:
            return set(session.scalars(stmt).all())

    def account_scores(
        self, *, account_ids: Sequence[str], since: datetime | None = None
    ) -> dict[str, list[LeadScoreRecord]]:
        """Each account's account-level scores, newest first (as of ``since`` or later).

        Accounts without a score are absent from the answer.
        """
        found: dict[str, list[LeadScoreRecord]] = {}
        if not account_ids:
            return found
        stmt = select(LeadScoreRow).where(
            LeadScoreRow.account_id.in_(list(account_ids)), LeadScoreRow.contact_id.is_(None)
        )
        if since is not None:
            stmt = stmt.where(LeadScoreRow.as_of >= since)
        stmt = stmt.order_by(
            LeadScoreRow.account_id,
            LeadScoreRow.as_of.desc(),
            LeadScoreRow.created_at.desc(),
            LeadScoreRow.id.desc(),
        )
        with self._sessions() as session:
            for row in session.scalars(stmt).all():
                found.setdefault(row.account_id, []).append(LeadScoreRecord.model_validate(row))
        return found

    def latest(self, *, account_id: str, contact_id: str | None = None) -> LeadScoreRecord | None:
        """The newest score of the account (or of the contact, when given)."""
        found = self.history(account_id=account_id, contact_id=contact_id, limit=1)
        return found[0] if found else None

    def history(
        self, *, account_id: str, contact_id: str | None = None, limit: int = 50
    ) -> list[LeadScoreRecord]:
        """The account's scores, newest first."""
        if limit < 1:
            raise InvalidQuery(f"limit must be >= 1, got {limit}")
        stmt = select(LeadScoreRow).where(LeadScoreRow.account_id == account_id)
        if contact_id is not None:
            stmt = stmt.where(LeadScoreRow.contact_id == contact_id)
        stmt = stmt.order_by(LeadScoreRow.created_at.desc(), LeadScoreRow.id.desc()).limit(limit)
        with self._sessions() as session:
            return [LeadScoreRecord.model_validate(row) for row in session.scalars(stmt).all()]


def _begin_write(session: Session) -> None:
    """On SQLite, take the write lock before reading, so the id check and the insert agree.

    A deferred SQLite transaction that reads and then writes fails at once ("database is
    locked") when another connection committed in between; ``BEGIN IMMEDIATE`` waits on the
    busy timeout instead. PostgreSQL needs nothing: the primary key settles races.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi = connection.connection.dbapi_connection
    if not getattr(dbapi, "in_transaction", False):  # an engine may have begun one already
        connection.exec_driver_sql("BEGIN IMMEDIATE")
