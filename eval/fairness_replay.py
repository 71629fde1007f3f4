"""Replay the budget agent over a sample of deals, once as recorded and once per region.

Each replay goes through the agent's own deterministic computation (``agents.budget.estimate``:
``gather_evidence`` then ``analyse``, exactly what the graph's ``gather_evidence`` and
``estimate_budget`` nodes run); only the request's ``region`` differs. What the scan keeps of
each estimate is the goods total at the recommended target price, the list value of the same
lines, and whether every line's target stays inside the discount policy (the "approval").
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, cast

from pydantic import BaseModel, ConfigDict

from agents.budget import Analysis, BudgetRequest, deal_request, estimate
from agents.budget.evidence import BudgetTools
from crm.store import CRMStore
from tools.pricing import ComparableQuote

logger = logging.getLogger(__name__)

Estimator = Callable[[BudgetTools, BudgetRequest], Analysis]
"""How a request becomes the recommendation's numbers; the agent's ``estimate`` unless a test
injects a variant."""

# A recommended unit price may sit this far (CNY) outside a policy bound before it counts as
# outside: unit prices are rounded to the cent.
CENT = 0.01


class Pricing(BaseModel):
    """What one estimate recommends for a deal's priced lines."""

    model_config = ConfigDict(frozen=True)

    target_total: float
    approved: bool


class PricedDeal(BaseModel):
    """A sampled deal priced in its recorded region and replayed into every region."""

    model_config = ConfigDict(frozen=True)

    deal_id: str
    recorded_region: str
    list_value: float
    own: Pricing
    replays: dict[str, Pricing]


class SkippedDeal(BaseModel):
    """A sampled deal the scan could not use, and why."""

    model_config = ConfigDict(frozen=True)

    deal_id: str
    reason: str


def deals_with_lines(crm: CRMStore) -> list[str]:
    """Ids of every deal that has product lines (what the budget agent can price), sorted."""
    found = []
    for account in crm.list_accounts(limit=1_000_000):
        found += [d.id for d in crm.deals_for_account(account_id=account.id) if d.lines]
    return sorted(found)


def sample_deals(deal_ids: Sequence[str], *, size: int, seed: int) -> list[str]:
    """A reproducible simple random sample of ``size`` ids (all of them when fewer), sorted."""
    if size >= len(deal_ids):
        return sorted(deal_ids)
    return sorted(random.Random(seed).sample(sorted(deal_ids), size))


def pricing_of(analysis: Analysis) -> tuple[float, Pricing] | None:
    """List value and recommended pricing of the priced lines; None when no line is priced.

    Approved: every priced line's target unit price lies between the floor price and the price
    the volume discount entitles the customer to (list price less that discount), i.e. the
    discount policy allows it without an escalation.
    """
    priced = [line for line in analysis.lines if line.priced and line.unit_target is not None]
    if not priced:
        return None
    list_value = target = 0.0
    approved = True
    for line in priced:
        list_price, floor = line.list_price or 0.0, line.floor_price or 0.0
        unit = line.unit_target or 0.0
        ceiling = list_price * (1 - line.volume_discount_pct / 100)
        approved &= floor - CENT <= unit <= ceiling + CENT
        list_value += list_price * line.quantity
        target += unit * line.quantity
    return round(list_value, 2), Pricing(target_total=round(target, 2), approved=approved)


def replay_deals(
    tools: BudgetTools,
    deal_ids: Sequence[str],
    *,
    regions: Sequence[str],
    as_of: date,
    estimator: Estimator = estimate,
) -> tuple[list[PricedDeal], list[SkippedDeal]]:
    """Price each deal as recorded and as if it were in each of ``regions``."""
    cached = ScanReadCache(tools)
    reads = cached.as_budget_tools()
    priced: list[PricedDeal] = []
    skipped: list[SkippedDeal] = []
    for deal_id in deal_ids:
        own = estimator(reads, deal_request(reads, deal_id, as_of=as_of))
        found = pricing_of(own)
        if found is None or found[0] <= 0 or found[1].target_total <= 0:
            reason = "no line has a price book entry" if found is None else "priced at zero"
            skipped.append(SkippedDeal(deal_id=deal_id, reason=reason))
            continue
        list_value, own_pricing = found
        replays = {}
        for region in regions:
            request = deal_request(reads, deal_id, as_of=as_of, region=region)
            replayed = pricing_of(estimator(reads, request))
            # Which lines are priced never depends on the region; guard it all the same.
            if replayed is None:
                raise ValueError(f"{deal_id} became unpriceable in region {region}")
            replays[region] = replayed[1]
        priced.append(
            PricedDeal(
                deal_id=deal_id,
                recorded_region=own.region,
                list_value=list_value,
                own=own_pricing,
                replays=replays,
            )
        )
        cached.forget_deal()
    return priced, skipped


class ScanReadCache:
    """The pricing tools with reads remembered for the length of a scan.

    The scan prices the same deal six times and every deal against the same closed-deal
    history, so the history is read once per cut-off date and each deal's exclusion is applied
    as a filter: ``closed_quotes(before=b, exclude_deal_id=d)`` is, by construction, the full
    history of ``b`` without deal ``d``'s quotes. Every other read is remembered until the
    next deal. The CRM is assumed not to change during a scan.
    """

    def __init__(self, tools: BudgetTools) -> None:
        self._tools = tools
        self._history: dict[datetime, list[ComparableQuote]] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}

    def as_budget_tools(self) -> BudgetTools:
        """This cache where the agent's tools go; what it does not define, __getattr__ reads."""
        # mypy does not count __getattr__'s reads as members of the protocol.
        return cast(BudgetTools, self)

    def forget_deal(self) -> None:
        """Drop the per-deal reads (the history stays)."""
        self._memo.clear()

    def closed_quotes(
        self, *, before: datetime, exclude_deal_id: str | None = None
    ) -> list[ComparableQuote]:
        if before not in self._history:
            self._history[before] = self._tools.closed_quotes(before=before)
        return [q for q in self._history[before] if q.deal_id != exclude_deal_id]

    def __getattr__(self, name: str) -> Callable[..., Any]:
        # Every other BudgetTools method is a read: deal, account, product, price book, budgets.
        def remembered(*args: Any, **kwargs: Any) -> Any:
            return self._remember(name, *args, **kwargs)

        return remembered

    def _remember(self, name: str, *args: Any, **kwargs: Any) -> Any:
        key = (name, args, tuple(sorted(kwargs.items())))
        if key not in self._memo:
            self._memo[key] = getattr(self._tools, name)(*args, **kwargs)
        return self._memo[key]
