"""What the rep asks about: a deal, or an account with products and quantities, resolved to ids.

Structured input (``deal_id``, ``account_id``, ``lines``) wins over the question's text. The deal
or account is resolved by ``agents.subjects`` (ids, account names, "X's open deal", "our
largest open deal at X", "that hospital" in a thread, the page's focus); products are read by
name or SKU, with a quantity written next to a product ("3 x VitaScan P12", "VitaScan P12 x 3",
"two ...").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.budget.evidence import BudgetTools
from agents.budget.state import BudgetState
from agents.conversation import focus_of
from agents.subjects import (
    Subject,
    UnknownRecord,
    no_open_deal_text,
    resolve_subject,
    which_deal_question,
)
from crm.errors import NotFound
from tools.logistics import REGIONS

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


def resolve_request(
    state: BudgetState,
    question: str,
    tools: BudgetTools,
    *,
    earlier: Sequence[Any] = (),
) -> BudgetRequest:
    """The request in ``state`` and ``question``; raises :class:`RequestProblem`.

    The deal or account comes from ``agents.subjects``: "Ruijin Hospital's open deal" is that
    deal when Ruijin has one, "that hospital" is the conversation's account (``earlier``
    messages), the page's ``focus`` applies when the question names nothing else. With several
    open deals the problem ``which_deal`` carries the question that lists them.
    """
    as_of = _as_of(state.get("as_of"))
    region = state.get("region") or None
    if region is not None and region not in REGIONS:
        raise RequestProblem(
            "unknown_region", f"unknown region {region!r}; known: {', '.join(REGIONS)}"
        )
    subject = _subject(state, question, tools, earlier)
    if subject.needs_choice:
        raise RequestProblem("which_deal", which_deal_question(subject))
    if subject.deal_id:
        deal = tools.deal(subject.deal_id)
        lines = tuple(
            LineRequest(product_id=line.product_id, quantity=line.quantity) for line in deal.lines
        )
        return BudgetRequest(
            account_id=deal.account_id, deal_id=deal.id, lines=lines, region=region, as_of=as_of
        )
    lines = _lines(state.get("lines"), question, tools)
    if subject.no_open_deal and not lines:
        raise RequestProblem("no_open_deal", no_open_deal_text(subject))
    if subject.account_id is None:
        raise RequestProblem(
            "no_subject",
            "Name a deal (e.g. DEAL-0042) or an account (e.g. ACC-0007 or its name), "
            "optionally with products and quantities.",
        )
    return BudgetRequest(account_id=subject.account_id, lines=lines, region=region, as_of=as_of)


def _subject(
    state: BudgetState, question: str, tools: BudgetTools, earlier: Sequence[Any]
) -> Subject:
    """The deal or account asked about; structured input wins over the question's text."""
    given_deal = (state.get("deal_id") or "").strip().upper()
    try:
        if given_deal:
            return resolve_subject(tools.crm, given_deal)
        return resolve_subject(
            tools.crm,
            question,
            account_id=state.get("account_id") or None,
            earlier=earlier,
            focus=focus_of(state),
        )
    except UnknownRecord as unknown:
        raise RequestProblem(f"{unknown.kind}_not_found", str(unknown)) from None


def _as_of(value: Any) -> date:
    if value in (None, ""):
        return today()
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RequestProblem("invalid_as_of", f"as_of must be an ISO date, got {value!r}") from None


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
