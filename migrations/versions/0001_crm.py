"""CRM tables: accounts, contacts, deals, activities, products, documents, prices, truth.

Revision ID: 0001_crm
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_crm"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(24)
MONEY = sa.Numeric(14, 2)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _in(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}_{referred}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("industry", sa.String(16), nullable=False),
        sa.Column("hospital_type", sa.String(64), nullable=True),
        sa.Column("beds", sa.Integer(), nullable=True),
        sa.Column("city", sa.String(80), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.CheckConstraint(
            _in("industry", "hospital", "clinic", "lab"), name="ck_accounts_industry"
        ),
        sa.CheckConstraint(_in("tier", "strategic", "key", "standard"), name="ck_accounts_tier"),
        sa.CheckConstraint("beds IS NULL OR beds >= 0", name="ck_accounts_beds"),
    )
    op.create_index("ix_accounts_region", "accounts", ["region"])

    op.create_table(
        "account_budgets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_account_budgets"),
        _fk("account_budgets", "account_id", "accounts.id", "CASCADE"),
        sa.UniqueConstraint("account_id", "year", name="uq_account_budgets_account_id_year"),
        sa.CheckConstraint("amount >= 0", name="ck_account_budgets_amount"),
    )

    op.create_table(
        "contacts",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("first_name", sa.String(80), nullable=False),
        sa.Column("last_name", sa.String(80), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("department", sa.String(80), nullable=False),
        sa.Column("seniority", sa.String(16), nullable=False),
        sa.Column("reports_to", ID, nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contacts"),
        _fk("contacts", "account_id", "accounts.id", "CASCADE"),
        _fk("contacts", "reports_to", "contacts.id", "SET NULL"),
        sa.CheckConstraint(
            _in("seniority", "executive", "director", "manager", "staff"),
            name="ck_contacts_seniority",
        ),
    )
    op.create_index("ix_contacts_account_id", "contacts", ["account_id"])

    op.create_table(
        "products",
        sa.Column("id", ID, nullable=False),
        sa.Column("sku", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(80), nullable=False),
        sa.Column("manufacturer", sa.String(120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("specs", _json(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_products"),
        sa.UniqueConstraint("sku", name="uq_products_sku"),
    )
    op.create_index("ix_products_category", "products", ["category"])

    op.create_table(
        "deals",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("primary_contact_id", ID, nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deals"),
        _fk("deals", "account_id", "accounts.id", "CASCADE"),
        _fk("deals", "primary_contact_id", "contacts.id", "SET NULL"),
        sa.CheckConstraint(
            _in(
                "stage",
                "prospecting",
                "qualification",
                "proposal",
                "negotiation",
                "closed_won",
                "closed_lost",
            ),
            name="ck_deals_stage",
        ),
        sa.CheckConstraint(_in("outcome", "won", "lost", "open"), name="ck_deals_outcome"),
        sa.CheckConstraint("amount >= 0", name="ck_deals_amount"),
        sa.CheckConstraint(
            "(stage = 'closed_won' AND outcome = 'won')"
            " OR (stage = 'closed_lost' AND outcome = 'lost')"
            " OR (stage NOT IN ('closed_won', 'closed_lost') AND outcome = 'open')",
            name="ck_deals_stage_outcome",
        ),
    )
    op.create_index("ix_deals_account_id", "deals", ["account_id"])

    op.create_table(
        "deal_products",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", MONEY, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deal_products"),
        _fk("deal_products", "deal_id", "deals.id", "CASCADE"),
        _fk("deal_products", "product_id", "products.id", "RESTRICT"),
        sa.UniqueConstraint("deal_id", "product_id", name="uq_deal_products_deal_id_product_id"),
        sa.CheckConstraint("quantity > 0", name="ck_deal_products_quantity"),
        sa.CheckConstraint("unit_price >= 0", name="ck_deal_products_unit_price"),
    )
    op.create_index("ix_deal_products_product_id", "deal_products", ["product_id"])

    op.create_table(
        "activities",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("contact_id", ID, nullable=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("occurred_at", _ts(), nullable=False),
        sa.Column("product_id", ID, nullable=True),
        sa.Column("url", sa.String(300), nullable=True),
        sa.Column("subject", sa.String(300), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("metadata", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_activities"),
        _fk("activities", "account_id", "accounts.id", "CASCADE"),
        _fk("activities", "contact_id", "contacts.id", "SET NULL"),
        _fk("activities", "product_id", "products.id", "SET NULL"),
        sa.CheckConstraint(
            _in(
                "kind",
                "web_visit",
                "content_download",
                "email_in",
                "email_out",
                "call_answered",
                "call_missed",
                "meeting",
                "tender_announcement",
            ),
            name="ck_activities_kind",
        ),
        sa.CheckConstraint("duration_s IS NULL OR duration_s >= 0", name="ck_activities_duration"),
    )
    op.create_index(
        "ix_activities_account_id_occurred_at", "activities", ["account_id", "occurred_at"]
    )
    op.create_index(
        "ix_activities_contact_id_occurred_at", "activities", ["contact_id", "occurred_at"]
    )
    op.create_index("ix_activities_product_id", "activities", ["product_id"])

    op.create_table(
        "product_documents",
        sa.Column("id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("version", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_product_documents"),
        _fk("product_documents", "product_id", "products.id", "CASCADE"),
    )
    op.create_index("ix_product_documents_product_id", "product_documents", ["product_id"])

    op.create_table(
        "document_sections",
        sa.Column("id", ID, nullable=False),
        sa.Column("document_id", ID, nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("heading", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_document_sections"),
        _fk("document_sections", "document_id", "product_documents.id", "CASCADE"),
        sa.UniqueConstraint(
            "document_id", "ordinal", name="uq_document_sections_document_id_ordinal"
        ),
        sa.CheckConstraint("page >= 1", name="ck_document_sections_page"),
    )

    op.create_table(
        "price_book_entries",
        sa.Column("id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("list_price", MONEY, nullable=False),
        sa.Column("floor_price", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("max_discount_pct", sa.Float(), nullable=False),
        sa.Column("discount_policy", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_price_book_entries"),
        _fk("price_book_entries", "product_id", "products.id", "CASCADE"),
        sa.UniqueConstraint(
            "product_id", "valid_from", name="uq_price_book_entries_product_id_valid_from"
        ),
        sa.CheckConstraint("list_price >= 0", name="ck_price_book_entries_list_price"),
        sa.CheckConstraint(
            "floor_price >= 0 AND floor_price <= list_price",
            name="ck_price_book_entries_floor_price",
        ),
        sa.CheckConstraint(
            "max_discount_pct >= 0 AND max_discount_pct <= 100",
            name="ck_price_book_entries_max_discount",
        ),
    )

    op.create_table(
        "quotes",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("deal_id", ID, nullable=True),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("quoted_unit_price", MONEY, nullable=False),
        sa.Column("discount_pct", sa.Float(), nullable=False),
        sa.Column("quoted_at", _ts(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quotes"),
        _fk("quotes", "account_id", "accounts.id", "CASCADE"),
        _fk("quotes", "deal_id", "deals.id", "SET NULL"),
        _fk("quotes", "product_id", "products.id", "RESTRICT"),
        sa.CheckConstraint("quantity > 0", name="ck_quotes_quantity"),
        sa.CheckConstraint("quoted_unit_price >= 0", name="ck_quotes_unit_price"),
        sa.CheckConstraint("discount_pct >= 0 AND discount_pct <= 100", name="ck_quotes_discount"),
    )
    op.create_index("ix_quotes_account_id", "quotes", ["account_id"])
    op.create_index("ix_quotes_product_id", "quotes", ["product_id"])

    op.create_table(
        "ground_truth",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("true_stage", sa.String(16), nullable=False),
        sa.Column("true_budget_band", sa.String(8), nullable=False),
        sa.Column("true_decision_maker_contact_id", ID, nullable=True),
        sa.PrimaryKeyConstraint("account_id", name="pk_ground_truth"),
        _fk("ground_truth", "account_id", "accounts.id", "CASCADE"),
        _fk("ground_truth", "true_decision_maker_contact_id", "contacts.id", "SET NULL"),
        sa.CheckConstraint(
            _in(
                "true_stage",
                "awareness",
                "research",
                "evaluation",
                "negotiation",
                "purchase",
                "dormant",
            ),
            name="ck_ground_truth_true_stage",
        ),
        sa.CheckConstraint(
            _in("true_budget_band", "<1M", "1-5M", "5-20M", ">20M"),
            name="ck_ground_truth_true_budget_band",
        ),
    )


def downgrade() -> None:
    for table in (
        "ground_truth",
        "quotes",
        "price_book_entries",
        "document_sections",
        "product_documents",
        "activities",
        "deal_products",
        "deals",
        "products",
        "contacts",
        "account_budgets",
        "accounts",
    ):
        op.drop_table(table)
