"""The recommendation's text, written only from factor values so it states nothing unsourced."""

from __future__ import annotations

from collections.abc import Callable

from agents.budget.analysis import Analysis
from agents.budget.factors import Factor

# Factors worth handing to the language model to explain (the full list is too long for a
# small model's context, and these are the ones a rep asks "why?" about).
KEY_FACTOR_SUFFIXES = (
    ".volume_discount",
    ".peers",
    ".p50",
    ".shift",
    ".win_chance",
    ".current_status",
    "budget.growth",
    "budget.estimate",
    "deal.share_of_budget",
)


def summary(analysis: Analysis) -> str:
    """The recommendation in a few sentences: lines, totals, logistics, budget."""
    get = _getter(analysis)
    parts = []
    if analysis.deal_id:
        parts.append(
            f"Budget recommendation for deal {analysis.deal_id} ({get('deal.name')}), "
            f"{get('account.name')} ({analysis.account_id})."
        )
    else:
        parts.append(f"Budget recommendation for {get('account.name')} ({analysis.account_id}).")
    lines = [_line(analysis, price.product_id) for price in analysis.lines]
    if lines:
        parts.append("\n".join(lines))
    elif analysis.deal_id:
        parts.append("The deal has no product lines, so only the account's budget is estimated.")
    if analysis.factor("deal.total_target"):
        parts.append(
            f"Goods total: {get('deal.total_high')} opening, {get('deal.total_target')} target, "
            f"{get('deal.total_low')} walk-away."
        )
    if analysis.factor("logistics.total"):
        text = (
            f"Delivery and installation to the {get('logistics.region')} region: "
            f"{get('logistics.total')}"
        )
        if analysis.factor("logistics.delivered_target"):
            text += f" (delivered total at target {get('logistics.delivered_target')})"
        parts.append(text + ".")
    parts.append(_budget(analysis))
    return "\n\n".join(parts)


def factor_list(analysis: Analysis) -> str:
    """Every factor, one line each: label, value, and its source record or how it was computed."""
    return "Factors:\n" + "\n".join(f"- {factor.line()}" for factor in analysis.factors)


def key_factors(analysis: Analysis) -> str:
    """The factors the model is asked to explain, one line each."""
    chosen = [f for f in analysis.factors if f.key.endswith(KEY_FACTOR_SUFFIXES)]
    return "\n".join(f"- {factor.label}: {factor.shown}" for factor in chosen)


def _getter(analysis: Analysis) -> Callable[[str], str]:
    def get(key: str) -> str:
        factor: Factor | None = analysis.factor(key)
        return factor.shown if factor else "unknown"

    return get


def _line(analysis: Analysis, pid: str) -> str:
    get = _getter(analysis)
    name = next(
        (f.label.removesuffix(" quantity") for f in analysis.factors if f.key == f"{pid}.quantity"),
        pid,
    )
    head = f"- {name} x {get(f'{pid}.quantity')}"
    if analysis.factor(f"{pid}.unpriced"):
        return f"{head}: not priced, the price book has no entry for it."
    text = (
        f"{head}: open at {get(f'{pid}.unit_high')} per unit, target {get(f'{pid}.unit_target')}, "
        f"walk away at {get(f'{pid}.unit_low')} (discounts {get(f'{pid}.discount_low')}, "
        f"{get(f'{pid}.discount_target')} and {get(f'{pid}.discount_high')} off the list price of "
        f"{get(f'{pid}.list_price')}; floor {get(f'{pid}.floor_price')}, maximum discount "
        f"{get(f'{pid}.max_discount')}), from {get(f'{pid}.peers')} comparable won deals."
    )
    if analysis.factor(f"{pid}.win_chance"):
        text += f" Estimated win chance at target: {get(f'{pid}.win_chance')}."
    if analysis.factor(f"{pid}.current_price"):
        text += (
            f" The current price of {get(f'{pid}.current_price')} is "
            f"{get(f'{pid}.current_status')}."
        )
    return text


def _budget(analysis: Analysis) -> str:
    get = _getter(analysis)
    if analysis.budget is None:
        return "Equipment budget: unknown, the CRM records no budgets for this account."
    text = (
        f"Equipment budget {get('budget.year')}: about {get('budget.estimate')} "
        f"({get('budget.level')} interval {get('budget.low')} to {get('budget.high')}, "
        f"band {get('budget.band')})"
    )
    if analysis.factor("deal.share_of_budget"):
        text += f"; the target goods total is {get('deal.share_of_budget')} of it"
    return text + "."
