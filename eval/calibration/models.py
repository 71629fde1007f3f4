"""Tables of the calibration harness: batches of sampled recommendations, their items, reviews.

A batch is one monthly sample. Each item keeps a snapshot of the recommendation as it was when
sampled (the JSON of ``core.recommendation.Recommendation``), so later erasure or edits of the
recommendation log do not change what reviewers scored. Reviews are unique per item and
reviewer; a skip is a review row with ``skipped`` set and no score.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm.columns import UTCDateTime, json_type
from crm.db import Base

BATCH_STATUSES = ("open", "closed")


class CalibrationBatchRow(Base):
    """One stratified sample of the recommendation log over ``[period_start, period_end)``."""

    __tablename__ = "calibration_batches"
    __table_args__ = (
        CheckConstraint("rate > 0 AND rate <= 1", name="rate"),
        CheckConstraint("min_per_stratum >= 0", name="min_per_stratum"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        Index("ix_calibration_batches_period", "period_start", "period_end"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    seed: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float] = mapped_column(Float)
    min_per_stratum: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(8), default="open")


class CalibrationItemRow(Base):
    """One sampled recommendation in a batch, with its stratum and a snapshot of the record."""

    __tablename__ = "calibration_items"
    __table_args__ = (
        CheckConstraint("confidence_band >= 1 AND confidence_band <= 5", name="confidence_band"),
        UniqueConstraint("batch_id", "position"),
        UniqueConstraint("batch_id", "recommendation_id"),
        Index("ix_calibration_items_contact_id", "contact_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    batch_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("calibration_batches.id", ondelete="CASCADE"), index=True
    )
    # No foreign key: the snapshot is what was reviewed, whatever happens to the log later.
    recommendation_id: Mapped[str] = mapped_column(String(36))
    agent: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    confidence_band: Mapped[int] = mapped_column(Integer)
    stratum: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[str | None] = mapped_column(String(24))
    contact_id: Mapped[str | None] = mapped_column(String(24))
    snapshot: Mapped[dict[str, Any]] = mapped_column(json_type())


class CalibrationReviewRow(Base):
    """One reviewer's judgement of one item: a 1-5 score and correct / incorrect, or a skip."""

    __tablename__ = "calibration_reviews"
    __table_args__ = (
        UniqueConstraint("item_id", "reviewer"),
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score"),
        CheckConstraint(
            "skipped OR (score IS NOT NULL AND correct IS NOT NULL)", name="scored_unless_skipped"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("calibration_items.id", ondelete="CASCADE"), index=True
    )
    reviewer: Mapped[str] = mapped_column(String(120))
    score: Mapped[int | None] = mapped_column(Integer)
    correct: Mapped[bool | None] = mapped_column(Boolean)
    corrected_answer: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    # Record ids of the cited sources the reviewer judged relevant (the Q&A agent's reference).
    relevant_sources: Mapped[list[str] | None] = mapped_column(json_type())
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
