"""Read-only records the store hands out: plain pydantic values, never live ORM objects."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    """Immutable, built from ORM attributes or row mappings."""

    model_config = ConfigDict(from_attributes=True, frozen=True)


class RepRecord(Record):
    """A sales rep: their territory (``region``) and team."""

    id: str
    name: str
    name_zh: str | None = None
    email: str | None = None
    region: str
    team: str


class AccountRecord(Record):
    id: str
    name: str
    industry: str
    hospital_type: str | None
    beds: int | None
    city: str
    region: str
    tier: str
    created_at: datetime
    owner_id: str | None = None


class BudgetRecord(Record):
    account_id: str
    year: int
    amount: Decimal
    currency: str


class ContactRecord(Record):
    id: str
    account_id: str
    first_name: str
    last_name: str
    title: str
    department: str
    seniority: str
    reports_to: str | None
    email: str | None
    phone: str | None
    created_at: datetime

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class DealLineRecord(Record):
    product_id: str
    quantity: int
    unit_price: Decimal


class DealRecord(Record):
    id: str
    account_id: str
    primary_contact_id: str | None
    name: str
    stage: str
    amount: Decimal
    currency: str
    region: str
    close_date: date | None
    outcome: str
    created_at: datetime
    lines: tuple[DealLineRecord, ...] = ()


class ActivityRecord(Record):
    id: str
    account_id: str
    contact_id: str | None
    kind: str
    occurred_at: datetime
    product_id: str | None
    url: str | None
    subject: str | None
    body: str | None
    duration_s: int | None
    meta: dict[str, Any] = Field(default_factory=dict)


class ProductRecord(Record):
    id: str
    sku: str
    name: str
    category: str
    manufacturer: str
    description: str
    specs: dict[str, Any]
    currency: str


class SectionRecord(Record):
    id: str
    ordinal: int
    page: int
    heading: str
    body: str


class DocumentRecord(Record):
    id: str
    product_id: str
    title: str
    kind: str
    version: str
    sections: tuple[SectionRecord, ...] = ()


class DocumentSectionRecord(Record):
    """A section with everything needed to index it on its own (e.g. into Chroma)."""

    section_id: str
    product_id: str
    document_id: str
    document_title: str
    document_kind: str
    heading: str
    page: int
    ordinal: int
    body: str


class AccountNoteRecord(Record):
    """Free text written about an account: meeting notes and email bodies."""

    id: str
    account_id: str
    contact_id: str | None
    product_id: str | None
    kind: str
    occurred_at: datetime
    subject: str | None
    body: str


class PriceBookRecord(Record):
    id: str
    product_id: str
    list_price: Decimal
    floor_price: Decimal
    currency: str
    max_discount_pct: float
    discount_policy: str
    valid_from: date


class QuoteRecord(Record):
    id: str
    account_id: str
    deal_id: str | None
    product_id: str
    quantity: int
    quoted_unit_price: Decimal
    discount_pct: float
    quoted_at: datetime
    accepted: bool


class GroundTruthRecord(Record):
    """Hidden truth about an account; for evaluation code only."""

    account_id: str
    true_stage: str
    true_budget_band: str
    true_decision_maker_contact_id: str | None
