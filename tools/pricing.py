"""Pricing tools over the CRM store: price book, comparable deals, budgets, spend, sensitivity.

Every result is a typed, frozen value carrying the ids of the records it came from, so an agent
can cite them. Region is deliberately absent from everything here except ``logistics_rate``:
comparables are chosen by product, tier, industry and size, never by where an account is.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict

from crm.reader import CRMReader
from crm.records import (
    AccountRecord,
    BudgetRecord,
    DealRecord,
    PriceBookRecord,
    ProductRecord,
    QuoteRecord,
)
from tools.documentation import ProductDirectory
from tools.logistics import LogisticsRate, logistics_rate

# "Their equipment budget this year is about CNY 12.5M", "budget of around CNY 800,000".
_STATED_BUDGET = re.compile(
    r"budget[^.]{0,40}?\b(?:about|around|approximately|roughly|of)\s+CNY\s*"
    r"(\d[\d,]*(?:\.\d+)?)\s*(M|million)?",
    re.IGNORECASE,
)
_NOTE_KINDS = ("meeting", "email_in", "email_out")
_ALL = 1_000_000  # page size that means "every account": the CRM holds thousands at most


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class ComparableQuote(_Value):
    """The final quote of a product in a closed deal: what was offered, and whether it won."""

    quote_id: str
    deal_id: str
    account_id: str
    product_id: str
    quantity: int
    unit_price: Decimal
    discount_pct: float
    max_discount_pct: float | None  # the cap of the price book valid when it was quoted
    outcome: Literal["won", "lost"]
    tier: str
    industry: str
    beds: int | None
    quoted_at: datetime

    @property
    def position(self) -> float | None:
        """Discount as a share of the allowed maximum (0 = list price, 1 = floor price)."""
        if not self.max_discount_pct:
            return None
        return self.discount_pct / self.max_discount_pct


class StatedBudget(_Value):
    """A budget figure someone wrote down in a meeting note or e-mail."""

    activity_id: str
    occurred_at: datetime
    amount: Decimal
    text: str


class SpendYear(_Value):
    """What an account spent with us in one year: its won deals closed that year."""

    year: int
    amount: Decimal
    deal_ids: tuple[str, ...]


class PriceSensitivity(_Value):
    """An account's own closed quotes: the discounts it accepted and the ones it turned down."""

    account_id: str
    accepted: tuple[ComparableQuote, ...]
    rejected: tuple[ComparableQuote, ...]


class PricingTools:
    """Typed pricing look-ups over a :class:`CRMReader`; safe to share between runs."""

    def __init__(self, crm: CRMReader, *, products: ProductDirectory | None = None) -> None:
        self.crm = crm
        self._directory = products
        # Closed deals never change outcome, so their outcome and close date are cached;
        # open deals are looked up again on every call.
        self._closed: dict[str, tuple[str, date | None]] = {}

    # Records ----------------------------------------------------------------------------

    def deal(self, deal_id: str) -> DealRecord:
        """One deal with its lines; raises ``crm.NotFound``."""
        return self.crm.get_deal(deal_id=deal_id)

    def account(self, account_id: str) -> AccountRecord:
        """One account; raises ``crm.NotFound``."""
        return self.crm.get_account(account_id=account_id)

    def product(self, product_id: str) -> ProductRecord:
        """One product; raises ``crm.NotFound``."""
        return self.crm.get_product(product_id=product_id)

    def products_mentioned(self, text: str) -> list[dict[str, str]]:
        """Products named in ``text`` by name, brand + model or SKU, in order of mention."""
        if self._directory is None:
            self._directory = ProductDirectory(self.crm.list_products())
        return self._directory.mentioned_in(text)

    def accounts_mentioned(self, text: str) -> list[AccountRecord]:
        """Accounts whose full name appears in ``text``, longest names first, without overlaps."""
        lowered = text.lower()
        found: list[AccountRecord] = []
        taken: list[tuple[int, int]] = []
        for account in sorted(self._accounts().values(), key=lambda a: -len(a.name)):
            match = re.search(rf"(?<!\w){re.escape(account.name.lower())}(?!\w)", lowered)
            if match and not any(s < match.end() and match.start() < e for s, e in taken):
                taken.append(match.span())
                found.append(account)
        return found

    def products_in_category(self, category: str) -> list[ProductRecord]:
        """Every catalogue product of ``category``."""
        return self.crm.list_products(category=category)

    # Prices -----------------------------------------------------------------------------

    def price_book_entry(self, product_id: str, *, on: date) -> PriceBookRecord | None:
        """The price book entry of ``product_id`` valid on ``on`` (None when there is none)."""
        valid = [
            e for e in self.crm.price_book_for_product(product_id=product_id) if e.valid_from <= on
        ]
        return valid[-1] if valid else None

    def comparable_quotes(
        self, product_id: str, *, before: datetime, exclude_deal_id: str | None = None
    ) -> list[ComparableQuote]:
        """Final quotes of ``product_id`` in deals decided before ``before``, newest first.

        Won deals count from their accepted quote; lost deals from their last revision once the
        deal had closed. Open deals and budgetary quotes (without a deal) are left out.
        """
        quotes = [
            q
            for q in self.crm.quotes_for_product(product_id=product_id)
            if q.deal_id != exclude_deal_id
        ]
        caps = self.crm.price_book_for_product(product_id=product_id)
        return self._closed_finals(quotes, {product_id: caps}, self._accounts(), before)

    def closed_quotes(
        self, *, before: datetime, exclude_deal_id: str | None = None
    ) -> list[ComparableQuote]:
        """Final quotes of every product in deals decided before ``before`` (win/loss history)."""
        accounts = self._accounts()
        found: list[ComparableQuote] = []
        for product in self.crm.list_products():
            quotes = [
                q
                for q in self.crm.quotes_for_product(product_id=product.id)
                if q.deal_id != exclude_deal_id
            ]
            caps = {product.id: self.crm.price_book_for_product(product_id=product.id)}
            found += self._closed_finals(quotes, caps, accounts, before)
        return found

    def logistics_rate(self, region: str, *, list_price: Decimal) -> LogisticsRate:
        """Delivery and installation cost per unit from the logistics rate card."""
        return logistics_rate(region, list_price=list_price)

    # The account ------------------------------------------------------------------------

    def account_budgets(self, account_id: str) -> list[BudgetRecord]:
        """The account's recorded annual equipment budgets, oldest year first."""
        return self.crm.budgets_for_account(account_id=account_id)

    def stated_budgets(self, account_id: str, *, year: int, before: datetime) -> list[StatedBudget]:
        """Budget figures quoted in the account's notes and e-mails written in ``year``."""
        since = datetime(year, 1, 1, tzinfo=before.tzinfo)
        notes = self.crm.activities_for_account(
            account_id=account_id, since=since, kinds=_NOTE_KINDS, limit=_ALL
        )
        found = []
        for note in notes:
            if note.occurred_at >= before or note.occurred_at.year != year or not note.body:
                continue
            for match in _STATED_BUDGET.finditer(note.body):
                amount = _amount(match.group(1), millions=bool(match.group(2)))
                if amount is not None:
                    found.append(
                        StatedBudget(
                            activity_id=note.id,
                            occurred_at=note.occurred_at,
                            amount=amount,
                            text=match.group(0),
                        )
                    )
        return sorted(found, key=lambda s: (s.occurred_at, s.activity_id))

    def account_spend(self, account_id: str, *, before: datetime) -> list[SpendYear]:
        """Won deals of the account closed before ``before``, summed per close year."""
        years: dict[int, list[DealRecord]] = defaultdict(list)
        for deal in self.crm.deals_for_account(account_id=account_id):
            if deal.outcome == "won" and deal.close_date and deal.close_date < before.date():
                years[deal.close_date.year].append(deal)
        return [
            SpendYear(
                year=year,
                amount=sum((d.amount for d in deals), Decimal(0)),
                deal_ids=tuple(d.id for d in deals),
            )
            for year, deals in sorted(years.items())
        ]

    def price_sensitivity(
        self, account_id: str, *, before: datetime, exclude_deal_id: str | None = None
    ) -> PriceSensitivity:
        """The account's final quotes in closed deals: accepted versus turned down."""
        quotes = [
            q
            for q in self.crm.quotes_for_account(account_id=account_id)
            if q.deal_id != exclude_deal_id
        ]
        caps = {
            pid: self.crm.price_book_for_product(product_id=pid)
            for pid in sorted({q.product_id for q in quotes})
        }
        accounts = {account_id: self.account(account_id)}
        finals = self._closed_finals(quotes, caps, accounts, before)
        return PriceSensitivity(
            account_id=account_id,
            accepted=tuple(q for q in finals if q.outcome == "won"),
            rejected=tuple(q for q in finals if q.outcome == "lost"),
        )

    # Internals --------------------------------------------------------------------------

    def _accounts(self) -> dict[str, AccountRecord]:
        return {a.id: a for a in self.crm.list_accounts(limit=_ALL)}

    def _outcomes(self, deal_ids: Iterable[str]) -> dict[str, tuple[str, date | None]]:
        """Outcome and close date of each deal: closed ones from the cache, the rest in one query."""
        wanted = set(deal_ids)
        missing = wanted - self._closed.keys()
        found = {d: self._closed[d] for d in wanted - missing}
        for deal in self.crm.get_deals(deal_ids=sorted(missing)):
            found[deal.id] = (deal.outcome, deal.close_date)
            if deal.outcome != "open":
                self._closed[deal.id] = found[deal.id]
        return found

    def _closed_finals(
        self,
        quotes: Iterable[QuoteRecord],
        caps: dict[str, list[PriceBookRecord]],
        accounts: dict[str, AccountRecord],
        before: datetime,
    ) -> list[ComparableQuote]:
        latest: dict[tuple[str, str], QuoteRecord] = {}
        for quote in quotes:
            if quote.deal_id is None:
                continue
            key = (quote.deal_id, quote.product_id)
            held = latest.get(key)
            if held is None or (quote.accepted, quote.quoted_at) > (held.accepted, held.quoted_at):
                latest[key] = quote
        outcomes = self._outcomes(d for (d, _), q in latest.items() if not q.accepted)
        found = []
        for (deal_id, product_id), quote in latest.items():
            decided: date | None
            if quote.accepted:
                outcome, decided = "won", quote.quoted_at.date()
            else:
                outcome, decided = outcomes.get(deal_id, ("open", None))
            if outcome == "open" or decided is None or decided >= before.date():
                continue
            account = accounts.get(quote.account_id)
            if account is None:
                continue
            entry = _valid_on(caps.get(product_id, []), quote.quoted_at.date())
            found.append(
                ComparableQuote(
                    quote_id=quote.id,
                    deal_id=deal_id,
                    account_id=quote.account_id,
                    product_id=product_id,
                    quantity=quote.quantity,
                    unit_price=quote.quoted_unit_price,
                    discount_pct=quote.discount_pct,
                    max_discount_pct=entry.max_discount_pct if entry else None,
                    outcome="won" if outcome == "won" else "lost",
                    tier=account.tier,
                    industry=account.industry,
                    beds=account.beds,
                    quoted_at=quote.quoted_at,
                )
            )
        return sorted(found, key=lambda q: (q.quoted_at, q.quote_id), reverse=True)


def _valid_on(entries: list[PriceBookRecord], day: date) -> PriceBookRecord | None:
    valid = [e for e in entries if e.valid_from <= day]
    return valid[-1] if valid else (entries[0] if entries else None)


def _amount(figure: str, *, millions: bool) -> Decimal | None:
    try:
        value = Decimal(figure.replace(",", ""))
    except InvalidOperation:
        return None
    return value * 1_000_000 if millions else value
