"""A rep's portfolio: their accounts ranked by lead score, what changed in the last week, and
their stale deals (close date passed, still open).

Read in code from the CRM and the stored lead scores; no model. "Now" is the data's clock
(the newest activity in the CRM), so the demo's week means the same whatever day it is read.
Without a rep, the portfolio is every account.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agents.lead_scoring.assessment import assess_lead
from agents.lead_scoring.win_model import win_model_for
from crm.lead_scores import LeadScoreRecord, LeadScoreStore
from crm.reader import CRMSource
from crm.records import AccountRecord, DealRecord, RepRecord
from tools.behaviour import INBOUND_KINDS, account_behaviour, data_clock

WEEK = timedelta(days=7)
HOTTEST, CHANGES, STALE = "hottest", "changes", "stale"

_STALE = re.compile(
    r"\b(?:stale|overdue|slipp(?:ed|ing)|past\s+(?:their\s+|the\s+)?close\s+dates?|"
    r"close\s+dates?\s+(?:has\s+|have\s+)?passed)\b",
    re.IGNORECASE,
)
_CHANGES = re.compile(
    r"\b(?:what(?:'s| has| is)?\s+(?:changed|new|happened)|changes?|news|updates?)\b",
    re.IGNORECASE,
)
_TERRITORY = re.compile(r"\b(?:my|our)\s+(?:territory|region|patch)\b", re.IGNORECASE)
_HOTTEST = re.compile(
    r"\b(?:hott?est|hot|warmest|best|top|prioriti[sz]e|priority|most\s+(?:active|likely|"
    r"engaged|promising)|rank\w*|focus\s+on)\b",
    re.IGNORECASE,
)


def portfolio_kind(text: str, *, portfolio: bool) -> str | None:
    """Which portfolio answer ``text`` asks for, or None when it asks about one account.

    ``portfolio`` says whether the message asks across accounts
    (``agents.conversation.is_portfolio_question``); stale deals and "what changed in my
    territory" count as portfolio questions on their own.
    """
    if _STALE.search(text):
        return STALE
    if _TERRITORY.search(text) or (portfolio and _CHANGES.search(text)):
        return CHANGES
    if portfolio:
        return HOTTEST if _HOTTEST.search(text) or not _CHANGES.search(text) else CHANGES
    return None


@dataclass(frozen=True)
class Scope:
    """Whose accounts: a rep's, or every account when no rep was given."""

    rep: RepRecord | None
    accounts: list[AccountRecord]
    now: datetime

    @property
    def account_ids(self) -> list[str]:
        return [a.id for a in self.accounts]

    def describe(self) -> str:
        if self.rep is None:
            return f"all {len(self.accounts)} accounts (no rep was chosen, so not only yours)"
        return (
            f"the {len(self.accounts)} accounts of {self.rep.name} ({self.rep.id},"
            f" {self.rep.region} territory)"
        )


def load_scope(crm: CRMSource, *, rep_id: str | None) -> Scope:
    """The rep's accounts (all accounts without a rep); raises NotFound for an unknown rep."""
    rep = crm.get_rep(rep_id=rep_id) if rep_id else None
    accounts = crm.list_accounts(limit=1_000_000, owner_id=rep.id if rep else None)
    return Scope(rep=rep, accounts=accounts, now=data_clock(crm))


@dataclass(frozen=True)
class HotAccount:
    """One account's place in the ranking."""

    account: AccountRecord
    score: int
    grade: str
    stage: str
    confidence: float
    actions_7d: int  # customer actions (visits, downloads, e-mails in, calls, meetings, tenders)
    score_week_ago: int | None
    stored: bool  # the stored lead score, or computed now because none was stored

    @property
    def change(self) -> int | None:
        return None if self.score_week_ago is None else self.score - self.score_week_ago


def rank_hottest(crm: CRMSource, scores: LeadScoreStore, scope: Scope) -> list[HotAccount]:
    """Every account of the scope, hottest first: by lead score, then this week's actions."""
    history = scores.account_scores(account_ids=scope.account_ids)
    week_ago = scope.now - WEEK
    ranked = []
    for account in scope.accounts:
        past = history.get(account.id, [])
        actions = len(
            crm.activities_for_account(
                account_id=account.id, since=week_ago, kinds=sorted(INBOUND_KINDS), limit=100_000
            )
        )
        before = next((s.score for s in past if s.as_of <= week_ago), None)
        if past:
            latest = past[0]
            ranked.append(
                HotAccount(account, latest.score, latest.grade, latest.stage, latest.confidence,
                           actions, before, stored=True)
            )  # fmt: skip
            continue
        features = account_behaviour(crm, account_id=account.id, as_of=scope.now)
        score = assess_lead(features, win_model_for(crm))
        ranked.append(
            HotAccount(account, score.score.score, score.score.grade, score.stage.stage,
                       score.score.confidence, actions, before, stored=False)
        )  # fmt: skip
    return sorted(ranked, key=lambda h: (-h.score, -h.actions_7d, -(h.change or 0), h.account.name))


@dataclass
class AccountChanges:
    """What happened at one account in the last seven days."""

    account: AccountRecord
    activities: Counter[str] = field(default_factory=Counter)
    activity_ids: dict[str, str] = field(default_factory=dict)  # kind -> newest activity id
    score_before: LeadScoreRecord | None = None
    score_now: LeadScoreRecord | None = None
    new_deals: list[DealRecord] = field(default_factory=list)
    closed_deals: list[DealRecord] = field(default_factory=list)
    went_stale: list[DealRecord] = field(default_factory=list)

    @property
    def score_changed(self) -> bool:
        before, now = self.score_before, self.score_now
        return (
            before is not None
            and now is not None
            and (before.score, before.grade, before.stage) != (now.score, now.grade, now.stage)
        )

    def __bool__(self) -> bool:
        return bool(
            self.activities
            or self.score_changed
            or self.new_deals
            or self.closed_deals
            or self.went_stale
        )


def territory_changes(crm: CRMSource, scores: LeadScoreStore, scope: Scope) -> list[AccountChanges]:
    """The scope's accounts where something happened in the last seven days, busiest first.

    Deal stages have no history in the CRM: a deal's change shows as a new deal, a deal closed
    (won or lost) with a close date in the week, or an open deal whose close date passed in it.
    """
    since = scope.now - WEEK
    history = scores.account_scores(account_ids=scope.account_ids)
    found = []
    for account in scope.accounts:
        changes = AccountChanges(account)
        for activity in crm.activities_for_account(
            account_id=account.id, since=since, limit=100_000
        ):
            changes.activities[activity.kind] += 1
            changes.activity_ids.setdefault(activity.kind, activity.id)
        past = history.get(account.id, [])
        recent = [s for s in past if s.as_of >= since]
        changes.score_now = recent[0] if recent else None
        changes.score_before = next((s for s in past if s.as_of < since), None)
        for deal in crm.deals_for_account(account_id=account.id):
            if deal.created_at >= since:
                changes.new_deals.append(deal)
            in_week = deal.close_date is not None and since.date() <= deal.close_date
            in_week = in_week and deal.close_date <= scope.now.date()  # type: ignore[operator]
            if in_week and deal.outcome != "open":
                changes.closed_deals.append(deal)
            elif in_week and deal.close_date < scope.now.date():  # type: ignore[operator]
                changes.went_stale.append(deal)
        if changes:
            found.append(changes)
    return sorted(found, key=lambda c: (-sum(c.activities.values()), c.account.name))


@dataclass(frozen=True)
class StaleDeal:
    """An open deal whose close date has passed."""

    deal: DealRecord
    account: AccountRecord
    days_overdue: int


def stale_deals(crm: CRMSource, scope: Scope) -> list[StaleDeal]:
    """The scope's open deals whose close date is before today (the data's clock), the most
    overdue first."""
    today = scope.now.date()
    found = [
        StaleDeal(deal, account, (today - deal.close_date).days)
        for account in scope.accounts
        for deal in crm.deals_for_account(account_id=account.id)
        if deal.outcome == "open" and deal.close_date is not None and deal.close_date < today
    ]
    return sorted(found, key=lambda s: (-s.days_overdue, -s.deal.amount, s.deal.id))
