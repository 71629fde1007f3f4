"""Turn evidence and results into factors (shown and cited) and supporting facts (cited only).

Rows are ``(key, label, value, unit, field)`` for factors read from one record, and
``(key, label, value, unit, basis)`` for computed ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from agents.budget.evidence import Evidence
from agents.budget.factors import COMPUTED, Factor, Group, Unit, money, pct
from agents.budget.forecast import INTERVAL, BudgetEstimate
from core.recommendation import Fact
from tools.pricing import ComparableQuote

Row = tuple[str, str, float | int | str, Unit, str]

_METHODS = {
    "recorded": "recorded in account_budgets for the year",
    "trend": "log-linear trend of the recorded budgets, extrapolated",
    "trend+stated": "trend of the recorded budgets and the budgets stated in notes, "
    "weighted by inverse variance",
    "carried": "last recorded budget carried forward",
    "carried+stated": "last recorded budget and the budgets stated in notes, weighted",
    "stated": "mean of the budgets stated in notes",
}


class Facts:
    """Collects factors in order, and the supporting facts behind them."""

    def __init__(self) -> None:
        self.factors: list[Factor] = []
        self.support: list[Fact] = []

    def read(self, group: Group, source: str, record_id: str, rows: Iterable[Row]) -> None:
        """Factors read from fields of the record ``source``/``record_id``."""
        for key, label, value, unit, field in rows:
            self.factors.append(
                Factor(key=key, label=label, value=value, unit=unit, group=group,
                       source=source, record_id=record_id, field=field)
            )  # fmt: skip

    def computed(self, group: Group, rows: Iterable[Row]) -> None:
        """Factors computed from others; the last item of each row says how."""
        for key, label, value, unit, basis in rows:
            self.factors.append(
                Factor(key=key, label=label, value=value, unit=unit, group=group,
                       source=COMPUTED, record_id=key, field=label, basis=basis)
            )  # fmt: skip

    def quotes(self, quotes: Sequence[ComparableQuote]) -> None:
        """Cite each quote's discount."""
        self.support += [
            Fact(source="quotes", record_id=q.quote_id, field="discount_pct",
                 value=q.discount_pct, as_of=q.quoted_at)
            for q in quotes
        ]  # fmt: skip


def deal_factors(facts: Facts, evidence: Evidence) -> None:
    deal = evidence.deal
    if deal is not None:
        facts.read("deal", "deals", deal.id, [
            ("deal.name", "deal", deal.name, "text", "name"),
            ("deal.stage", "deal stage", deal.stage, "text", "stage"),
            ("deal.amount", "current deal amount", money(deal.amount), "CNY", "amount"),
        ])  # fmt: skip


def account_factors(facts: Facts, evidence: Evidence) -> None:
    account = evidence.account
    facts.read("account", "accounts", account.id, [
        ("account.name", "account", account.name, "text", "name"),
        ("account.tier", "account tier", account.tier, "text", "tier"),
        ("account.industry", "account type", account.industry, "text", "industry"),
    ])  # fmt: skip
    sensitivity = evidence.sensitivity
    for kind, quotes in (("accepted", sensitivity.accepted), ("rejected", sensitivity.rejected)):
        rows: list[Row] = [
            (f"account.{kind}_count", f"quotes this account {kind} in closed deals", len(quotes),
             "count", "final quote revisions of its closed deals"),
        ]  # fmt: skip
        if quotes:
            mean = pct(sum(q.discount_pct for q in quotes) / len(quotes))
            ids = ", ".join(q.quote_id for q in quotes)
            rows.append((f"account.{kind}_mean", f"mean discount of the quotes it {kind}", mean,
                         "%", f"mean discount_pct of {ids}"))  # fmt: skip
            facts.quotes(quotes)
        facts.computed("account", rows)
    for year in evidence.spend:
        facts.computed("account", [
            (f"spend.{year.year}", f"won with this account, deals closed in {year.year}",
             money(year.amount), "CNY", f"sum of the amounts of {', '.join(year.deal_ids)}"),
        ])  # fmt: skip
        facts.support.append(
            Fact(source="deals", record_id=year.deal_ids[0], field="close_date (year)", value=year.year)
        )  # fmt: skip


def budget_factors(facts: Facts, evidence: Evidence, estimate: BudgetEstimate | None) -> None:
    account_id = evidence.account.id
    for budget in evidence.budgets:
        record = f"{account_id}:{budget.year}"
        facts.read("budget", "account_budgets", record, [
            (f"budget.recorded.{budget.year}", f"recorded equipment budget {budget.year}",
             money(budget.amount), "CNY", "amount"),
        ])  # fmt: skip
        facts.support.append(
            Fact(source="account_budgets", record_id=record, field="year", value=budget.year)
        )
    for stated in evidence.stated_budgets:
        facts.read("budget", "activities", stated.activity_id, [
            (f"budget.stated.{stated.activity_id}", "budget stated in a note",
             money(stated.amount), "CNY", "body"),
        ])  # fmt: skip
        facts.support.append(
            Fact(source="activities", record_id=stated.activity_id, field="body",
                 value=stated.text, as_of=stated.occurred_at)
        )  # fmt: skip
    year = evidence.as_of.year
    if estimate is None:
        facts.computed("budget", [
            ("budget.estimate", "equipment budget", "unknown", "text", "no recorded or stated budgets"),
        ])  # fmt: skip
        return
    rows: list[Row] = [("budget.year", "budget year", year, "year", "the year of the as-of date")]
    if estimate.growth_pct is not None:
        rows += [
            ("budget.growth", "yearly budget trend", estimate.growth_pct, "%",
             f"log-linear fit over {estimate.years_used} recorded years"),
            ("budget.years", "recorded years in the trend", estimate.years_used, "count",
             "account_budgets rows before the budget year"),
        ]  # fmt: skip
    if estimate.trend_estimate is not None and estimate.stated_mean is not None:
        rows += [
            ("budget.trend", "trend extrapolation", estimate.trend_estimate, "CNY",
             "recorded budgets extrapolated to the budget year"),
            ("budget.stated_mean", "mean of the stated budgets", estimate.stated_mean, "CNY",
             "geometric mean of the figures stated in notes"),
        ]  # fmt: skip
    rows += [
        ("budget.estimate", f"estimated equipment budget {year}", estimate.estimate, "CNY",
         _METHODS.get(estimate.method, estimate.method)),
        ("budget.level", "interval level", round(INTERVAL * 100), "%",
         "share of outcomes the interval should hold"),
        ("budget.low", "budget interval low", estimate.low, "CNY", "lower end of the interval"),
        ("budget.high", "budget interval high", estimate.high, "CNY", "upper end of the interval"),
        ("budget.band", "budget band", estimate.band, "text", "the band the estimate falls in"),
    ]  # fmt: skip
    facts.computed("budget", rows)


def totals_factors(
    facts: Facts,
    evidence: Evidence,
    totals: dict[str, float] | None,
    estimate: BudgetEstimate | None,
) -> None:
    """Goods totals, their share of the budget, and the region's logistics (the only region use)."""
    if totals is not None:
        basis = "sum over the priced lines of unit price times quantity"
        facts.computed("deal", [
            ("deal.total_high", "goods total at the opening prices", totals["high"], "CNY", basis),
            ("deal.total_target", "goods total at the target prices", totals["target"], "CNY", basis),
            ("deal.total_low", "goods total at the walk-away prices", totals["low"], "CNY", basis),
        ])  # fmt: skip
        if estimate is not None and estimate.estimate > 0:
            share = pct(totals["target"] / estimate.estimate * 100)
            facts.computed("deal", [
                ("deal.share_of_budget", "target goods total as a share of the estimated budget",
                 share, "%", "goods total at target / estimated equipment budget"),
            ])  # fmt: skip
    if evidence.region_overridden:
        source, record = "request", "region"
    elif evidence.deal is not None:
        source, record = "deals", evidence.deal.id
    else:
        source, record = "accounts", evidence.account.id
    facts.read("logistics", source, record, [
        ("logistics.region", "delivery region", evidence.region, "text", "region"),
    ])  # fmt: skip
    costs = [ln.logistics.cost_per_unit * ln.quantity for ln in evidence.lines if ln.logistics]
    if not costs:
        return
    logistics = money(sum(costs))
    rows: list[Row] = [
        ("logistics.total", "delivery and installation, all lines", logistics, "CNY",
         "sum of the lines' delivery and installation"),
    ]  # fmt: skip
    if totals is not None:
        rows.append(("logistics.delivered_target", "delivered total at the target prices",
                     money(totals["target"] + logistics), "CNY",
                     "goods total at target plus delivery and installation"))  # fmt: skip
    facts.computed("logistics", rows)
