"""Deterministic scoring: influence, sentiment, coverage and roles of every person of an account.

Numbers come from data and fixed formulas (documented in docs/agents/relationships.md), never
from the language model:

- authority: summed weights of sign-off wording credited to the person (lexicon.AUTHORITY);
- decision maker: highest authority plus a small structural prior (seniority, a purchasing title)
  that only decides when the notes say nothing;
- influence in [0, 1]: 0.45 seniority + 0.2 share of the account below them in the chart
  + 0.25 authority (saturating at 2) + 0.1 meetings (saturating at 4);
- sentiment in (-1, 1): (positive - negative) / (positive + negative + 1) over lexicon weights;
- confidence: from how much sign-off wording there is and how much of it agrees.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from agents.relationships.evidence import Cue
from agents.relationships.hierarchy import SENIORITY_RANK, OrgChart
from agents.relationships.models import Coverage, CoverageStats, EvidenceRef, Stakeholder
from tools.stakeholders import ContactActivity, StakeholderContact

RECENT = timedelta(days=365)
ACTIVE_TOUCHES = 3  # two-way interactions in the last year that make coverage "active"
PRIOR_SENIORITY = 0.2
PRIOR_PURCHASING = 0.1
# Titles that own equipment purchases in hospitals, clinics and labs.
PURCHASING_TITLE = re.compile(r"operations|equipment|finance|procurement|purchas|budget", re.I)
MAX_EVIDENCE = 5


def coverage_level(activity: ContactActivity | None, as_of: datetime) -> Coverage:
    """none / unanswered (we tried, no reply) / lapsed (over a year) / thin / active."""
    if activity is None or activity.two_way == 0:
        reached = activity is not None and (activity.emails_out or activity.calls_missed)
        return "unanswered" if reached else "none"
    if activity.last_contact is None or activity.last_contact < as_of - RECENT:
        return "lapsed"
    return "active" if activity.two_way_recent >= ACTIVE_TOUCHES else "thin"


def sentiment_of(cues: Sequence[Cue]) -> tuple[float, int]:
    """(score, sentences) from positive and negative cues."""
    positive = sum(c.weight for c in cues if c.kind == "positive")
    negative = sum(c.weight for c in cues if c.kind == "negative")
    sentences = len(
        {(c.note.record_id, c.sentence) for c in cues if c.kind in ("positive", "negative")}
    )
    return round((positive - negative) / (positive + negative + 1.0), 2), sentences


def prior(contact: StakeholderContact) -> float:
    """Structural prior of deciding: seniority, and a title that owns purchases."""
    purchasing = PURCHASING_TITLE.search(f"{contact.title} {contact.department}") is not None
    return PRIOR_SENIORITY * SENIORITY_RANK.get(contact.seniority, 0.0) + (
        PRIOR_PURCHASING if purchasing and contact.seniority in ("executive", "director") else 0.0
    )


def score_stakeholders(
    contacts: Sequence[StakeholderContact],
    activity: Mapping[str, ContactActivity],
    cues: Sequence[Cue],
    chart: OrgChart,
    *,
    as_of: datetime,
) -> list[Stakeholder]:
    """One node per contact with influence, authority, sentiment, coverage (roles come later)."""
    by_person: dict[str, list[Cue]] = defaultdict(list)
    for cue in cues:
        by_person[cue.contact_id].append(cue)
    nodes = []
    for contact in contacts:
        mine = by_person.get(contact.contact_id, [])
        authority = round(sum(c.weight for c in mine if c.kind == "authority"), 2)
        stats = activity.get(contact.contact_id)
        meetings = stats.meetings if stats else 0
        influence = (
            0.45 * SENIORITY_RANK.get(contact.seniority, 0.0)
            + 0.2 * chart.reach_share(contact.contact_id)
            + 0.25 * min(authority / 2.0, 1.0)
            + 0.1 * min(meetings / 4.0, 1.0)
        )
        sentiment, sentences = sentiment_of(mine)
        nodes.append(
            Stakeholder(
                contact_id=contact.contact_id,
                name=contact.name,
                title=contact.title,
                department=contact.department,
                seniority=contact.seniority,
                reports_to=chart.managers.get(contact.contact_id),
                influence=round(min(max(influence, 0.0), 1.0), 2),
                authority=authority,
                sentiment=sentiment,
                sentiment_cues=sentences,
                last_contact=stats.last_contact if stats else None,
                last_contact_activity_id=stats.last_contact_activity_id if stats else None,
                coverage=coverage_level(stats, as_of),
                stats=_stats(stats),
                evidence=_evidence(mine),
            )
        )
    return nodes


def budget_weight(cues: Sequence[Cue], contact_id: str) -> float:
    return sum(c.weight for c in cues if c.kind == "budget" and c.contact_id == contact_id)


def pick_decision_maker(
    nodes: Sequence[Stakeholder], contacts: Sequence[StakeholderContact]
) -> tuple[str | None, float]:
    """The decision maker and the confidence in that pick, from the evidence."""
    if not nodes:
        return None, 0.0
    priors = {c.contact_id: prior(c) for c in contacts}
    best = max(nodes, key=lambda n: (n.authority + priors.get(n.contact_id, 0.0), -_order(n)))
    total = sum(n.authority for n in nodes)
    if total <= 0:
        return best.contact_id, 0.15  # structure only: a guess, and said to be one
    agreement = best.authority / total
    strength = 1.0 - 0.5**best.authority
    return best.contact_id, round(min(0.15 + 0.8 * strength * agreement, 0.95), 3)


def map_confidence(nodes: Sequence[Stakeholder], dm_confidence: float) -> float:
    """The map's confidence: the decision-maker pick, and how many people we have data on."""
    if not nodes:
        return 0.05
    known = sum(1 for n in nodes if n.stats.meetings + n.stats.emails_in + n.stats.calls_answered)
    return round(min(max(0.6 * dm_confidence + 0.4 * known / len(nodes), 0.05), 0.95), 3)


def _order(node: Stakeholder) -> int:
    # Ties go to the lower contact id: digits of the id, so CON-00070 beats CON-00072.
    digits = "".join(ch for ch in node.contact_id if ch.isdigit())
    return int(digits) if digits else 0


def _stats(stats: ContactActivity | None) -> CoverageStats:
    if stats is None:
        return CoverageStats()
    return CoverageStats(
        meetings=stats.meetings,
        emails_in=stats.emails_in,
        emails_out=stats.emails_out,
        calls_answered=stats.calls_answered,
        calls_missed=stats.calls_missed,
        two_way_recent=stats.two_way_recent,
    )


def _evidence(cues: Sequence[Cue]) -> list[EvidenceRef]:
    """The strongest, then newest, cues of a person; authority first."""
    order = {"authority": 0, "budget": 1, "negative": 2, "positive": 3}
    ranked = sorted(
        cues,
        key=lambda c: (
            order[c.kind],
            -c.weight,
            -(c.note.occurred_at.timestamp() if c.note.occurred_at else 0.0),
            c.note.record_id,
        ),
    )
    return [
        EvidenceRef(
            source="account_notes" if c.note.source == "account_notes" else "activities",
            record_id=c.note.record_id,
            occurred_at=c.note.occurred_at,
            kind=c.kind,
            label=c.label,
            sentence=c.sentence,
            weight=c.weight,
        )
        for c in ranked[:MAX_EVIDENCE]
    ]
