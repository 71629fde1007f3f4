"""The budget agent's deterministic parts: forecast, line pricing, grounding check, win curve."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from agents.budget.factors import Factor
from agents.budget.forecast import bands_between, forecast_budget
from agents.budget.lines import price_line
from agents.budget.win_curve import fit_win_curve
from agents.figures import ungrounded_numbers
from core.recommendation import Fact
from crm.records import AccountRecord, BudgetRecord, PriceBookRecord
from tools.pricing import ComparableQuote, PriceSensitivity, StatedBudget

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
ACCOUNT = AccountRecord(
    id="ACC-1", name="A", industry="hospital", hospital_type=None, beds=900, city="Wuhan",
    region="Central", tier="key", created_at=WHEN,
)  # fmt: skip
ENTRY = PriceBookRecord(
    id="PBE-1", product_id="PRD-1", list_price=Decimal(100_000), floor_price=Decimal(80_000),
    currency="CNY", max_discount_pct=20.0, valid_from=date(2026, 1, 1),
    discount_policy="Volume discounts: 2 to 4 units 5%, 5 to 9 units 9%, 10 units or more 13%.",
)  # fmt: skip
NOBODY = PriceSensitivity(account_id="ACC-1", accepted=(), rejected=())


def budgets(*amounts: float, first: int = 2021) -> list[BudgetRecord]:
    return [
        BudgetRecord(account_id="ACC-1", year=first + i, amount=Decimal(str(a)), currency="CNY")
        for i, a in enumerate(amounts)
    ]


def quote(n: int, discount: float, *, won: bool = True, tier: str = "key") -> ComparableQuote:
    return ComparableQuote(
        quote_id=f"QUO-{n:05d}", deal_id=f"DEAL-{n:04d}", account_id="ACC-2", product_id="PRD-1",
        quantity=1, unit_price=Decimal(100_000 - 1000 * discount), discount_pct=discount,
        max_discount_pct=20.0, outcome="won" if won else "lost", tier=tier, industry="hospital",
        beds=800, quoted_at=WHEN,
    )  # fmt: skip


def test_a_recorded_budget_for_the_year_is_taken_as_it_is() -> None:
    found = forecast_budget(budgets(1e6, 2e6, first=2025), [], year=2026)
    assert found is not None and found.method == "recorded"
    assert (found.low, found.estimate, found.high, found.band) == (2e6, 2e6, 2e6, "1-5M")


def test_a_steady_trend_is_extrapolated_with_an_interval() -> None:
    history = budgets(*(4e6 * 1.1**i for i in range(5)))
    found = forecast_budget(history, [], year=2026)
    assert found is not None and found.method == "trend"
    assert found.estimate == pytest.approx(4e6 * 1.1**5, rel=0.01)
    assert found.growth_pct == pytest.approx(10.0, abs=0.1)
    assert found.low < found.estimate < found.high
    assert found.band == "5-20M" and found.bands == ("5-20M",)


def test_stated_budgets_pull_the_estimate_and_narrow_the_interval() -> None:
    history = budgets(10e6, 9e6, 11e6, 10e6, 10.5e6)
    alone = forecast_budget(history, [], year=2026)
    stated = [
        StatedBudget(
            activity_id="EVT-1", occurred_at=WHEN, amount=Decimal(14e6), text="about CNY 14M"
        )
    ]
    both = forecast_budget(history, stated, year=2026)
    assert alone is not None and both is not None and both.method == "trend+stated"
    assert alone.estimate < both.estimate < 14e6
    assert both.high / both.low < alone.high / alone.low
    only = forecast_budget([], stated, year=2026)
    assert only is not None and only.method == "stated" and only.estimate == 14e6


def test_one_or_two_years_are_carried_forward_and_nothing_gives_none() -> None:
    one = forecast_budget(budgets(3e6, first=2024), [], year=2026)
    assert one is not None and one.method == "carried" and one.estimate == 3e6
    assert one.low < 3e6 < one.high
    assert forecast_budget([], [], year=2026) is None
    assert bands_between(0.9e6, 1.2e6) == ("<1M", "1-5M")
    assert bands_between(30e6, 40e6) == (">20M",)


def test_a_line_is_priced_from_comparables_within_the_policy() -> None:
    peers = [quote(i, d) for i, d in enumerate([4, 6, 8, 10, 12, 14, 16, 18], start=1)]
    price = price_line(product_id="PRD-1", quantity=5, entry=ENTRY, comparables=peers, pooled=[],
                       category="c", account=ACCOUNT, sensitivity=NOBODY)  # fmt: skip
    assert price.priced and price.peer_group == "same product, key hospital accounts"
    assert price.volume_discount_pct == 9.0  # "5 to 9 units 9%"
    assert (price.p25_pct, price.p50_pct, price.p75_pct) == (7.5, 11.0, 14.5)
    assert (price.discount_low, price.discount_target, price.discount_high) == (9.0, 11.0, 14.5)
    assert (price.unit_high, price.unit_target, price.unit_low) == (91_000.0, 89_000.0, 85_500.0)


def test_the_range_never_passes_the_floor_and_an_eager_account_shifts_it() -> None:
    deep = [quote(i, d) for i, d in enumerate([12, 14, 16, 18, 19, 20, 20, 20], start=1)]
    eager = PriceSensitivity(
        account_id="ACC-1", accepted=tuple(quote(90 + i, 20.0) for i in range(6)), rejected=()
    )
    price = price_line(product_id="PRD-1", quantity=1, entry=ENTRY, comparables=deep, pooled=[],
                       category="c", account=ACCOUNT, sensitivity=eager)  # fmt: skip
    assert price.discount_high == 20.0 and price.unit_low == 80_000.0  # the floor
    assert price.shift_pct > 0
    mild = [quote(i, 5.0) for i in range(1, 9)]
    shy = PriceSensitivity(
        account_id="ACC-1", accepted=tuple(quote(90 + i, 1.0) for i in range(6)), rejected=()
    )
    lower = price_line(product_id="PRD-1", quantity=1, entry=ENTRY, comparables=mild, pooled=[],
                       category="c", account=ACCOUNT, sensitivity=shy)  # fmt: skip
    assert lower.shift_pct < 0 and lower.discount_target < 5.0


def test_without_comparables_the_policy_alone_sets_a_low_confidence_range() -> None:
    price = price_line(product_id="PRD-1", quantity=12, entry=ENTRY, comparables=[], pooled=[],
                       category="c", account=ACCOUNT, sensitivity=NOBODY)  # fmt: skip
    assert price.priced and price.peers == () and price.confidence <= 0.2
    assert (price.discount_low, price.discount_target, price.discount_high) == (13.0, 16.5, 20.0)
    pooled = [quote(i, 10.0) for i in range(1, 4)]
    other = price_line(product_id="PRD-1", quantity=1, entry=ENTRY, comparables=[], pooled=pooled,
                       category="c", account=ACCOUNT, sensitivity=NOBODY)  # fmt: skip
    assert other.peer_group == "category c, all accounts" and other.discount_target == 10.0
    none = price_line(product_id="PRD-1", quantity=1, entry=None, comparables=[], pooled=[],
                      category="c", account=ACCOUNT, sensitivity=NOBODY)  # fmt: skip
    assert not none.priced and none.reason == "no price book entry"


def test_ungrounded_numbers_ignores_ids_and_ordinals_and_reads_thousands() -> None:
    facts = [
        Fact(source="price_book_entries", record_id="PBE-0054", field="list_price", value=195000.0),
        Fact(source="computed", record_id="x", field="p", value=-1.5),
        Fact(source="account_budgets", record_id="ACC-0003:2021", field="amount", value=1.0),
        Fact(source="products", record_id="PRD-028", field="name", value="OrbiMR 1.5T MRI System"),
    ]
    text = "List CNY 195,000.00 for PRD-028 (ACC-0003:2021); the 25th percentile moves 1.5% on the 1.5T."
    assert ungrounded_numbers(text, facts) == []
    assert ungrounded_numbers("about 12% more", facts) == ["12"]
    factor = Factor(
        key="k",
        label="l",
        value=1234.5,
        unit="CNY",
        group="line",
        source="s",
        record_id="r",
        field="f",
    )
    assert (
        factor.shown == "CNY 1,234.50" and ungrounded_numbers(factor.shown, [factor.fact()]) == []
    )


def test_the_win_curve_rises_with_the_discount_and_needs_both_outcomes() -> None:
    points = [(i / 40, (i * 7919) % 100 < 20 + 2 * i) for i in range(41)]
    curve = fit_win_curve(points)
    assert curve is not None and curve.quotes == 41
    assert curve.slope > 0 and curve.chance(1.0) > curve.chance(0.0)
    assert 0 < curve.chance(0.5) < 1 and math.isfinite(curve.intercept)
    assert fit_win_curve([(0.5, True)] * 30) is None
    assert fit_win_curve(points[:5]) is None
