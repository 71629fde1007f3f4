"""The stakeholder map as structured data a page can draw: people (nodes), reporting lines (edges)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Role = Literal["decision_maker", "economic_buyer", "champion", "blocker", "influencer"]
Coverage = Literal["none", "unanswered", "lapsed", "thin", "active"]
ROLES: tuple[Role, ...] = ("decision_maker", "economic_buyer", "champion", "blocker", "influencer")


class EvidenceRef(BaseModel):
    """A sentence of a note that supports a role or a sentiment."""

    source: Literal["activities", "account_notes"]
    record_id: str
    occurred_at: datetime | None = None
    kind: Literal["authority", "budget", "positive", "negative"]
    label: str
    sentence: str
    weight: float


class CoverageStats(BaseModel):
    """What we did with the person (newsletters not counted)."""

    meetings: int = 0
    emails_in: int = 0
    emails_out: int = 0
    calls_answered: int = 0
    calls_missed: int = 0
    two_way_recent: int = Field(
        default=0, description="Meetings, replies and answered calls in the last year."
    )


class Stakeholder(BaseModel):
    """One person of the account on the map."""

    contact_id: str
    name: str
    title: str
    department: str
    seniority: str
    reports_to: str | None = Field(
        default=None, description="Manager on the map (after cycles are broken)."
    )
    roles: list[Role] = Field(default_factory=list)
    influence: float = Field(ge=0.0, le=1.0)
    authority: float = Field(
        default=0.0, ge=0.0, description="Weight of sign-off wording credited to them."
    )
    sentiment: float = Field(default=0.0, ge=-1.0, le=1.0)
    sentiment_cues: int = Field(
        default=0, ge=0, description="Sentences the sentiment is read from."
    )
    last_contact: datetime | None = Field(default=None, description="Newest two-way interaction.")
    last_contact_activity_id: str | None = None
    coverage: Coverage = "none"
    stats: CoverageStats = Field(default_factory=lambda: CoverageStats())
    evidence: list[EvidenceRef] = Field(default_factory=list)


class ReportingLine(BaseModel):
    """An edge of the organisation chart: ``source`` reports to ``target``."""

    source: str
    target: str
    kind: Literal["reports_to"] = "reports_to"


class DroppedLine(BaseModel):
    """A recorded reporting line left off the map, and why."""

    source: str
    target: str
    reason: Literal["cycle", "manager_not_in_account"]


class EngagementStep(BaseModel):
    """Who to engage next, why, and what to do."""

    contact_id: str
    name: str
    title: str
    priority: float = Field(ge=0.0)
    reason: str
    action: str


class StakeholderMap(BaseModel):
    """The account's stakeholder map, its key roles and who to engage next."""

    account_id: str
    account_name: str
    as_of: datetime
    nodes: list[Stakeholder] = Field(default_factory=list)
    edges: list[ReportingLine] = Field(default_factory=list)
    dropped_lines: list[DroppedLine] = Field(default_factory=list)
    decision_maker: str | None = None
    economic_buyer: str | None = None
    champions: list[str] = Field(default_factory=list)
    blockers: list[str] = Field(default_factory=list)
    influencers: list[str] = Field(default_factory=list)
    engage_next: list[EngagementStep] = Field(default_factory=list)
    decision_maker_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)

    def node(self, contact_id: str | None) -> Stakeholder | None:
        """The node of ``contact_id``, if it is on the map."""
        return next((n for n in self.nodes if n.contact_id == contact_id), None)
