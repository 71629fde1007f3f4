"""The deterministic estimate without the graph, and the fairness replay with the region changed.

A fairness review asks: would this deal have been priced differently had the account been
somewhere else? ``replay_with_region`` computes the recommendation twice from the same CRM data,
once as recorded and once with only the region replaced, and lists every factor that moved.
Region may move logistics factors only; anything else is a fairness defect.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from agents.budget.analysis import Analysis, analyse
from agents.budget.evidence import BudgetTools, gather_evidence
from agents.budget.request import BudgetRequest, LineRequest, today
from tools.errors import UnknownRegion
from tools.logistics import REGIONS


class FactorChange(BaseModel):
    """A factor whose value differs between the recorded and the replayed region."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    group: str
    before: float | int | str | None
    after: float | int | str | None


class RegionReplay(BaseModel):
    """The same deal estimated in its own region and in another one."""

    model_config = ConfigDict(frozen=True)

    deal_id: str
    region: str
    replayed_region: str
    original: Analysis
    replayed: Analysis
    changes: tuple[FactorChange, ...]

    @property
    def only_logistics_changed(self) -> bool:
        """True when the region moved nothing but logistics factors (the fairness rule)."""
        return all(change.group == "logistics" for change in self.changes)


def deal_request(
    tools: BudgetTools, deal_id: str, *, as_of: date | None = None, region: str | None = None
) -> BudgetRequest:
    """The request that prices ``deal_id`` as its lines stand; raises ``crm.NotFound``."""
    deal = tools.deal(deal_id)
    return BudgetRequest(
        account_id=deal.account_id,
        deal_id=deal.id,
        lines=tuple(
            LineRequest(product_id=line.product_id, quantity=line.quantity) for line in deal.lines
        ),
        region=region,
        as_of=as_of or today(),
    )


def estimate(tools: BudgetTools, request: BudgetRequest) -> Analysis:
    """The recommendation's numbers for ``request``, as the graph computes them."""
    return analyse(gather_evidence(tools, request))


def replay_with_region(
    deal_id: str, region: str, *, tools: BudgetTools, as_of: date | None = None
) -> RegionReplay:
    """Estimate ``deal_id`` as recorded and as if it were in ``region``; list what changed.

    Raises ``tools.errors.UnknownRegion`` for a region without logistics rates and
    ``crm.NotFound`` for an unknown deal.
    """
    if region not in REGIONS:
        raise UnknownRegion(region, REGIONS)
    when = as_of or today()
    original = estimate(tools, deal_request(tools, deal_id, as_of=when))
    replayed = estimate(tools, deal_request(tools, deal_id, as_of=when, region=region))
    return RegionReplay(
        deal_id=deal_id,
        region=original.region,
        replayed_region=region,
        original=original,
        replayed=replayed,
        changes=_changes(original, replayed),
    )


def _changes(before: Analysis, after: Analysis) -> tuple[FactorChange, ...]:
    old = {f.key: f for f in before.factors}
    new = {f.key: f for f in after.factors}
    changes = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and a.value == b.value:
            continue
        ref = a or b
        if ref is None:  # cannot happen: every key comes from one of the two
            continue
        changes.append(
            FactorChange(
                key=key,
                label=ref.label,
                group=ref.group,
                before=a.value if a else None,
                after=b.value if b else None,
            )
        )
    return tuple(changes)
