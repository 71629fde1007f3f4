"""The consent ledger: append-only grants and revocations per contact and purpose.

Revision ID: 0007_governance_consent
Revises: 0005_recommendations
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_governance_consent"
down_revision: str | None = "0005_recommendations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(24), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("notice_version", sa.String(40), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_hash", sa.String(64), nullable=True),
        sa.Column("device_hash", sa.String(64), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('ai_processing', 'model_training', 'marketing')",
            name="ck_consent_records_purpose",
        ),
        sa.CheckConstraint("action IN ('grant', 'revoke')", name="ck_consent_records_action"),
        sa.PrimaryKeyConstraint("id", name="pk_consent_records"),
    )
    op.create_index(
        "ix_consent_records_contact_id_purpose",
        "consent_records",
        ["contact_id", "purpose", "id"],
    )


def downgrade() -> None:
    op.drop_table("consent_records")
