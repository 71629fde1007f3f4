"""The factors of one priced line: price book, policy, comparables, range, current price, logistics."""

from __future__ import annotations

from agents.budget.evidence import Evidence, LineEvidence
from agents.budget.factors import money, pct
from agents.budget.lines import LinePrice
from agents.budget.provenance import Facts, Row
from core.recommendation import Fact
from tools.logistics import RATE_CARD_SOURCE

_RANGE = "comparable quartiles plus the account adjustment, at least the volume discount, at most the maximum discount"
_UNIT = "list price less the discount, never below the floor price"
_QUANTILE = "quantile of the comparables' discount positions times today's maximum discount"


def line_factors(facts: Facts, line: LineEvidence, price: LinePrice, evidence: Evidence) -> None:
    pid, name = line.product.id, line.product.name
    deal = evidence.deal
    facts.support.append(Fact(source="products", record_id=pid, field="name", value=name))
    source, record = ("deal_products", f"{deal.id}:{pid}") if deal else ("request", "lines")
    facts.read(
        "line",
        source,
        record,
        [(f"{pid}.quantity", f"{name} quantity", line.quantity, "units", "quantity")],
    )
    entry = line.price_book
    if entry is None or not price.priced:
        facts.computed("line", [
            (f"{pid}.unpriced", f"{pid} price", "not priced", "text",
             f"no price_book_entries row of {pid} valid on the as-of date"),
        ])  # fmt: skip
        return
    facts.read("line", "price_book_entries", entry.id, [
        (f"{pid}.list_price", f"{pid} list price", money(entry.list_price), "CNY", "list_price"),
        (f"{pid}.floor_price", f"{pid} floor price", money(entry.floor_price), "CNY", "floor_price"),
        (f"{pid}.max_discount", f"{pid} maximum discount", pct(entry.max_discount_pct), "%", "max_discount_pct"),
        (f"{pid}.policy", f"{pid} discount policy", entry.discount_policy, "text", "discount_policy"),
    ])  # fmt: skip
    clause = (
        f'volume tier "{price.volume_clause}" of the discount policy'
        if price.volume_clause
        else "no volume tier of the discount policy applies to this quantity"
    )
    rows: list[Row] = [
        (f"{pid}.volume_discount", f"{pid} volume discount for this quantity",
         pct(price.volume_discount_pct), "%", clause),
    ]  # fmt: skip
    if price.peers:
        ids = ", ".join(q.quote_id for q in price.peers)
        rows += [
            (f"{pid}.peers", f"{pid} comparable won deals ({price.peer_group})", len(price.peers),
             "count", f"accepted final quotes {ids}"),
            (f"{pid}.p25", f"{pid} 25th percentile of comparable discounts", price.p25_pct or 0.0, "%", _QUANTILE),
            (f"{pid}.p50", f"{pid} median of comparable discounts", price.p50_pct or 0.0, "%", _QUANTILE),
            (f"{pid}.p75", f"{pid} 75th percentile of comparable discounts", price.p75_pct or 0.0, "%", _QUANTILE),
            (f"{pid}.shift", f"{pid} adjustment for this account's own accepted discounts",
             price.shift_pct, "%", "mean position of the account's accepted quotes minus the "
             "comparables' median, shrunk by their number"),
        ]  # fmt: skip
        facts.quotes(price.peers)
    else:
        rows.append((f"{pid}.peers", f"{pid} comparable won deals", 0, "count",
                     "none for the product or its category: range from the policy alone"))  # fmt: skip
    rows += [
        (f"{pid}.discount_low", f"{pid} opening discount", price.discount_low or 0.0, "%", _RANGE),
        (f"{pid}.discount_target", f"{pid} target discount", price.discount_target or 0.0, "%", _RANGE),
        (f"{pid}.discount_high", f"{pid} walk-away discount", price.discount_high or 0.0, "%", _RANGE),
        (f"{pid}.unit_high", f"{pid} opening unit price", price.unit_high or 0.0, "CNY", _UNIT),
        (f"{pid}.unit_target", f"{pid} target unit price", price.unit_target or 0.0, "CNY", _UNIT),
        (f"{pid}.unit_low", f"{pid} walk-away unit price", price.unit_low or 0.0, "CNY", _UNIT),
        (f"{pid}.total_target", f"{pid} line total at target",
         money((price.unit_target or 0.0) * line.quantity), "CNY", "target unit price times quantity"),
    ]  # fmt: skip
    if price.win_chance_pct is not None:
        rows += [
            (f"{pid}.win_fit", f"{pid} closed quotes in the win-chance fit", price.win_fit_quotes,
             "count", "final quotes of all closed deals before the as-of date"),
            (f"{pid}.win_chance", f"{pid} estimated win chance at the target discount",
             price.win_chance_pct, "%", "logistic regression of won/lost on the discount position"),
        ]  # fmt: skip
    facts.computed("line", rows)
    if line.current_unit_price is not None and deal is not None:
        current = money(line.current_unit_price)
        facts.read("line", "deal_products", f"{deal.id}:{pid}", [
            (f"{pid}.current_price", f"{pid} current unit price", current, "CNY", "unit_price"),
        ])  # fmt: skip
        off = (
            (entry.list_price - line.current_unit_price) / entry.list_price * 100
            if entry.list_price
            else 0
        )
        facts.computed("line", [
            (f"{pid}.current_discount", f"{pid} current discount", pct(off), "%",
             "(list price - current unit price) / list price"),
            (f"{pid}.current_status", f"{pid} current price", _status(current, price), "text",
             "current unit price against the recommended range"),
        ])  # fmt: skip
    if line.logistics is None:
        facts.computed("logistics", [
            (f"{pid}.logistics_rate", f"{pid} delivery and installation per unit",
             "unknown", "text", f"the logistics rate card has no rates for {evidence.region}"),
        ])  # fmt: skip
    else:
        rate = line.logistics
        facts.read("logistics", RATE_CARD_SOURCE, rate.record_id, [
            (f"{pid}.logistics_rate", f"{pid} delivery and installation per unit ({rate.shipping_class})",
             money(rate.cost_per_unit), "CNY", "cost_per_unit"),
        ])  # fmt: skip
        facts.computed("logistics", [
            (f"{pid}.logistics_total", f"{pid} delivery and installation",
             money(rate.cost_per_unit * line.quantity), "CNY", "rate per unit times quantity"),
        ])  # fmt: skip


def _status(current: float, price: LinePrice) -> str:
    if price.floor_price is not None and current < price.floor_price:
        return "below the floor price"
    if price.unit_high is not None and current > price.unit_high:
        return "above the recommended range"
    if price.unit_low is not None and current < price.unit_low:
        return "below the recommended range"
    return "within the recommended range"
