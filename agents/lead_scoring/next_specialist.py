"""Which specialist to activate for a lead, and why: ordered, named rules over the features.

The first rule that holds chooses the specialist; every other rule that holds is listed as a
secondary route, so a supervisor can fan out. The reason names the numbers behind the rule.

1. ``dormant_reengage`` -> next_action: the customer has been silent for half a year.
2. ``commercial_talks`` -> budget: negotiation or purchase with quotes, pricing-page visits or a
   tender.
3. ``technical_study`` -> technical_qa: research or evaluation with documents downloaded.
4. ``buying_committee`` -> relationships: many contacts active at once.
5. ``default`` -> next_action: keep the lead moving.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools.behaviour import BehaviourFeatures

MIN_DOWNLOADS_FOR_QA = 2
MANY_CONTACTS = 5
SPECIALISTS = ("technical_qa", "budget", "relationships", "next_action")


@dataclass(frozen=True)
class Route:
    """The specialist to activate, the rule that chose it, and the reason in words."""

    agent: str
    rule: str
    reason: str
    features: tuple[str, ...] = ()
    context: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "rule": self.rule,
            "reason": self.reason,
            "features": list(self.features),
            "context": dict(self.context),
        }


def _n(features: BehaviourFeatures, name: str) -> int:
    return int(features.value(name))


def _dormant(f: BehaviourFeatures, stage: str) -> Route | None:
    if stage != "dormant":
        return None
    days = _n(f, "days_since_inbound")
    return Route(
        "next_action",
        "dormant_reengage",
        f"no customer action for {days} days: plan a re-engagement",
        ("days_since_inbound",),
    )


def _commercial(f: BehaviourFeatures, stage: str) -> Route | None:
    quotes, pricing, tenders = (
        _n(f, "quotes_90d"),
        _n(f, "commercial_page_visits_90d"),
        _n(f, "tenders_90d"),
    )
    if stage not in ("negotiation", "purchase") or not (quotes or pricing or tenders):
        return None
    said = [
        f"{quotes} quotes" if quotes else "",
        f"{pricing} pricing-page visits" if pricing else "",
        f"{tenders} tenders" if tenders else "",
    ]
    return Route(
        "budget",
        "commercial_talks",
        f"{stage} with {', '.join(s for s in said if s)} in the last three months: prepare the price range",
        ("quotes_90d", "commercial_page_visits_90d", "tenders_90d"),
    )


def _technical(f: BehaviourFeatures, stage: str) -> Route | None:
    downloads = _n(f, "downloads_90d")
    if stage not in ("research", "evaluation") or downloads < MIN_DOWNLOADS_FOR_QA:
        return None
    products = [row["product_id"] for row in f.product_interest[:3]]
    return Route(
        "technical_qa",
        "technical_study",
        f"{stage} with {downloads} documents downloaded and "
        f"{_n(f, 'technical_page_visits_90d')} specification-page visits in the last three"
        " months:"
        " answer the technical questions",
        ("downloads_90d", "technical_page_visits_90d"),
        {"product_ids": products},
    )


def _committee(f: BehaviourFeatures, stage: str) -> Route | None:
    people = _n(f, "contacts_engaged_90d")
    if people < MANY_CONTACTS or stage == "dormant":
        return None
    senior = _n(f, "senior_contacts_engaged_90d")
    return Route(
        "relationships",
        "buying_committee",
        f"{people} contacts active in the last three months ({senior} executives or directors):"
        " map the buying committee",
        ("contacts_engaged_90d", "senior_contacts_engaged_90d"),
    )


RULES: tuple[Callable[[BehaviourFeatures, str], Route | None], ...] = (
    _dormant,
    _commercial,
    _technical,
    _committee,
)


def route_lead(features: BehaviourFeatures, stage: str) -> tuple[Route, list[Route]]:
    """The specialist to activate, and the other routes whose rules also hold."""
    matched = [route for rule in RULES if (route := rule(features, stage)) is not None]
    if not matched:
        default = Route(
            "next_action",
            "default",
            f"{stage}: no specialist signal; propose the next step",
            (),
        )
        return default, []
    return matched[0], matched[1:]
