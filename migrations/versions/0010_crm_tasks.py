"""Decisions on proposed actions and what approved ones wrote: tasks, outbox, lead grades.

Revision ID: 0010_crm_tasks
Revises: 0005_recommendations
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_crm_tasks"
down_revision: str | None = "0005_recommendations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _decision_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["decision_id"],
        ["action_decisions.id"],
        name=f"fk_{table}_decision_id_action_decisions",
        ondelete="CASCADE",
    )


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"], ["accounts.id"], name=f"fk_{table}_account_id_accounts", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "action_decisions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("recommendation_id", sa.String(36), nullable=False),
        sa.Column("action_index", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("reviewer", sa.String(120), nullable=True),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(24), nullable=True),
        sa.Column("effect_table", sa.String(40), nullable=True),
        sa.Column("effect_id", sa.String(36), nullable=True),
        sa.Column("decided_at", _ts(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approve', 'edit', 'reject')", name="ck_action_decisions_decision"
        ),
        sa.CheckConstraint("action_index >= 0", name="ck_action_decisions_action_index"),
        _account_fk("action_decisions"),
        sa.PrimaryKeyConstraint("id", name="pk_action_decisions"),
        sa.UniqueConstraint(
            "recommendation_id",
            "action_index",
            name="uq_action_decisions_recommendation_id_action_index",
        ),
    )
    op.create_index("ix_action_decisions_account_id", "action_decisions", ["account_id"])
    op.create_table(
        "crm_tasks",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.String(24), nullable=False),
        sa.Column("contact_id", sa.String(24), nullable=True),
        sa.Column("deal_id", sa.String(24), nullable=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'done')", name="ck_crm_tasks_status"),
        _account_fk("crm_tasks"),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_crm_tasks_contact_id_contacts",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name="fk_crm_tasks_deal_id_deals", ondelete="SET NULL"
        ),
        _decision_fk("crm_tasks"),
        sa.PrimaryKeyConstraint("id", name="pk_crm_tasks"),
        sa.UniqueConstraint("decision_id", name="uq_crm_tasks_decision_id"),
    )
    op.create_index("ix_crm_tasks_account_id_due_on", "crm_tasks", ["account_id", "due_on"])
    op.create_table(
        "email_outbox",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.String(24), nullable=False),
        sa.Column("contact_id", sa.String(24), nullable=True),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("in_reply_to", sa.String(24), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed')", name="ck_email_outbox_status"),
        _account_fk("email_outbox"),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_email_outbox_contact_id_contacts",
            ondelete="SET NULL",
        ),
        _decision_fk("email_outbox"),
        sa.PrimaryKeyConstraint("id", name="pk_email_outbox"),
        sa.UniqueConstraint("decision_id", name="uq_email_outbox_decision_id"),
    )
    op.create_index(
        "ix_email_outbox_account_id_created_at", "email_outbox", ["account_id", "created_at"]
    )
    op.create_table(
        "account_grades",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.String(24), nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("set_at", _ts(), nullable=False),
        sa.CheckConstraint("grade IN ('S', 'A', 'B', 'C')", name="ck_account_grades_grade"),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= 100)", name="ck_account_grades_score"
        ),
        _account_fk("account_grades"),
        _decision_fk("account_grades"),
        sa.PrimaryKeyConstraint("id", name="pk_account_grades"),
        sa.UniqueConstraint("decision_id", name="uq_account_grades_decision_id"),
    )
    op.create_index(
        "ix_account_grades_account_id_set_at", "account_grades", ["account_id", "set_at"]
    )


def downgrade() -> None:
    op.drop_table("account_grades")
    op.drop_table("email_outbox")
    op.drop_table("crm_tasks")
    op.drop_table("action_decisions")
