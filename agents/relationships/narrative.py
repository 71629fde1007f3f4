"""The map in words, the facts behind every statement, and the actions it proposes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents.relationships.models import Stakeholder, StakeholderMap
from core.recommendation import Action, Fact

MAX_QUOTE_CHARS = 240


def who(node: Stakeholder) -> str:
    return f"{node.name} ({node.title})"


def summary_lines(
    stakeholders: StakeholderMap, *, withheld: Mapping[str, Any] | None = None
) -> list[str]:
    """The deterministic answer: key roles with their basis, then who to engage next and why.

    ``withheld`` (what consent kept from the reads): a basis that says no note exists then says
    it means the notes the agent may use."""
    lines = [f"Stakeholder map of {stakeholders.account_name}."]
    dm = stakeholders.node(stakeholders.decision_maker)
    if dm is not None:
        lines.append(f"Decision maker: {who(dm)}; {_authority_basis(dm, withheld)}.")
    buyer = stakeholders.node(stakeholders.economic_buyer)
    if buyer is not None and buyer is not dm:
        lines.append(f"Economic buyer: {who(buyer)}; {_budget_basis(buyer)}.")
    for label, ids in (
        ("Champions", stakeholders.champions),
        ("Blockers", stakeholders.blockers),
        ("Influencers", stakeholders.influencers[:4]),
    ):
        people = [stakeholders.node(cid) for cid in ids]
        named = [who(node) for node in people if node is not None]
        if named:
            lines.append(f"{label}: {', '.join(named)}.")
    if stakeholders.engage_next:
        lines.append("Engage next:")
        for number, step in enumerate(stakeholders.engage_next, start=1):
            lines.append(f"{number}. {step.reason} {step.action}")
    if stakeholders.dropped_lines:
        lines.append(
            "Some recorded reporting lines were left off the chart (a cycle, or a manager"
            " outside the account): "
            + ", ".join(f"{d.source} -> {d.target}" for d in stakeholders.dropped_lines)
            + "."
        )
    return lines


def facts_for(stakeholders: StakeholderMap) -> list[Fact]:
    """Provenance: the account, each person named, the notes quoted and the last contacts cited."""
    facts = [
        Fact(
            source="accounts",
            record_id=stakeholders.account_id,
            field="name",
            value=stakeholders.account_name,
        )
    ]
    seen: set[tuple[str, str, str]] = set()

    def add(fact: Fact) -> None:
        key = (fact.source, fact.record_id, fact.field)
        if key not in seen:
            seen.add(key)
            facts.append(fact)

    for node in _named(stakeholders):
        add(Fact(source="contacts", record_id=node.contact_id, field="title", value=node.title))
        for evidence in node.evidence:
            add(
                Fact(
                    source=evidence.source,
                    record_id=evidence.record_id,
                    field="body" if evidence.source == "activities" else "text",
                    value=evidence.sentence,
                    as_of=evidence.occurred_at,
                )
            )
        if node.last_contact is not None and node.last_contact_activity_id:
            add(
                Fact(
                    source="activities",
                    record_id=node.last_contact_activity_id,
                    field="occurred_at",
                    value=node.last_contact.date().isoformat(),
                    as_of=node.last_contact,
                )
            )
    for line in stakeholders.dropped_lines:
        add(Fact(source="contacts", record_id=line.source, field="reports_to", value=line.target))
    return facts


def actions_for(stakeholders: StakeholderMap) -> list[Action]:
    """A task per engagement step; creating tasks changes data, so each needs approval."""
    return [
        Action(
            kind="create_task",
            description=step.action,
            payload={"account_id": stakeholders.account_id, "contact_id": step.contact_id},
            requires_approval=True,
        )
        for step in stakeholders.engage_next
    ]


def _named(stakeholders: StakeholderMap) -> list[Stakeholder]:
    ids = [
        stakeholders.decision_maker,
        stakeholders.economic_buyer,
        *stakeholders.champions,
        *stakeholders.blockers,
        *stakeholders.influencers[:4],
        *(step.contact_id for step in stakeholders.engage_next),
    ]
    nodes = [stakeholders.node(cid) for cid in dict.fromkeys(i for i in ids if i)]
    return [node for node in nodes if node is not None]


def _quote(sentence: str) -> str:
    return sentence if len(sentence) <= MAX_QUOTE_CHARS else sentence[: MAX_QUOTE_CHARS - 3] + "..."


def _authority_basis(node: Stakeholder, withheld: Mapping[str, Any] | None = None) -> str:
    cited = next((e for e in node.evidence if e.kind == "authority"), None)
    if cited is None and withheld and (withheld.get("records") or withheld.get("partial")):
        return (
            "no note I may use says who signs off (notes about people without consent are"
            " withheld), so this is a guess from seniority and title"
        )
    if cited is None:
        return "no note says who signs off, so this is a guess from seniority and title"
    when = f", {cited.occurred_at.date().isoformat()}" if cited.occurred_at else ""
    return f'the notes say "{_quote(cited.sentence)}" ({cited.record_id}{when})'


def _budget_basis(node: Stakeholder) -> str:
    cited = next((e for e in node.evidence if e.kind == "budget"), None)
    if cited is None:
        return "the most senior finance contact"
    when = f", {cited.occurred_at.date().isoformat()}" if cited.occurred_at else ""
    return f'the notes say "{_quote(cited.sentence)}" ({cited.record_id}{when})'
