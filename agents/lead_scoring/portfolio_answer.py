"""The portfolio answers as recommendations: deterministic text, every figure in a fact.

Each line of an answer names its account (or deal) and states figures that the provenance
holds as facts on that record, so the figure check and the provenance links work as for any
other recommendation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.lead_scoring.portfolio import (
    CHANGES,
    HOTTEST,
    STALE,
    WEEK,
    AccountChanges,
    HotAccount,
    Scope,
    StaleDeal,
    load_scope,
    rank_hottest,
    stale_deals,
    territory_changes,
)
from agents.withheld import note_withheld
from core.recommendation import Fact, Recommendation, snapshot_sha256
from crm.errors import NotFound
from crm.lead_scores import LeadScoreStore
from crm.reader import CRMSource
from governance.consent_tally import collect_withheld

AGENT = "lead_scoring"
KIND = "portfolio"
MAX_LINES = 40  # a rep's book is listed whole; without a rep, the top of all accounts
_KIND_WORDS = {
    "web_visit": ("web visit", "web visits"),
    "content_download": ("download", "downloads"),
    "email_in": ("e-mail in", "e-mails in"),
    "email_out": ("e-mail out", "e-mails out"),
    "call_answered": ("call answered", "calls answered"),
    "call_missed": ("call missed", "calls missed"),
    "meeting": ("meeting", "meetings"),
    "tender_announcement": ("tender notice", "tender notices"),
}


def portfolio_reply(
    crm: CRMSource, kind: str, *, rep_id: str | None
) -> tuple[str, Recommendation | None]:
    """The answer to a portfolio question of ``kind`` over the rep's accounts (every account
    without a rep), and its recommendation; no recommendation when the rep is unknown."""
    try:
        scope = load_scope(crm, rep_id=rep_id)
    except NotFound:
        reps = "; ".join(f"{r.id} ({r.name}, {r.region})" for r in crm.list_reps())
        return (
            f"There is no rep {rep_id!r} in the CRM, so I cannot tell which accounts are yours."
            f" Choose one of: {reps or 'no reps are on record'}."
        ), None
    scores = LeadScoreStore(crm.engine)
    with collect_withheld() as tally:
        if kind == STALE:
            answer = stale_answer(scope, stale_deals(crm, scope))
        elif kind == CHANGES:
            answer = changes_answer(scope, territory_changes(crm, scores, scope))
        else:
            answer = hottest_answer(scope, rank_hottest(crm, scores, scope))
    answer = note_withheld(answer, tally.as_data())
    return answer.content, answer


class _Facts:
    """Collects provenance facts while the text is written."""

    def __init__(self, scope: Scope) -> None:
        self.as_of = scope.now
        self.items: list[Fact] = []
        self.whole = scope.rep.id if scope.rep else "all_accounts"
        self.add("lead_scoring", self.whole, "accounts_in_scope", len(scope.accounts))
        self.add("lead_scoring", self.whole, "window_days", WEEK.days)

    def add(self, source: str, record_id: str, name: str, value: Any) -> Any:
        self.items.append(
            Fact(source=source, record_id=record_id, field=name, value=value, as_of=self.as_of)
        )
        return value


def _subject(scope: Scope) -> dict[str, str]:
    return {"rep_id": scope.rep.id} if scope.rep else {}


def _recommendation(
    scope: Scope,
    *,
    question: str,
    content: str,
    facts: _Facts,
    confidence: float,
    data: dict[str, Any],
) -> Recommendation:
    return Recommendation(
        kind=KIND,
        agent=AGENT,
        subject=_subject(scope),
        content=content,
        confidence=round(max(0.0, min(1.0, confidence)), 3),
        provenance=facts.items,
        data={
            "portfolio": {
                "question": question,
                "rep_id": scope.rep.id if scope.rep else None,
                "accounts": len(scope.accounts),
                "as_of": scope.now.isoformat(),
                **data,
            }
        },  # fmt: skip
        input_sha256=snapshot_sha256({"question": question, **data}),
        status="draft",
    )


def hottest_answer(scope: Scope, ranked: Sequence[HotAccount]) -> Recommendation:
    """The ranking of every account in scope, hottest first."""
    facts = _Facts(scope)
    day = scope.now.date().isoformat()
    lines = [f"Hottest of {scope.describe()}, by lead score as of {day}:"]
    for place, hot in enumerate(ranked[:MAX_LINES], start=1):
        acc = hot.account
        score = facts.add("accounts", acc.id, "lead_score", hot.score)
        actions = facts.add("accounts", acc.id, "customer_actions_7d", hot.actions_7d)
        line = (
            f"{place}. {acc.name} ({acc.id}): score {score}, grade {hot.grade}, {hot.stage} stage"
        )
        line += f"; {actions} customer actions in the last 7 days"
        if hot.change:
            change = facts.add("accounts", acc.id, "score_change_7d", hot.change)
            line += f"; {'up' if change > 0 else 'down'} {abs(change)} points on the week"
        lines.append(line + ("" if hot.stored else " (scored now: no stored score)") + ".")
    if len(ranked) > MAX_LINES:
        more = facts.add("lead_scoring", facts.whole, "not_listed", len(ranked) - MAX_LINES)
        lines.append(f"{more} more accounts follow in the ranking's data.")
    if not ranked:
        lines = [f"There are no accounts in {scope.describe()}."]
    coverage = sum(h.stored for h in ranked) / len(ranked) if ranked else 0.0
    mean = sum(h.confidence for h in ranked) / len(ranked) if ranked else 0.3
    ranking = [
        {"account_id": h.account.id, "name": h.account.name, "score": h.score, "grade": h.grade,
         "stage": h.stage, "customer_actions_7d": h.actions_7d, "score_change_7d": h.change,
         "stored": h.stored}
        for h in ranked
    ]  # fmt: skip
    return _recommendation(
        scope, question=HOTTEST, content="\n".join(lines), facts=facts,
        confidence=mean * (0.8 + 0.2 * coverage), data={"ranking": ranking},
    )  # fmt: skip


def _activity_words(changes: AccountChanges, facts: _Facts) -> str:
    parts = []
    for kind, count in changes.activities.most_common():
        facts.add("activities", changes.activity_ids[kind], f"count_7d.{kind}", count)
        one, many = _KIND_WORDS.get(kind, (kind, kind))
        parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts)


def changes_answer(scope: Scope, changes: Sequence[AccountChanges]) -> Recommendation:
    """What happened in the last seven days at the accounts in scope."""
    facts = _Facts(scope)
    since = (scope.now.date()).isoformat()
    lines = [f"Changes in the last 7 days (to {since}) across {scope.describe()}:"]
    for item in changes[:MAX_LINES]:
        acc = item.account
        said = []
        if item.activities:
            said.append(_activity_words(item, facts))
        if item.score_changed and item.score_before and item.score_now:
            before, now = item.score_before, item.score_now
            facts.add("accounts", acc.id, "lead_score_before", before.score)
            facts.add("accounts", acc.id, "lead_score", now.score)
            said.append(
                f"lead score {before.score} ({before.grade}, {before.stage}) -> {now.score}"
                f" ({now.grade}, {now.stage})"
            )
        for deal in item.new_deals:
            facts.add("deals", deal.id, "name", deal.name)
            said.append(f"new deal {deal.id} {deal.name} ({deal.stage})")
        for deal in item.closed_deals:
            facts.add("deals", deal.id, "close_date", deal.close_date.isoformat())  # type: ignore[union-attr]
            said.append(f"deal {deal.id} closed {deal.outcome} on {deal.close_date}")
        for deal in item.went_stale:
            facts.add("deals", deal.id, "close_date", deal.close_date.isoformat())  # type: ignore[union-attr]
            said.append(f"deal {deal.id} passed its close date {deal.close_date} still open")
        lines.append(f"- {acc.name} ({acc.id}): " + "; ".join(said) + ".")
    if len(changes) > MAX_LINES:
        more = facts.add("lead_scoring", facts.whole, "not_listed", len(changes) - MAX_LINES)
        lines.append(f"{more} more accounts changed; see the answer's data.")
    quiet = len(scope.accounts) - len(changes)
    if not changes:
        lines = [f"Nothing changed in the last 7 days across {scope.describe()}."]
    elif quiet:
        facts.add("lead_scoring", facts.whole, "quiet_accounts", quiet)
        lines.append(f"The other {quiet} accounts had no activity, score or deal change.")
    data = {
        "changes": [
            {"account_id": c.account.id, "activities": dict(c.activities),
             "score_before": c.score_before.score if c.score_changed and c.score_before else None,
             "score_now": c.score_now.score if c.score_changed and c.score_now else None,
             "new_deals": [d.id for d in c.new_deals],
             "closed_deals": [d.id for d in c.closed_deals],
             "went_stale": [d.id for d in c.went_stale]}
            for c in changes
        ]
    }  # fmt: skip
    return _recommendation(
        scope, question=CHANGES, content="\n".join(lines), facts=facts, confidence=0.9, data=data
    )


def stale_answer(scope: Scope, stale: Sequence[StaleDeal]) -> Recommendation:
    """The open deals in scope whose close date has passed, the most overdue first."""
    facts = _Facts(scope)
    today = scope.now.date().isoformat()
    if not stale:
        content = (
            f"No open deal has passed its close date (as of {today}) across {scope.describe()}."
        )
    else:
        lines = [f"Open deals past their close date (as of {today}) across {scope.describe()}:"]
        for item in stale[:MAX_LINES]:
            deal = item.deal
            facts.add("deals", deal.id, "name", deal.name)
            amount = facts.add("deals", deal.id, "amount", float(deal.amount))
            close = facts.add("deals", deal.id, "close_date", deal.close_date.isoformat())  # type: ignore[union-attr]
            days = facts.add("deals", deal.id, "days_overdue", item.days_overdue)
            lines.append(
                f"- {deal.id} {deal.name} at {item.account.name} ({item.account.id}):"
                f" {deal.stage}, {deal.currency} {amount:,.2f}, close date {close},"
                f" {days} days overdue."
            )
        if len(stale) > MAX_LINES:
            more = facts.add("lead_scoring", facts.whole, "not_listed", len(stale) - MAX_LINES)
            lines.append(f"{more} more stale deals are in the answer's data.")
        facts.add("deals", stale[0].deal.id, "stale_deals", len(stale))
        lines.append(
            f"{len(stale)} stale deals: move each close date or close the deal as won or lost."
        )
        content = "\n".join(lines)
    data = {
        "stale_deals": [
            {"deal_id": s.deal.id, "account_id": s.account.id, "stage": s.deal.stage,
             "amount": str(s.deal.amount), "currency": s.deal.currency,
             "close_date": s.deal.close_date.isoformat() if s.deal.close_date else None,
             "days_overdue": s.days_overdue}
            for s in stale
        ]
    }  # fmt: skip
    return _recommendation(
        scope, question=STALE, content=content, facts=facts, confidence=0.95, data=data
    )
