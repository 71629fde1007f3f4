"""SQLAlchemy models of the CRM: accounts, people, deals, behaviour events, products, prices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm.columns import UTCDateTime, json_type
from crm.db import Base
from crm.enums import (
    ACTIVITY_KINDS,
    BUDGET_BANDS,
    DEAL_OUTCOMES,
    DEAL_STAGES,
    INDUSTRIES,
    SENIORITIES,
    TIERS,
    TRUE_STAGES,
    sql_in,
)

ID = String(24)


class Rep(Base):
    """A sales rep: owns accounts in one region (their territory), works in one team."""

    __tablename__ = "reps"

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # REP-001
    name: Mapped[str] = mapped_column(String(120))  # in Latin letters: "Wang Lei"
    name_zh: Mapped[str | None] = mapped_column(String(60))  # "王磊", when known
    email: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(40), index=True)  # the territory
    team: Mapped[str] = mapped_column(String(80))


class Account(Base):
    """A customer organisation: a hospital, clinic or laboratory."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(sql_in("industry", INDUSTRIES), name="industry"),
        CheckConstraint(sql_in("tier", TIERS), name="tier"),
        CheckConstraint("beds IS NULL OR beds >= 0", name="beds"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # ACC-0001
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(16))
    hospital_type: Mapped[str | None] = mapped_column(String(64))
    beds: Mapped[int | None] = mapped_column(Integer)
    city: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(40), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The rep who owns the account; None while unassigned (or after the rep was removed).
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("reps.id", ondelete="SET NULL"), index=True
    )


class AccountBudget(Base):
    """An account's annual equipment budget for one year."""

    __tablename__ = "account_budgets"
    __table_args__ = (
        UniqueConstraint("account_id", "year"),
        CheckConstraint("amount >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))


class Contact(Base):
    """A person at an account; ``reports_to`` builds the organisation chart."""

    __tablename__ = "contacts"
    __table_args__ = (CheckConstraint(sql_in("seniority", SENIORITIES), name="seniority"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # CON-00001
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(120))
    department: Mapped[str] = mapped_column(String(80))
    seniority: Mapped[str] = mapped_column(String(16))
    reports_to: Mapped[str | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Product(Base):
    """A catalogue product the distributor sells."""

    __tablename__ = "products"

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # PRD-001
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(80), index=True)
    manufacturer: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    specs: Mapped[dict[str, Any]] = mapped_column(json_type())
    currency: Mapped[str] = mapped_column(String(3))


class Deal(Base):
    """A sales opportunity; its outcome must agree with its stage."""

    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint(sql_in("stage", DEAL_STAGES), name="stage"),
        CheckConstraint(sql_in("outcome", DEAL_OUTCOMES), name="outcome"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint(
            "(stage = 'closed_won' AND outcome = 'won')"
            " OR (stage = 'closed_lost' AND outcome = 'lost')"
            " OR (stage NOT IN ('closed_won', 'closed_lost') AND outcome = 'open')",
            name="stage_outcome",
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # DEAL-0001
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    primary_contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    region: Mapped[str] = mapped_column(String(40))
    close_date: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DealProduct(Base):
    """A line of a deal: which product, how many, at what unit price."""

    __tablename__ = "deal_products"
    __table_args__ = (
        UniqueConstraint("deal_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal]


class Activity(Base):
    """A behaviour event: a visit, download, email, call, meeting or public tender."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(sql_in("kind", ACTIVITY_KINDS), name="kind"),
        CheckConstraint("duration_s IS NULL OR duration_s >= 0", name="duration"),
        Index("ix_activities_account_id_occurred_at", "account_id", "occurred_at"),
        Index("ix_activities_contact_id_occurred_at", "contact_id", "occurred_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # EVT-000001
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    product_id: Mapped[str | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    duration_s: Mapped[int | None] = mapped_column(Integer)
    # "metadata" is reserved on declarative classes; the column keeps the plain name.
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", json_type(), default=dict)


class ProductDocument(Base):
    """A technical document of a product (manual, datasheet, whitepaper...)."""

    __tablename__ = "product_documents"

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # DOC-...
    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))


class DocumentSection(Base):
    """One section of a product document, in reading order."""

    __tablename__ = "document_sections"
    __table_args__ = (
        UniqueConstraint("document_id", "ordinal"),
        CheckConstraint("page >= 1", name="page"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # SEC-00001
    document_id: Mapped[str] = mapped_column(ForeignKey("product_documents.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


class PriceBookEntry(Base):
    """A product's list and floor price and discount policy from ``valid_from`` on."""

    __tablename__ = "price_book_entries"
    __table_args__ = (
        UniqueConstraint("product_id", "valid_from"),
        CheckConstraint("list_price >= 0", name="list_price"),
        CheckConstraint("floor_price >= 0 AND floor_price <= list_price", name="floor_price"),
        CheckConstraint("max_discount_pct >= 0 AND max_discount_pct <= 100", name="max_discount"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # PBE-0001
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    list_price: Mapped[Decimal]
    floor_price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    max_discount_pct: Mapped[float] = mapped_column(Float)
    discount_policy: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)


class Quote(Base):
    """A price quoted to an account, and whether the account accepted it."""

    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("quoted_unit_price >= 0", name="unit_price"),
        CheckConstraint("discount_pct >= 0 AND discount_pct <= 100", name="discount"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # QUO-00001
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    quoted_unit_price: Mapped[Decimal]
    discount_pct: Mapped[float] = mapped_column(Float)
    quoted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted: Mapped[bool] = mapped_column(Boolean)


class GroundTruth(Base):
    """Hidden truth about an account, for evaluation only: agents never read this table."""

    __tablename__ = "ground_truth"
    __table_args__ = (
        CheckConstraint(sql_in("true_stage", TRUE_STAGES), name="true_stage"),
        CheckConstraint(sql_in("true_budget_band", BUDGET_BANDS), name="true_budget_band"),
    )

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    true_stage: Mapped[str] = mapped_column(String(16))
    true_budget_band: Mapped[str] = mapped_column(String(8))
    true_decision_maker_contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
