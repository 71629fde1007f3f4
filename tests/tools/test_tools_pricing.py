"""The pricing tools over a real small demo CRM (SQLite), the discount policy reader and the rate card."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crm.errors import NotFound
from tests.support.budget_world import (
    BUDGETLESS,
    MIXED,
    NO_PRICE,
    OLD_NOTE,
    STATED_NOTE,
    World,
    build_world,
)
from tools.discount_policy import parse_discount_policy
from tools.errors import UnknownRegion
from tools.logistics import RATE_CARD_ID, REGIONS, logistics_rate, shipping_class

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("pricing"))
    yield built
    built.engine.dispose()


def test_price_book_entry_is_the_one_valid_on_the_day(world: World) -> None:
    entries = world.crm.price_book_for_product(product_id="PRD-001")
    assert [e.valid_from.year for e in entries] == [2024, 2025, 2026]
    assert world.tools.price_book_entry("PRD-001", on=date(2025, 6, 1)) == entries[1]
    assert world.tools.price_book_entry("PRD-001", on=date(2026, 1, 1)) == entries[2]
    assert world.tools.price_book_entry("PRD-001", on=date(2023, 12, 31)) is None
    assert world.tools.price_book_entry(NO_PRICE, on=date(2026, 11, 1)) is None
    with pytest.raises(NotFound):
        world.tools.price_book_entry("PRD-404", on=date(2026, 11, 1))


def test_comparables_are_final_quotes_of_closed_deals_before_the_cutoff(world: World) -> None:
    found = world.tools.comparable_quotes("PRD-001", before=NOW)
    assert found, "the demo has closed deals of PRD-001"
    deals = {q.deal_id: world.crm.get_deal(deal_id=q.deal_id) for q in found}
    for quote in found:
        deal = deals[quote.deal_id]
        assert deal.outcome == quote.outcome  # open deals never count
        revisions = [
            q for q in world.crm.quotes_for_product(product_id="PRD-001") if q.deal_id == deal.id
        ]
        assert quote.quoted_at == max(q.quoted_at for q in revisions)  # the final revision
        assert quote.max_discount_pct and 0 <= (quote.position or 0) <= 1.0001
        account = world.crm.get_account(account_id=quote.account_id)
        assert (quote.tier, quote.industry) == (account.tier, account.industry)
    assert [q.quoted_at for q in found] == sorted((q.quoted_at for q in found), reverse=True)
    early = world.tools.comparable_quotes("PRD-001", before=datetime(2025, 1, 1, tzinfo=UTC))
    assert len(early) < len(found) and all(q.quoted_at.year < 2025 for q in early)
    some = found[0].deal_id
    assert all(
        q.deal_id != some
        for q in world.tools.comparable_quotes("PRD-001", before=NOW, exclude_deal_id=some)
    )
    assert world.tools.comparable_quotes(NO_PRICE, before=NOW) == []


def test_deals_are_read_in_bulk_and_unknown_ids_skipped(world: World) -> None:
    found = world.crm.get_deals(deal_ids=[MIXED, "DEAL-9999", MIXED])
    assert [d.id for d in found] == [MIXED] and len(found[0].lines) == 2
    assert world.crm.get_deals(deal_ids=[]) == []


def test_closed_quotes_span_every_product(world: World) -> None:
    every = world.tools.closed_quotes(before=NOW)
    assert {q.product_id for q in every} >= {"PRD-001", "PRD-010"}
    assert len(every) == sum(
        len(world.tools.comparable_quotes(p.id, before=NOW)) for p in world.crm.list_products()
    )


def test_stated_budgets_read_figures_written_in_the_year_only(world: World) -> None:
    stated = world.tools.stated_budgets(BUDGETLESS, year=2026, before=NOW)
    assert [(s.activity_id, s.amount) for s in stated] == [(STATED_NOTE, Decimal("2500000.0"))]
    last_year = world.tools.stated_budgets(BUDGETLESS, year=2025, before=NOW)
    assert [(s.activity_id, s.amount) for s in last_year] == [(OLD_NOTE, Decimal("900000"))]
    assert (
        world.tools.stated_budgets(BUDGETLESS, year=2026, before=datetime(2026, 8, 1, tzinfo=UTC))
        == []
    )


def test_spend_sums_won_deals_by_close_year(world: World) -> None:
    account = "ACC-0001"
    spend = world.tools.account_spend(account, before=NOW)
    won = [
        d
        for d in world.crm.deals_for_account(account_id=account)
        if d.outcome == "won" and d.close_date and d.close_date < NOW.date()
    ]
    assert sum(s.amount for s in spend) == sum(d.amount for d in won)
    assert sorted(i for s in spend for i in s.deal_ids) == sorted(d.id for d in won)
    assert world.tools.account_spend(BUDGETLESS, before=NOW) == []


def test_price_sensitivity_splits_accepted_and_rejected_quotes(world: World) -> None:
    account = "ACC-0001"
    sensitivity = world.tools.price_sensitivity(account, before=NOW)
    outcomes = {d.id: d.outcome for d in world.crm.deals_for_account(account_id=account)}
    assert sensitivity.accepted or sensitivity.rejected
    assert all(outcomes[q.deal_id] == "won" for q in sensitivity.accepted)
    assert all(outcomes[q.deal_id] == "lost" for q in sensitivity.rejected)
    assert world.tools.price_sensitivity(BUDGETLESS, before=NOW).accepted == ()


def test_names_in_text_resolve_to_accounts_and_products(world: World) -> None:
    found = world.tools.accounts_mentioned("What about budgetless test clinic next year?")
    assert [a.id for a in found] == [BUDGETLESS]
    assert world.tools.accounts_mentioned("nobody here") == []
    products = world.tools.products_mentioned("two Nopric Test Widget and a Cardiona M12")
    assert [p["product_id"] for p in products] == [NO_PRICE, "PRD-001"]
    assert world.tools.deal(MIXED).account_id == "ACC-0002"
    with pytest.raises(NotFound):
        world.tools.deal("DEAL-9999")


def test_logistics_rates_depend_on_region_and_shipping_class_only() -> None:
    assert shipping_class(Decimal(49_999)) == "parcel"
    assert shipping_class(Decimal(50_000)) == "freight"
    assert shipping_class(Decimal(1_000_000)) == "system"
    east = logistics_rate("East", list_price=Decimal(300_000))
    west = logistics_rate("West", list_price=Decimal(300_000))
    assert east.shipping_class == west.shipping_class == "freight"
    assert west.cost_per_unit > east.cost_per_unit
    assert east.record_id == f"{RATE_CARD_ID}:East:freight"
    assert set(REGIONS) == {"East", "North", "South", "Central", "West"}
    with pytest.raises(UnknownRegion, match="Southwest"):
        logistics_rate("Southwest", list_price=Decimal(1))


def test_discount_policy_tiers_by_units_and_by_systems() -> None:
    units = parse_discount_policy(
        "X list price CNY 48,200.00. Volume discounts: 5 to 19 units 4.5%, 20 to 49 units 8%, "
        "50 units or more 11.5%. Strategic accounts with a signed framework agreement receive "
        "an extra 3.5%. Discounts combine, but never beyond the maximum discount of 18%."
    )
    assert [(t.min_units, t.max_units, t.discount_pct) for t in units.tiers] == [
        (5, 19, 4.5),
        (20, 49, 8.0),
        (50, None, 11.5),
    ]
    assert units.strategic_extra_pct == 3.5
    assert units.volume_discount(4) is None
    assert units.volume_discount(19).discount_pct == 4.5  # type: ignore[union-attr]
    assert units.volume_discount(500).discount_pct == 11.5  # type: ignore[union-attr]
    systems = parse_discount_policy(
        "Volume discounts: a second system in the same order 4.5%, three or more systems or a "
        "multi-site framework 8%, trade-in of an installed competitor system 11.5%."
    )
    assert systems.volume_discount(1) is None
    assert systems.volume_discount(2).discount_pct == 4.5  # type: ignore[union-attr]
    assert systems.volume_discount(3).discount_pct == 8.0  # type: ignore[union-attr]
    assert parse_discount_policy("").tiers == ()
    assert parse_discount_policy("Call the sales director.").volume_discount(10) is None
