"""Lead scores: each scoring of an account, with its stage, grade, route and recommendation.

Revision ID: 0004_lead_scores
Revises: 0003_assistants_store
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_lead_scores"
down_revision: str | None = "0003_assistants_store"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _in(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    stages = ("awareness", "research", "evaluation", "negotiation", "purchase", "dormant")
    op.create_table(
        "lead_scores",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.String(24), nullable=False),
        sa.Column("contact_id", sa.String(24), nullable=True),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("route", sa.String(40), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("as_of", _ts(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("event_ids", _json(), nullable=False),
        sa.Column("recommendation_id", sa.String(36), nullable=False),
        sa.Column("assessment", _json(), nullable=False),
        sa.Column("recommendation", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lead_scores"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_lead_scores_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_lead_scores_contact_id_contacts",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(_in("stage", *stages), name="ck_lead_scores_stage"),
        sa.CheckConstraint(_in("grade", "S", "A", "B", "C"), name="ck_lead_scores_grade"),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="ck_lead_scores_score"),
        sa.CheckConstraint("confidence >= 0 AND confidence <= 1", name="ck_lead_scores_confidence"),
    )
    op.create_index(
        "ix_lead_scores_account_id_created_at", "lead_scores", ["account_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("lead_scores")
