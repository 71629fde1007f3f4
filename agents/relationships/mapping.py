"""Build the stakeholder map from an account's contacts, our coverage and its notes. Pure code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from agents.relationships.engagement import plan_engagement
from agents.relationships.evidence import Note, PeopleIndex, read_cues
from agents.relationships.hierarchy import Person, build_org_chart
from agents.relationships.models import StakeholderMap
from agents.relationships.roles import assign_roles
from agents.relationships.scoring import map_confidence, pick_decision_maker, score_stakeholders
from tools.stakeholders import AccountRef, ContactActivity, Interaction, NoteHit, StakeholderContact


def notes_from(interactions: Sequence[Interaction], hits: Sequence[NoteHit]) -> list[Note]:
    """Texts to read: bodies of meetings and e-mails, plus memory notes not among them."""
    notes = [
        Note(
            source="activities",
            record_id=item.activity_id,
            kind=item.kind,
            occurred_at=item.occurred_at,
            contact_id=item.contact_id,
            text=item.body,
        )
        for item in interactions
        if item.body and not item.bulk
    ]
    seen = {note.record_id for note in notes}
    for hit in hits:
        # A chunk of an activity already read would count its sentences twice.
        if hit.note_id in seen or hit.chunk_id in seen:
            continue
        seen.add(hit.chunk_id)
        notes.append(
            Note(
                source="account_notes",
                record_id=hit.chunk_id,
                kind=hit.kind or "note",
                occurred_at=hit.occurred_at,
                contact_id=hit.contact_id,
                text=hit.text,
            )
        )
    return notes


def build_stakeholder_map(
    account: AccountRef,
    contacts: Sequence[StakeholderContact],
    activity: Mapping[str, ContactActivity],
    notes: Sequence[Note],
    *,
    as_of: datetime,
) -> StakeholderMap:
    """Nodes, reporting lines, roles, confidence and who to engage next."""
    chart = build_org_chart([Person(c.contact_id, c.seniority, c.reports_to) for c in contacts])
    people = PeopleIndex((c.contact_id, c.name, c.title) for c in contacts)
    cues = read_cues(notes, people)
    nodes = score_stakeholders(contacts, activity, cues, chart, as_of=as_of)
    decision_maker, dm_confidence = pick_decision_maker(nodes, contacts)
    roles = assign_roles(nodes, cues, decision_maker)
    stakeholders = StakeholderMap(
        account_id=account.account_id,
        account_name=account.name,
        as_of=as_of,
        nodes=nodes,
        edges=chart.edges,
        dropped_lines=chart.dropped,
        decision_maker=decision_maker,
        economic_buyer=next(iter(roles["economic_buyer"]), None),
        champions=roles["champion"],
        blockers=roles["blocker"],
        influencers=roles["influencer"],
        decision_maker_confidence=dm_confidence,
        confidence=map_confidence(nodes, dm_confidence),
    )
    stakeholders.engage_next = plan_engagement(stakeholders)
    return stakeholders
