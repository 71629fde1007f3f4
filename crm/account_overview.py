"""What a rep sees about an account at a glance: key facts, open deals, recent behaviour, score."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import Engine

from crm.lead_scores import LeadScoreStore
from crm.records import AccountRecord, ActivityRecord, BudgetRecord, DealRecord, RepRecord
from crm.scope import AccountScope
from crm.store import CRMStore

BODY_PREVIEW_CHARS = 280


class LeadScoreSummary(BaseModel):
    """The newest stored lead score of the account (stored when behaviour events arrive)."""

    stage: str
    score: int
    grade: str
    confidence: float
    route: str = Field(description="The specialist lead scoring said to activate.")
    as_of: datetime
    created_at: datetime
    recommendation_id: str


class AccountOverview(BaseModel):
    """The account, its open deals, recent behaviour and latest lead score."""

    account: AccountRecord
    owner: RepRecord | None = Field(default=None, description="The rep who owns the account.")
    contacts: int = Field(description="Number of contacts on record.")
    latest_budget: BudgetRecord | None = None
    deals_won: int
    deals_lost: int
    open_deals: list[DealRecord]
    open_pipeline: Decimal = Field(description="Sum of the open deals' amounts.")
    recent_activities: list[ActivityRecord] = Field(
        description="Newest behaviour events first; long bodies are cut to a preview."
    )
    last_activity_at: datetime | None = None
    lead_score: LeadScoreSummary | None = Field(
        default=None, description="None until a behaviour event has been scored for it."
    )


class AccountOverviews:
    """Builds :class:`AccountOverview` from the CRM store and the lead scores, within an
    account scope (every account when not given): an account outside it is NotFound, as an
    unknown one, and its lead score is never read."""

    def __init__(self, engine: Engine, *, scope: AccountScope | None = None) -> None:
        self.crm = CRMStore(engine, scope=scope)
        self._scores = LeadScoreStore(engine)

    def scoped(self, scope: AccountScope) -> AccountOverviews:
        """These overviews as one user sees them (same engine)."""
        return AccountOverviews(self.crm.engine, scope=scope)

    def search(
        self, *, text: str, limit: int = 20, owner_id: str | None = None
    ) -> list[AccountRecord]:
        """Accounts whose name or id contains ``text`` (all accounts when it is blank), only
        the ones ``owner_id`` owns when given; raises NotFound for an unknown rep."""
        if owner_id is not None:
            self.crm.get_rep(rep_id=owner_id)
        return self.crm.find_accounts(text=text, limit=limit, owner_id=owner_id)

    def reps(self) -> list[RepRecord]:
        """Every sales rep, by id."""
        return self.crm.list_reps()

    def rep(self, *, rep_id: str) -> RepRecord:
        """One rep; raises NotFound for an unknown id."""
        return self.crm.get_rep(rep_id=rep_id)

    def overview(self, *, account_id: str, activity_limit: int = 10) -> AccountOverview:
        """The account at a glance; raises NotFound for an unknown id or one outside the scope
        (checked first: nothing else of the account is read before)."""
        account = self.crm.get_account(account_id=account_id)
        deals = self.crm.deals_for_account(account_id=account_id)
        budgets = self.crm.budgets_for_account(account_id=account_id)
        activities = self.crm.activities_for_account(account_id=account_id, limit=activity_limit)
        open_deals = sorted(
            (d for d in deals if d.outcome == "open"), key=lambda d: d.amount, reverse=True
        )
        latest = self._scores.latest(account_id=account_id)
        return AccountOverview(
            account=account,
            owner=self.crm.get_rep(rep_id=account.owner_id) if account.owner_id else None,
            contacts=len(self.crm.contacts_for_account(account_id=account_id)),
            latest_budget=budgets[-1] if budgets else None,
            deals_won=sum(d.outcome == "won" for d in deals),
            deals_lost=sum(d.outcome == "lost" for d in deals),
            open_deals=open_deals,
            open_pipeline=sum((d.amount for d in open_deals), Decimal(0)),
            recent_activities=[_preview(a) for a in activities],
            last_activity_at=activities[0].occurred_at if activities else None,
            lead_score=LeadScoreSummary.model_validate(latest, from_attributes=True)
            if latest
            else None,
        )


def _preview(activity: ActivityRecord) -> ActivityRecord:
    body = activity.body
    if body is None or len(body) <= BODY_PREVIEW_CHARS:
        return activity
    return activity.model_copy(update={"body": body[:BODY_PREVIEW_CHARS].rstrip() + "\u2026"})
