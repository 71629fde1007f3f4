"""Calibration maps: each fitted per-agent map from raw to human-calibrated confidence.

Revision ID: 0009_calibration_maps
Revises: 0005_recommendations
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_calibration_maps"
down_revision: str | None = "0005_recommendations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "calibration_maps",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("agent", sa.String(40), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("parameters", _json(), nullable=False),
        sa.Column("training_batch_id", sa.String(36), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("metrics", _json(), nullable=False),
        sa.CheckConstraint("method IN ('isotonic', 'platt')", name="ck_calibration_maps_method"),
        sa.CheckConstraint("n >= 0", name="ck_calibration_maps_n"),
        sa.PrimaryKeyConstraint("id", name="pk_calibration_maps"),
    )
    op.create_index(
        "ix_calibration_maps_agent_fitted_at", "calibration_maps", ["agent", "fitted_at"]
    )


def downgrade() -> None:
    op.drop_table("calibration_maps")
