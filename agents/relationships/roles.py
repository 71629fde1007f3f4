"""Roles on the map: decision maker, economic buyer, champions, blockers and influencers.

- decision maker: scoring.pick_decision_maker (sign-off wording, then structure);
- economic buyer: most budget wording ("budget holder", "final offer", "total cost of
  ownership"); without any, the most senior finance person at director level or above; else the
  decision maker;
- champions (at most two): not the decision maker, sentiment above 0.1, two or more two-way
  interactions; ranked by sentiment times interactions;
- blockers: sentiment at or below -0.25 with at least one full-weight negative phrase (concern,
  objection, stalling, preferring a competitor); price pushback alone is negotiation, not blocking;
- influencers: anyone else with influence of 0.5 or more.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.relationships.evidence import Cue
from agents.relationships.hierarchy import SENIORITY_RANK
from agents.relationships.models import ROLES, Role, Stakeholder
from agents.relationships.scoring import budget_weight

CHAMPION_SENTIMENT = 0.1
CHAMPION_TOUCHES = 2
MAX_CHAMPIONS = 2
BLOCKER_SENTIMENT = -0.25
INFLUENCER_INFLUENCE = 0.5


def assign_roles(
    nodes: list[Stakeholder], cues: Sequence[Cue], decision_maker: str | None
) -> dict[Role, list[str]]:
    """Set ``roles`` on the nodes in place; returns contact ids per role."""
    by_id = {n.contact_id: n for n in nodes}
    chosen: dict[Role, list[str]] = {role: [] for role in ROLES}
    if decision_maker is not None and decision_maker in by_id:
        chosen["decision_maker"] = [decision_maker]
    buyer = _economic_buyer(nodes, cues, decision_maker)
    if buyer:
        chosen["economic_buyer"] = [buyer]
    champions = sorted(
        (
            n
            for n in nodes
            if n.contact_id != decision_maker
            and n.sentiment > CHAMPION_SENTIMENT
            and _two_way(n) >= CHAMPION_TOUCHES
        ),
        key=lambda n: (-(n.sentiment * _two_way(n)), -n.influence, n.contact_id),
    )
    chosen["champion"] = [n.contact_id for n in champions[:MAX_CHAMPIONS]]
    negative = {c.contact_id for c in cues if c.kind == "negative" and c.weight >= 1.0}
    chosen["blocker"] = [
        n.contact_id
        for n in nodes
        if n.sentiment <= BLOCKER_SENTIMENT
        and n.contact_id in negative
        and n.contact_id not in chosen["champion"]
    ]
    named = {cid for ids in chosen.values() for cid in ids}
    chosen["influencer"] = [
        n.contact_id
        for n in sorted(nodes, key=lambda n: (-n.influence, n.contact_id))
        if n.contact_id not in named and n.influence >= INFLUENCER_INFLUENCE
    ]
    for role, ids in chosen.items():
        for contact_id in ids:
            by_id[contact_id].roles.append(role)
    return chosen


def _economic_buyer(
    nodes: Sequence[Stakeholder], cues: Sequence[Cue], decision_maker: str | None
) -> str | None:
    weights = {n.contact_id: budget_weight(cues, n.contact_id) for n in nodes}
    best = max(
        nodes, key=lambda n: (weights[n.contact_id], n.contact_id == decision_maker), default=None
    )
    if best is not None and weights[best.contact_id] > 0:
        return best.contact_id
    finance = [
        n
        for n in nodes
        if "financ" in f"{n.title} {n.department}".lower()
        and SENIORITY_RANK.get(n.seniority, 0.0) >= SENIORITY_RANK["director"]
    ]
    if finance:
        return max(
            finance, key=lambda n: (SENIORITY_RANK.get(n.seniority, 0.0), n.influence)
        ).contact_id
    return decision_maker


def _two_way(node: Stakeholder) -> int:
    return node.stats.meetings + node.stats.emails_in + node.stats.calls_answered
