"""Accounts, their people, budgets and the hidden truth that all behaviour is drawn from."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from crm.demo import _vocab as v
from crm.enums import budget_band

NOW = datetime(2026, 11, 1, tzinfo=UTC)  # the generator's "today": never the wall clock
CURRENCY = "CNY"
BUDGET_YEARS = (2021, 2022, 2023, 2024, 2025)  # recorded history; 2026 is the hidden truth
# Share of accounts per true stage (awareness ... dormant).
STAGE_WEIGHTS = {
    "awareness": 18,
    "research": 20,
    "evaluation": 18,
    "negotiation": 13,
    "purchase": 10,
    "dormant": 21,
}


@dataclass
class AccountPlan:
    """One account with everything the behaviour and sales generators need to know."""

    row: dict[str, Any]
    stage: str
    budget_now: Decimal
    budgets: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    departments: list[str] = field(default_factory=list)
    interest: list[Any] = field(default_factory=list)  # catalogue products being considered
    decision_maker: dict[str, Any] | None = None
    champion: dict[str, Any] | None = None
    dormant_since: datetime | None = None

    @property
    def id(self) -> str:
        return str(self.row["id"])

    def role(self, name: str) -> dict[str, Any] | None:
        people = self.roles.get(name)
        return people[0] if people else None


def department_of(product: Any) -> str:
    """The clinical department that uses a product, from words in its category and name."""
    text = f"{product.category} {product.name}".lower()
    for keyword, department in v.DEPARTMENT_KEYWORDS:
        if re.search(rf"\b{re.escape(keyword)}", text):
            return department
    # Unknown categories still map to a stable department.
    return v.CLINICAL_DEPARTMENTS[sum(map(ord, product.category)) % len(v.CLINICAL_DEPARTMENTS)]


def _names(rng: random.Random, count: int) -> list[tuple[str, str, int, str, str]]:
    """(name, industry, beds, hospital_type, city) for ``count`` distinct accounts."""
    seen: set[str] = set()
    found: list[tuple[str, str, int, str, str]] = []
    named = list(v.NAMED_HOSPITALS)
    rng.shuffle(named)
    cities = sorted(v.CITY_REGION)
    while len(found) < count:
        roll = rng.random()
        if roll < 0.08 and named:
            city, name = named.pop()
            item = (name, "hospital", rng.randint(1800, 4500), "university", city)
        elif roll < 0.76:
            pattern, kind, (low, high) = rng.choice(v.HOSPITAL_PATTERNS)
            city = rng.choice(cities)
            name = pattern.format(city=city, ordinal=rng.choice(v.ORDINALS))
            item = (name, "hospital", rng.randint(low, high), kind, city)
        elif roll < 0.90:
            pattern, kind = rng.choice(v.CLINIC_PATTERNS)
            city = rng.choice(cities)
            name = pattern.format(city=city, district=rng.choice(v.DISTRICTS))
            item = (name, "clinic", rng.randint(0, 60), kind, city)
        else:
            pattern, kind = rng.choice(v.LAB_PATTERNS)
            city = rng.choice(cities)
            item = (pattern.format(city=city), "lab", 0, kind, city)
        if item[0] not in seen:
            seen.add(item[0])
            found.append(item)
    return found


def _tier(rng: random.Random, industry: str, beds: int) -> str:
    if industry == "hospital" and beds >= 1800 and rng.random() < 0.7:
        return "strategic"
    if (industry == "hospital" and beds >= 700) or rng.random() < 0.15:
        return "key"
    return "standard"


def _budget_base(rng: random.Random, industry: str, beds: int) -> float:
    """Annual equipment budget (CNY) of the product lines the distributor sells."""
    if industry == "hospital":
        return beds * rng.uniform(3_000, 12_000)
    if industry == "clinic":
        return rng.uniform(250_000, 1_600_000)
    return rng.uniform(600_000, 9_000_000)


def _money(value: float) -> Decimal:
    # Whole thousands, like budgets are written.
    return Decimal(round(value / 1000.0) * 1000).quantize(Decimal("0.01"))


def build_accounts(rng: random.Random, count: int) -> list[AccountPlan]:
    """Accounts with tiers, stages and five years of budgets (history + hidden current year)."""
    plans: list[AccountPlan] = []
    stages = list(STAGE_WEIGHTS)
    weights = list(STAGE_WEIGHTS.values())
    for number, (name, industry, beds, kind, city) in enumerate(_names(rng, count), start=1):
        tier = _tier(rng, industry, beds)
        # Every stage appears even in small datasets; the rest follow the weights.
        stage = stages[number - 1] if number <= len(stages) else rng.choices(stages, weights)[0]
        created = NOW - timedelta(days=rng.randint(800, 2400), seconds=rng.randint(0, 86_399))
        row = {
            "id": f"ACC-{number:04d}",
            "name": name,
            "industry": industry,
            "hospital_type": kind,
            "beds": beds if industry != "lab" else None,
            "city": city,
            "region": v.CITY_REGION[city],
            "tier": tier,
            "created_at": created,
        }
        base = _budget_base(rng, industry, beds)
        trend = rng.uniform(-0.06, 0.14)
        budgets = []
        for offset, year in enumerate(BUDGET_YEARS):
            amount = base * (1 + trend) ** offset * rng.uniform(0.9, 1.1)
            budgets.append(
                {
                    "account_id": row["id"],
                    "year": year,
                    "amount": _money(amount),
                    "currency": CURRENCY,
                }
            )
        current = _money(base * (1 + trend) ** len(BUDGET_YEARS) * rng.uniform(0.93, 1.07))
        plans.append(AccountPlan(row=row, stage=stage, budget_now=current, budgets=budgets))
    return plans


def truth_row(plan: AccountPlan) -> dict[str, Any]:
    """The ground-truth row of an account (the generator's hidden state, for evaluation)."""
    dm = plan.decision_maker
    return {
        "account_id": plan.id,
        "true_stage": plan.stage,
        "true_budget_band": budget_band(float(plan.budget_now)),
        "true_decision_maker_contact_id": dm["id"] if dm else None,
    }
