"""Run runtime tables: graph threads and graph runs.

Revision ID: 0002_runtime
Revises: 0001_crm
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_runtime"
down_revision: str | None = "0001_crm"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _in(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    op.create_table(
        "graph_threads",
        sa.Column("thread_id", ID, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("config", _json(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("values", _json(), nullable=True),
        sa.Column("interrupts", _json(), nullable=False),
        sa.PrimaryKeyConstraint("thread_id", name="pk_graph_threads"),
        sa.CheckConstraint(
            _in("status", "idle", "busy", "interrupted", "error"), name="ck_graph_threads_status"
        ),
    )
    op.create_index("ix_graph_threads_status", "graph_threads", ["status"])
    op.create_index("ix_graph_threads_updated_at", "graph_threads", ["updated_at"])

    op.create_table(
        "graph_runs",
        sa.Column("run_id", ID, nullable=False),
        sa.Column("thread_id", ID, nullable=False),
        sa.Column("assistant_id", ID, nullable=False),
        sa.Column("graph_id", sa.String(100), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("kwargs", _json(), nullable=False),
        sa.Column("multitask_strategy", sa.String(16), nullable=False),
        sa.Column("error", _json(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_graph_runs"),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["graph_threads.thread_id"],
            name="fk_graph_runs_thread_id_graph_threads",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            _in("status", "pending", "running", "error", "success", "timeout", "interrupted"),
            name="ck_graph_runs_status",
        ),
        sa.CheckConstraint(
            _in("multitask_strategy", "reject", "interrupt", "rollback", "enqueue"),
            name="ck_graph_runs_multitask_strategy",
        ),
    )
    op.create_index("ix_graph_runs_status", "graph_runs", ["status"])
    op.create_index("ix_graph_runs_thread_id_created_at", "graph_runs", ["thread_id", "created_at"])


def downgrade() -> None:
    op.drop_table("graph_runs")
    op.drop_table("graph_threads")
