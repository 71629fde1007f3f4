"""Gather the evidence for a budget request through the pricing tools, and nothing else.

The evidence is plain data (pydantic, JSON in the graph state), so the computation that follows
is a pure function of it and a fairness review can replay it with one input changed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict

from crm.records import AccountRecord, BudgetRecord, DealRecord, PriceBookRecord, ProductRecord
from tools.errors import UnknownRegion
from tools.logistics import LogisticsRate
from tools.pricing import ComparableQuote, PriceSensitivity, SpendYear, StatedBudget

if TYPE_CHECKING:
    from agents.budget.request import BudgetRequest
    from agents.subjects import SubjectCRM

# Fewer accepted comparables of the product itself than this, and its category is pooled in.
MIN_PRODUCT_COMPARABLES = 5


class BudgetTools(Protocol):
    """What this agent needs from ``tools/`` (``tools.pricing.PricingTools`` provides it)."""

    @property
    def crm(self) -> SubjectCRM:
        """The CRM ``agents.subjects`` resolves the deal or account asked about in."""
        ...

    def deal(self, deal_id: str) -> DealRecord: ...

    def account(self, account_id: str) -> AccountRecord: ...

    def product(self, product_id: str) -> ProductRecord: ...

    def products_mentioned(self, text: str) -> list[dict[str, str]]: ...

    def accounts_mentioned(self, text: str) -> list[AccountRecord]: ...

    def products_in_category(self, category: str) -> list[ProductRecord]: ...

    def price_book_entry(self, product_id: str, *, on: date) -> PriceBookRecord | None: ...

    def closed_quotes(
        self, *, before: datetime, exclude_deal_id: str | None = None
    ) -> list[ComparableQuote]: ...

    def logistics_rate(self, region: str, *, list_price: Decimal) -> LogisticsRate: ...

    def account_budgets(self, account_id: str) -> list[BudgetRecord]: ...

    def stated_budgets(
        self, account_id: str, *, year: int, before: datetime
    ) -> list[StatedBudget]: ...

    def account_spend(self, account_id: str, *, before: datetime) -> list[SpendYear]: ...

    def price_sensitivity(
        self, account_id: str, *, before: datetime, exclude_deal_id: str | None = None
    ) -> PriceSensitivity: ...


class ProductRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    category: str


class LineEvidence(BaseModel):
    """One line to price and everything known about its product's prices."""

    model_config = ConfigDict(frozen=True)

    product: ProductRef
    quantity: int
    current_unit_price: Decimal | None = None  # the deal line's price, when pricing a deal
    price_book: PriceBookRecord | None = None
    comparables: tuple[ComparableQuote, ...] = ()
    category_comparables: tuple[ComparableQuote, ...] = ()  # only when the product has too few
    logistics: LogisticsRate | None = None


class Evidence(BaseModel):
    """Everything the estimate is computed from."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    account: AccountRecord
    deal: DealRecord | None = None
    region: str
    region_overridden: bool = False
    lines: tuple[LineEvidence, ...] = ()
    sensitivity: PriceSensitivity
    budgets: tuple[BudgetRecord, ...] = ()
    stated_budgets: tuple[StatedBudget, ...] = ()
    spend: tuple[SpendYear, ...] = ()
    # (discount position, won) of every closed final quote, for the win curve: only the two
    # numbers, so the graph state stays small.
    win_history: tuple[tuple[float, bool], ...] = ()


def cutoff(as_of: date) -> datetime:
    """Evidence must predate the start of ``as_of`` (UTC)."""
    return datetime.combine(as_of, time.min, tzinfo=UTC)


def gather_evidence(tools: BudgetTools, request: BudgetRequest) -> Evidence:
    """Read the price book, comparables, budgets, spend and sensitivity for ``request``."""
    before = cutoff(request.as_of)
    account = tools.account(request.account_id)
    deal = tools.deal(request.deal_id) if request.deal_id else None
    region = request.region or (deal.region if deal else account.region)
    current = {line.product_id: line.unit_price for line in deal.lines} if deal else {}
    # One read of the closed-deal history serves every line's comparables and the win curve.
    history = (
        tools.closed_quotes(before=before, exclude_deal_id=request.deal_id) if request.lines else []
    )
    lines = tuple(
        _line(
            tools,
            line.product_id,
            line.quantity,
            current.get(line.product_id),
            region,
            request,
            history,
        )
        for line in request.lines
    )
    return Evidence(
        as_of=request.as_of,
        account=account,
        deal=deal,
        region=region,
        region_overridden=request.region is not None,
        lines=lines,
        sensitivity=tools.price_sensitivity(
            account.id, before=before, exclude_deal_id=request.deal_id
        ),
        budgets=tuple(tools.account_budgets(account.id)),
        stated_budgets=tuple(
            tools.stated_budgets(account.id, year=request.as_of.year, before=before)
        ),
        spend=tuple(tools.account_spend(account.id, before=before)),
        win_history=tuple(
            (round(q.position, 4), q.outcome == "won") for q in history if q.position is not None
        ),
    )


def _line(
    tools: BudgetTools,
    product_id: str,
    quantity: int,
    current: Decimal | None,
    region: str,
    request: BudgetRequest,
    history: list[ComparableQuote],
) -> LineEvidence:
    product = tools.product(product_id)
    entry = tools.price_book_entry(product_id, on=request.as_of)
    comparables = tuple(q for q in history if q.product_id == product_id)
    pooled: tuple[ComparableQuote, ...] = ()
    if sum(q.outcome == "won" for q in comparables) < MIN_PRODUCT_COMPARABLES:
        siblings = {p.id for p in tools.products_in_category(product.category)} - {product_id}
        pooled = tuple(q for q in history if q.product_id in siblings)
    return LineEvidence(
        product=ProductRef(id=product.id, name=product.name, category=product.category),
        quantity=quantity,
        current_unit_price=current,
        price_book=entry,
        comparables=comparables,
        category_comparables=pooled,
        logistics=_logistics(tools, region, entry),
    )


def _logistics(
    tools: BudgetTools, region: str, entry: PriceBookRecord | None
) -> LogisticsRate | None:
    """The rate card line, or None when the product is unpriced or the card lacks the region."""
    if entry is None:
        return None
    try:
        return tools.logistics_rate(region, list_price=entry.list_price)
    except UnknownRegion:
        return None  # an imported CRM may name regions the card does not know: cost unknown
