"""The recommendation log: every finalised recommendation, and reps' feedback on it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Engine,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.recommendation import Recommendation, utcnow
from crm.columns import UTCDateTime, json_type
from crm.db import Base, session_factory
from crm.errors import InvalidQuery, NotFound
from crm.scope import AccountScope

Verdict = Literal["accept", "reject", "modify"]
VERDICTS = ("accept", "reject", "modify")


class RecommendationRow(Base):
    """One recommendation as the agent produced it; the full record is kept as JSON."""

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
        Index("ix_recommendations_account_created", "account_id", "created_at"),
        Index("ix_recommendations_agent_created", "agent", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    agent: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[str | None] = mapped_column(String(24))
    contact_id: Mapped[str | None] = mapped_column(String(24))
    deal_id: Mapped[str | None] = mapped_column(String(24))
    confidence: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    record: Mapped[dict[str, Any]] = mapped_column(json_type())


class FeedbackRow(Base):
    """A rep's verdict on a recommendation: accept, reject, or modify with a corrected text."""

    __tablename__ = "recommendation_feedback"
    __table_args__ = (CheckConstraint("verdict IN ('accept', 'reject', 'modify')", name="verdict"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    recommendation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)
    modified_content: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Feedback(BaseModel):
    """A rep's feedback as stored."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: str
    recommendation_id: str
    verdict: Verdict
    comment: str | None = None
    modified_content: str | None = None
    author: str | None = None
    created_at: datetime


class FeedbackInput(BaseModel):
    """What a rep sends; a modification must carry the corrected text."""

    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    comment: str | None = Field(None, max_length=4000)
    modified_content: str | None = Field(None, max_length=20000)
    author: str | None = Field(
        None,
        max_length=120,
        description="Who gives it: the signed-in user; over the API leave it out (naming someone "
        "else is refused with 403).",
    )


class RecommendationLog:
    """Stores recommendations (idempotent by id) and their feedback; implements the recorder."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def record(self, recommendation: Recommendation) -> Recommendation:
        """Store ``recommendation`` as final; recording the same id again changes nothing."""
        final = recommendation.model_copy(update={"status": "final"})
        subject = final.subject
        row = RecommendationRow(
            id=final.id,
            kind=final.kind,
            agent=final.agent,
            account_id=subject.get("account_id"),
            contact_id=subject.get("contact_id"),
            deal_id=subject.get("deal_id"),
            confidence=final.confidence,
            created_at=final.created_at,
            record=final.model_dump(mode="json"),
        )
        with self._sessions() as session:
            if session.get(RecommendationRow, final.id) is None:
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:
                    # Another writer recorded the same id between our read and our insert
                    # (PostgreSQL, concurrent finalisers): recording it again changes nothing.
                    session.rollback()
                    if session.get(RecommendationRow, final.id) is None:
                        raise
        return final

    def get(self, *, recommendation_id: str, scope: AccountScope | None = None) -> Recommendation:
        """One recommendation; NotFound for an unknown id, or, with ``scope``, one about an
        account outside it (worded the same)."""
        with self._sessions() as session:
            row = self._visible_row(session, recommendation_id, scope)
            return Recommendation.model_validate(row.record)

    @staticmethod
    def _visible_row(
        session: Session, recommendation_id: str, scope: AccountScope | None
    ) -> RecommendationRow:
        stmt = select(RecommendationRow).where(RecommendationRow.id == recommendation_id)
        if scope is not None:
            stmt = stmt.where(*_in_scope(scope))
        row = session.scalar(stmt)
        if row is None:
            raise NotFound("recommendation", recommendation_id)
        return row

    def search(
        self,
        *,
        account_id: str | None = None,
        agent: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
        scope: AccountScope | None = None,
    ) -> list[Recommendation]:
        """Newest first, filtered by account, agent and creation time, and by ``scope`` when
        given (in the query: recommendations about accounts outside it are not there)."""
        if limit < 1 or limit > 1000 or offset < 0:
            raise InvalidQuery("limit must be 1..1000 and offset >= 0")
        if since and until and since > until:
            raise InvalidQuery("since must not be after until")
        stmt = select(RecommendationRow.record)
        if account_id is not None:
            stmt = stmt.where(RecommendationRow.account_id == account_id)
        if agent is not None:
            stmt = stmt.where(RecommendationRow.agent == agent)
        if scope is not None:
            stmt = stmt.where(*_in_scope(scope))
        if since is not None:
            stmt = stmt.where(RecommendationRow.created_at >= since)
        if until is not None:
            stmt = stmt.where(RecommendationRow.created_at < until)
        stmt = stmt.order_by(RecommendationRow.created_at.desc(), RecommendationRow.id)
        with self._sessions() as session:
            records = session.scalars(stmt.limit(limit).offset(offset)).all()
        return [Recommendation.model_validate(record) for record in records]

    def add_feedback(
        self,
        *,
        recommendation_id: str,
        feedback: FeedbackInput,
        scope: AccountScope | None = None,
    ) -> Feedback:
        """Store a rep's verdict; ``modify`` needs ``modified_content``; with ``scope``, a
        recommendation about an account outside it is NotFound."""
        if feedback.verdict == "modify" and not (feedback.modified_content or "").strip():
            raise InvalidQuery("verdict 'modify' needs modified_content")
        row = FeedbackRow(
            id=str(uuid.uuid4()),
            recommendation_id=recommendation_id,
            created_at=utcnow(),
            **feedback.model_dump(),
        )
        with self._sessions() as session:
            self._visible_row(session, recommendation_id, scope)
            session.add(row)
            try:
                session.commit()
            except IntegrityError:  # the recommendation was erased meanwhile
                session.rollback()
                raise NotFound("recommendation", recommendation_id) from None
            return Feedback.model_validate(row)

    def feedback_for(self, *, recommendation_id: str) -> list[Feedback]:
        with self._sessions() as session:
            rows = session.scalars(
                select(FeedbackRow)
                .where(FeedbackRow.recommendation_id == recommendation_id)
                .order_by(FeedbackRow.created_at)
            ).all()
            return [Feedback.model_validate(row) for row in rows]


def _in_scope(scope: AccountScope) -> list[ColumnElement[bool]]:
    """Recommendations about an account in ``scope``, or about no account at all (a product
    question names none: there is no account data in it to withhold)."""
    if scope.everything:
        return []
    return [
        or_(
            RecommendationRow.account_id.is_(None),
            RecommendationRow.account_id.in_(scope.account_ids()),
        )
    ]
