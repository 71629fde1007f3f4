"""Pydantic schemas of import rows: one per importable entity, unknown fields rejected."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crm.enums import ActivityKind, DealOutcome, DealStage, Industry, Seniority, Tier

Id = Annotated[str, Field(min_length=1, max_length=24, pattern=r"^\S+$")]
Text = Annotated[str, Field(min_length=1)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Percent = Annotated[float, Field(ge=0, le=100)]


class ImportRow(BaseModel):
    """Base of import rows: strict about unknown fields, lenient about text-encoded numbers."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _json_object(value: Any) -> Any:
    # CSV cells carry JSON objects as text.
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg}") from exc
    if value is None:
        return {}
    if not isinstance(value, dict):
        # pydantic turns ValueError (not TypeError) into a validation error for the row.
        raise ValueError("must be a JSON object")
    return value


class RepRow(ImportRow):
    id: Id
    name: Text
    name_zh: str | None = None
    email: str | None = Field(default=None, max_length=200)
    region: Text
    team: Text


class AccountRow(ImportRow):
    id: Id
    name: Text
    industry: Industry
    hospital_type: str | None = None
    beds: Annotated[int, Field(ge=0)] | None = None
    city: Text
    region: Text
    tier: Tier
    created_at: datetime | None = None
    owner_id: Id | None = None


class BudgetRow(ImportRow):
    account_id: Id
    year: Annotated[int, Field(ge=1900, le=2200)]
    amount: Money
    currency: Currency = "CNY"


class ContactRow(ImportRow):
    id: Id
    account_id: Id
    first_name: Text
    last_name: Text
    title: Text
    department: Text
    seniority: Seniority
    reports_to: Id | None = None
    email: str | None = None
    phone: str | None = None
    created_at: datetime | None = None

    @model_validator(mode="after")
    def _not_own_manager(self) -> ContactRow:
        if self.reports_to == self.id:
            raise ValueError("a contact cannot report to itself")
        return self


class DealRow(ImportRow):
    id: Id
    account_id: Id
    primary_contact_id: Id | None = None
    name: Text
    stage: DealStage
    amount: Money
    currency: Currency = "CNY"
    region: Text
    close_date: date | None = None
    outcome: DealOutcome
    created_at: datetime | None = None

    @model_validator(mode="after")
    def _stage_matches_outcome(self) -> DealRow:
        expected = {"closed_won": "won", "closed_lost": "lost"}.get(self.stage, "open")
        if self.outcome != expected:
            raise ValueError(f"outcome {self.outcome!r} contradicts stage {self.stage!r}")
        return self


class DealProductRow(ImportRow):
    deal_id: Id
    product_id: Id
    quantity: Annotated[int, Field(gt=0)]
    unit_price: Money


class ActivityRow(ImportRow):
    id: Id
    account_id: Id
    contact_id: Id | None = None
    kind: ActivityKind
    occurred_at: datetime
    product_id: Id | None = None
    url: str | None = None
    subject: str | None = None
    body: str | None = None
    duration_s: Annotated[int, Field(ge=0)] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    _metadata_object = field_validator("metadata", mode="before")(_json_object)


class ProductRow(ImportRow):
    id: Id
    sku: Text
    name: Text
    category: Text
    manufacturer: Text
    description: str = ""
    specs: dict[str, Any] = Field(default_factory=dict)
    currency: Currency = "CNY"

    _specs_object = field_validator("specs", mode="before")(_json_object)


class PriceBookRow(ImportRow):
    id: Id
    product_id: Id
    list_price: Money
    floor_price: Money
    currency: Currency = "CNY"
    max_discount_pct: Percent
    discount_policy: str = ""
    valid_from: date

    @model_validator(mode="after")
    def _floor_below_list(self) -> PriceBookRow:
        if self.floor_price > self.list_price:
            raise ValueError("floor_price is above list_price")
        return self


class QuoteRow(ImportRow):
    id: Id
    account_id: Id
    deal_id: Id | None = None
    product_id: Id
    quantity: Annotated[int, Field(gt=0)]
    quoted_unit_price: Money
    discount_pct: Percent
    quoted_at: datetime
    accepted: bool
