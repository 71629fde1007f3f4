"""Calibration harness: batches of sampled recommendations, their items and reviewers' scores.

Revision ID: 0008_calibration
Revises: 0005_recommendations
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_calibration"
down_revision: str | None = "0005_recommendations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine:  # type: ignore[type-arg]
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "calibration_batches",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("period_start", _ts(), nullable=False),
        sa.Column("period_end", _ts(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("min_per_stratum", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.CheckConstraint("rate > 0 AND rate <= 1", name="ck_calibration_batches_rate"),
        sa.CheckConstraint("min_per_stratum >= 0", name="ck_calibration_batches_min_per_stratum"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_calibration_batches_status"),
        sa.PrimaryKeyConstraint("id", name="pk_calibration_batches"),
    )
    op.create_index(
        "ix_calibration_batches_period", "calibration_batches", ["period_start", "period_end"]
    )
    op.create_table(
        "calibration_items",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("recommendation_id", sa.String(36), nullable=False),
        sa.Column("agent", sa.String(40), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("confidence_band", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(24), nullable=True),
        sa.Column("contact_id", sa.String(24), nullable=True),
        sa.Column("snapshot", _json(), nullable=False),
        sa.CheckConstraint(
            "confidence_band >= 1 AND confidence_band <= 5",
            name="ck_calibration_items_confidence_band",
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["calibration_batches.id"],
            name="fk_calibration_items_batch_id_calibration_batches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_calibration_items"),
        sa.UniqueConstraint("batch_id", "position", name="uq_calibration_items_batch_id_position"),
        sa.UniqueConstraint(
            "batch_id", "recommendation_id", name="uq_calibration_items_batch_id_recommendation_id"
        ),
    )
    op.create_index("ix_calibration_items_batch_id", "calibration_items", ["batch_id"])
    op.create_index("ix_calibration_items_contact_id", "calibration_items", ["contact_id"])
    op.create_table(
        "calibration_reviews",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("item_id", sa.String(36), nullable=False),
        sa.Column("reviewer", sa.String(120), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("corrected_answer", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("relevant_sources", _json(), nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 1 AND score <= 5)", name="ck_calibration_reviews_score"
        ),
        sa.CheckConstraint(
            "skipped OR (score IS NOT NULL AND correct IS NOT NULL)",
            name="ck_calibration_reviews_scored_unless_skipped",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["calibration_items.id"],
            name="fk_calibration_reviews_item_id_calibration_items",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_calibration_reviews"),
        sa.UniqueConstraint("item_id", "reviewer", name="uq_calibration_reviews_item_id_reviewer"),
    )
    op.create_index("ix_calibration_reviews_item_id", "calibration_reviews", ["item_id"])


def downgrade() -> None:
    op.drop_table("calibration_reviews")
    op.drop_table("calibration_items")
    op.drop_table("calibration_batches")
