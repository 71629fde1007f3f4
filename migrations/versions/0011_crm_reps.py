"""Sales reps and account owners: table ``reps`` and ``accounts.owner_id``.

Revision ID: 0011_crm_reps
Revises: 0001_crm
Create Date: 2026-12-07

Existing accounts keep no owner (``owner_id`` NULL) until one is imported or assigned
(``crm-agents seed`` assigns the demo's reps to a demo database seeded before owners existed).
On SQLite the column and its foreign key are added in place, never by copying the table (see
the comment in ``upgrade``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_crm_reps"
down_revision: str | None = "0001_crm"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(24)


def upgrade() -> None:
    op.create_table(
        "reps",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_zh", sa.String(60), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("team", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reps"),
    )
    op.create_index("ix_reps_region", "reps", ["region"])
    if op.get_context().dialect.name == "sqlite":
        # Never batch mode here: copying ``accounts`` means dropping it, and with foreign keys
        # on, SQLite's DROP TABLE deletes every row first, cascading to contacts, deals and
        # activities. ADD COLUMN may carry a REFERENCES clause when the default is NULL. The
        # column survives a SQLite downgrade (see there), so an upgrade after one reuses it.
        columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("accounts")}
        if "owner_id" not in columns:
            op.execute(
                "ALTER TABLE accounts ADD COLUMN owner_id VARCHAR(24)"
                " REFERENCES reps (id) ON DELETE SET NULL"
            )
    else:
        op.add_column("accounts", sa.Column("owner_id", ID, nullable=True))
        op.create_foreign_key(
            "fk_accounts_owner_id_reps",
            "accounts",
            "reps",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index("ix_accounts_owner_id", "accounts", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_accounts_owner_id", table_name="accounts")
    if op.get_context().dialect.name == "sqlite":
        # SQLite cannot drop a column that a foreign key uses without copying the table (which
        # would empty it, see upgrade): the column stays, emptied, and the owners go.
        op.execute("UPDATE accounts SET owner_id = NULL")
    else:
        op.drop_constraint("fk_accounts_owner_id_reps", "accounts", type_="foreignkey")
        op.drop_column("accounts", "owner_id")
    op.drop_index("ix_reps_region", table_name="reps")
    op.drop_table("reps")
