"""Who to engage next, and why: the people who matter most where our coverage is weakest.

priority = influence x coverage gap + the bonus of the person's strongest role, where the gap is
1.0 for no interaction at all, 0.9 for unanswered attempts, 0.8 for contact lapsed over a year,
0.5 for thin and 0.15 for active coverage.
"""

from __future__ import annotations

from agents.relationships.models import EngagementStep, Stakeholder, StakeholderMap

GAP = {"none": 1.0, "unanswered": 0.9, "lapsed": 0.8, "thin": 0.5, "active": 0.15}
ROLE_BONUS = {
    "decision_maker": 0.5,
    "economic_buyer": 0.3,
    "blocker": 0.3,
    "champion": 0.2,
    "influencer": 0.1,
}
ROLE_NAMES = {
    "decision_maker": "the decision maker",
    "economic_buyer": "the economic buyer",
    "champion": "a champion",
    "blocker": "a blocker",
    "influencer": "an influencer",
}
MIN_PRIORITY = 0.2


def plan_engagement(stakeholders: StakeholderMap, *, limit: int = 3) -> list[EngagementStep]:
    """The top ``limit`` people to engage, most urgent first."""
    ranked = []
    for node in stakeholders.nodes:
        priority = node.influence * GAP[node.coverage] + max(
            (ROLE_BONUS[role] for role in node.roles), default=0.0
        )
        if priority >= MIN_PRIORITY and (node.roles or node.coverage in ("none", "unanswered")):
            ranked.append((round(priority, 3), node))
    ranked.sort(key=lambda item: (-item[0], item[1].contact_id))
    return [
        EngagementStep(
            contact_id=node.contact_id,
            name=node.name,
            title=node.title,
            priority=priority,
            reason=_reason(node),
            action=_action(node, stakeholders),
        )
        for priority, node in ranked[:limit]
    ]


def role_phrase(node: Stakeholder) -> str:
    """'the decision maker and the economic buyer', or 'a senior contact' without a role."""
    names = [ROLE_NAMES[role] for role in node.roles]
    if not names:
        return "a senior contact" if node.influence >= 0.4 else "a contact"
    return " and ".join(names)


def coverage_phrase(node: Stakeholder) -> str:
    when = node.last_contact.date().isoformat() if node.last_contact else None
    return {
        "none": "we have no interaction with them on record",
        "unanswered": "our e-mails and calls to them have gone unanswered",
        "lapsed": f"our last two-way contact with them was on {when}, over a year ago",
        "thin": f"we have spoken with them only a few times (last on {when})",
        "active": f"we are in regular touch (last on {when})",
    }[node.coverage]


def _reason(node: Stakeholder) -> str:
    return f"{node.name} ({node.title}) is {role_phrase(node)}; {coverage_phrase(node)}."


def _action(node: Stakeholder, stakeholders: StakeholderMap) -> str:
    champion = stakeholders.node(stakeholders.champions[0]) if stakeholders.champions else None
    cold = node.coverage in ("none", "unanswered", "lapsed")
    if "decision_maker" in node.roles:
        if cold and champion is not None and champion.contact_id != node.contact_id:
            return f"Ask {champion.name} for an introduction and book a meeting with {node.name}."
        if cold:
            return f"Request a meeting with {node.name} to confirm the decision process."
        return f"Brief {node.name} on the proposal and confirm the timeline to decision."
    if "blocker" in node.roles:
        objections = sorted({e.label for e in node.evidence if e.kind == "negative"})
        about = f" ({', '.join(objections)})" if objections else ""
        return f"Address {node.name}'s objections{about} before the decision."
    if "economic_buyer" in node.roles:
        return f"Confirm the budget and approval steps with {node.name}."
    if "champion" in node.roles:
        return f"Keep {node.name} close and ask them to sponsor a meeting with the decision maker."
    if cold:
        return f"Introduce yourself to {node.name} and learn their requirements."
    return f"Keep {node.name} informed."
