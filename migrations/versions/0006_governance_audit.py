"""The audit ledger (entries, contact index, checkpoints, signed head), signed-output manifests
and evidence of CRM fields.

Revision ID: 0006_governance_audit
Revises: 0005_recommendations
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_governance_audit"
down_revision: str | None = "0005_recommendations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_kind_seq", "audit_entries", ["kind", "seq"])
    op.create_table(
        "audit_entry_subjects",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"], ["audit_entries.seq"], name="fk_audit_entry_subjects_seq_audit_entries"
        ),
        sa.PrimaryKeyConstraint("seq", "contact_id", name="pk_audit_entry_subjects"),
    )
    op.create_index("ix_audit_entry_subjects_contact_id", "audit_entry_subjects", ["contact_id"])
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("signed_at", _ts(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_checkpoints"),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("signed_at", _ts(), nullable=True),
        sa.Column("key_id", sa.String(16), nullable=True),
        sa.Column("signature", sa.String(128), nullable=True),
        sa.Column("last_checkpoint_seq", sa.Integer(), nullable=False),
        sa.Column("last_checkpoint_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.create_table(
        "text_manifests",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("recommendation_id", sa.String(36), nullable=True),
        sa.Column("manifest", _json(), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_text_manifests"),
    )
    op.create_index("ix_text_manifests_content_sha256", "text_manifests", ["content_sha256"])
    op.create_index("ix_text_manifests_recommendation_id", "text_manifests", ["recommendation_id"])
    op.create_table(
        "field_evidence",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("value_sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("evidence_sha256", sa.String(64), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("media_type", sa.String(120), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("author", sa.String(120), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_field_evidence"),
    )
    op.create_index("ix_field_evidence_target", "field_evidence", ["entity", "record_id", "field"])


def downgrade() -> None:
    for table in (
        "field_evidence",
        "text_manifests",
        "audit_head",
        "audit_checkpoints",
        "audit_entry_subjects",
        "audit_entries",
    ):
        op.drop_table(table)
