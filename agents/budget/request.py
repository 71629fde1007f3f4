"""What the rep asks about: a deal, or an account with products and quantities, resolved to ids.

Structured input (``deal_id``, ``account_id``, ``lines``) wins over the question's text; from
text, record ids (DEAL-0042, ACC-0007, PRD-010), account names and product names are read, with
a quantity written next to a product ("3 x VitaScan P12", "VitaScan P12 x 3", "two ...").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.budget.evidence import BudgetTools
from agents.budget.state import BudgetState
from crm.errors import NotFound
from tools.logistics import REGIONS

_DEAL = re.compile(r"\bDEAL-\d+\b", re.IGNORECASE)
_ACCOUNT = re.compile(r"\bACC-\d+\b", re.IGNORECASE)
_WORDS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_COUNT = r"(\d+|" + "|".join(w for w in _WORDS if len(w) > 2) + r")"
MAX_QUANTITY = 100_000


class LineRequest(BaseModel):
    """A product and how many units to price."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class BudgetRequest(BaseModel):
    """A resolved request: whose budget, which lines, as of when, and an optional region."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    deal_id: str | None = None
    lines: tuple[LineRequest, ...] = ()
    region: str | None = None  # fairness review: price as if the account were in this region
    as_of: date


class RequestProblem(Exception):
    """The request names nothing that can be priced; ``code`` says why."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def today() -> date:
    return datetime.now(UTC).date()


def resolve_request(state: BudgetState, question: str, tools: BudgetTools) -> BudgetRequest:
    """The request in ``state`` and ``question``; raises :class:`RequestProblem`."""
    as_of = _as_of(state.get("as_of"))
    region = state.get("region") or None
    if region is not None and region not in REGIONS:
        raise RequestProblem(
            "unknown_region", f"unknown region {region!r}; known: {', '.join(REGIONS)}"
        )
    deal_id = state.get("deal_id") or _first(_DEAL, question)
    if deal_id:
        try:
            deal = tools.deal(deal_id.upper())
        except NotFound:
            raise RequestProblem(
                "deal_not_found", f"There is no deal {deal_id.upper()} in the CRM."
            ) from None
        lines = tuple(
            LineRequest(product_id=line.product_id, quantity=line.quantity) for line in deal.lines
        )
        return BudgetRequest(
            account_id=deal.account_id, deal_id=deal.id, lines=lines, region=region, as_of=as_of
        )
    account_id = _account_id(state, question, tools)
    lines = _lines(state.get("lines"), question, tools)
    return BudgetRequest(account_id=account_id, lines=lines, region=region, as_of=as_of)


def _as_of(value: Any) -> date:
    if value in (None, ""):
        return today()
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RequestProblem("invalid_as_of", f"as_of must be an ISO date, got {value!r}") from None


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(0).upper() if match else None


def _account_id(state: BudgetState, question: str, tools: BudgetTools) -> str:
    account_id = state.get("account_id") or _first(_ACCOUNT, question)
    if account_id:
        try:
            return tools.account(account_id.upper()).id
        except NotFound:
            raise RequestProblem(
                "account_not_found", f"There is no account {account_id.upper()} in the CRM."
            ) from None
    named = tools.accounts_mentioned(question) if question else []
    if named:
        return named[0].id
    raise RequestProblem(
        "no_subject",
        "Name a deal (e.g. DEAL-0042) or an account (e.g. ACC-0007 or its name), "
        "optionally with products and quantities.",
    )


def _lines(given: Any, question: str, tools: BudgetTools) -> tuple[LineRequest, ...]:
    if given:
        try:
            lines = tuple(LineRequest.model_validate(line) for line in given)
        except ValueError as exc:
            raise RequestProblem(
                "invalid_lines", f"lines must be product_id and quantity >= 1: {exc}"
            ) from None
        for line in lines:
            try:
                tools.product(line.product_id)
            except NotFound:
                raise RequestProblem(
                    "product_not_found", f"There is no product {line.product_id} in the CRM."
                ) from None
        return _merged(lines)
    found = []
    for mention in tools.products_mentioned(question) if question else []:
        product = tools.product(mention["product_id"])
        found.append(
            LineRequest(
                product_id=product.id, quantity=_quantity(question, product.name, product.sku)
            )
        )
    return _merged(tuple(found))


def _merged(lines: tuple[LineRequest, ...]) -> tuple[LineRequest, ...]:
    """One line per product, quantities added (a deal line is unique per product too)."""
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.product_id] = totals.get(line.product_id, 0) + line.quantity
    return tuple(
        LineRequest(product_id=pid, quantity=min(q, MAX_QUANTITY)) for pid, q in totals.items()
    )


def _quantity(text: str, name: str, sku: str) -> int:
    """The count written next to a product's name, short name or SKU; 1 when there is none."""
    words = name.split()
    for form in dict.fromkeys([name, " ".join(words[:2]), sku]):
        escaped = re.escape(form)
        before = re.search(
            rf"\b{_COUNT}\s*(?:x|×|units?\s+of|pcs\s+of|of)?\s*(?:the\s+)?{escaped}",
            text,
            re.IGNORECASE,
        )
        after = re.search(rf"{escaped}\w*\s*(?:x|×)\s*(\d+)\b", text, re.IGNORECASE)
        for match in (before, after):
            if match:
                figure = match.group(1).lower()
                return min(
                    max(1, int(figure) if figure.isdigit() else _WORDS[figure]), MAX_QUANTITY
                )
    return 1
