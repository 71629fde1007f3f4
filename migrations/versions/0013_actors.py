"""Who did it: audit ledger entries record their actor (hashed with the entry, and its user id
in an indexed column the audit API filters by); consent changes record who made them.

Revision ID: 0013_actors
Revises: 0006_governance_audit, 0007_governance_consent
Create Date: 2026-12-07

Entries and consent records written before this revision keep no actor (null): the ledger's
old entries hash and verify exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_actors"
down_revision: str | Sequence[str] | None = ("0006_governance_audit", "0007_governance_consent")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("actor", _json(), nullable=True))
    op.add_column("audit_entries", sa.Column("actor_id", sa.String(120), nullable=True))
    op.create_index("ix_audit_entries_actor_id_seq", "audit_entries", ["actor_id", "seq"])
    op.add_column("consent_records", sa.Column("actor_id", sa.String(120), nullable=True))


def downgrade() -> None:
    op.drop_column("consent_records", "actor_id")
    op.drop_index("ix_audit_entries_actor_id_seq", table_name="audit_entries")
    op.drop_column("audit_entries", "actor_id")
    op.drop_column("audit_entries", "actor")
