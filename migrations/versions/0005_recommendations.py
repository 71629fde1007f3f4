"""The recommendation log and reps' feedback on it.

Revision ID: 0005_recommendations
Revises: 0004_lead_scores
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_recommendations"
down_revision: str | None = "0004_lead_scores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recommendations",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("agent", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(24), nullable=True),
        sa.Column("contact_id", sa.String(24), nullable=True),
        sa.Column("deal_id", sa.String(24), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column(
            "record", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1", name="ck_recommendations_confidence"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
    )
    op.create_index(
        "ix_recommendations_account_created", "recommendations", ["account_id", "created_at"]
    )
    op.create_index("ix_recommendations_agent_created", "recommendations", ["agent", "created_at"])
    op.create_table(
        "recommendation_feedback",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("recommendation_id", sa.String(36), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("modified_content", sa.Text(), nullable=True),
        sa.Column("author", sa.String(120), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.CheckConstraint(
            "verdict IN ('accept', 'reject', 'modify')", name="ck_recommendation_feedback_verdict"
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name="fk_recommendation_feedback_recommendation_id_recommendations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recommendation_feedback"),
    )
    op.create_index(
        "ix_recommendation_feedback_recommendation_id",
        "recommendation_feedback",
        ["recommendation_id"],
    )


def downgrade() -> None:
    op.drop_table("recommendation_feedback")
    op.drop_table("recommendations")
