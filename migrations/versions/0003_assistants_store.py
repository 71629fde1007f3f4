"""Assistants and their versions.

The LangGraph store (items, namespaces) keeps its own tables, created by ``store.setup()`` in
the same database, so this revision only adds what the server itself models.

Revision ID: 0003_assistants_store
Revises: 0002_runtime
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_assistants_store"
down_revision: str | None = "0002_runtime"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "graph_assistants",
        sa.Column("assistant_id", ID, nullable=False),
        sa.Column("graph_id", sa.String(100), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("config", _json(), nullable=False),
        sa.Column("context", _json(), nullable=False),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("system", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("assistant_id", name="pk_graph_assistants"),
    )
    op.create_index("ix_graph_assistants_graph_id", "graph_assistants", ["graph_id"])
    op.create_index("ix_graph_assistants_created_at", "graph_assistants", ["created_at"])

    op.create_table(
        "graph_assistant_versions",
        sa.Column("assistant_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("graph_id", sa.String(100), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("config", _json(), nullable=False),
        sa.Column("context", _json(), nullable=False),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("assistant_id", "version", name="pk_graph_assistant_versions"),
        sa.ForeignKeyConstraint(
            ["assistant_id"],
            ["graph_assistants.assistant_id"],
            name="fk_graph_assistant_versions_assistant_id_graph_assistants",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("graph_assistant_versions")
    op.drop_table("graph_assistants")
