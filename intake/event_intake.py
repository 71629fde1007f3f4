"""Behaviour-event intake: store events, score their accounts, store the score and the route.

The deterministic part of the lead scoring agent runs here (``assess_lead``), without the
language model, so an event is scored and routed in milliseconds. Events are idempotent by id:
an id already stored with the same body is reported as a duplicate and changes nothing; with a
different body it is a conflict. New events and their scores are written in one transaction.
Scores are as of the data's clock: the newest activity the CRM holds, including the new ones.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from agents.lead_scoring import win_model_for
from core.recommendation import Recommendation, RecommendationRecorder
from crm.errors import NotFound
from crm.lead_scores import EventIdTaken, LeadScoreRecord, LeadScoreStore
from crm.records import ActivityRecord
from crm.store import CRMStore
from governance.consent_gate import ConsentGatedCRM
from intake.errors import EventConflict, InvalidEvents
from intake.lead_refresh import score_row

logger = logging.getLogger(__name__)

EVENT_FIELDS = (
    "account_id",
    "contact_id",
    "kind",
    "occurred_at",
    "product_id",
    "url",
    "subject",
    "body",
    "duration_s",
    "meta",
)
_ATTEMPTS = 3  # a concurrent writer taking one of our ids makes us re-check, this many times


@dataclass(frozen=True)
class EventOutcome:
    """What happened to one posted event."""

    event_id: str
    account_id: str
    status: Literal["created", "duplicate"]


@dataclass(frozen=True)
class IntakeResult:
    """The events in posted order and the score of each account they touched."""

    events: list[EventOutcome]
    scores: list[LeadScoreRecord]

    @property
    def created(self) -> bool:
        return any(event.status == "created" for event in self.events)


class EventIntake:
    """Ingests batches of behaviour events (dicts of activity columns, ``meta`` included)."""

    def __init__(
        self,
        crm: CRMStore,
        scores: LeadScoreStore,
        *,
        recorder: RecommendationRecorder | None = None,
    ) -> None:
        self.crm = crm
        self.scores = scores
        self.recorder = recorder
        self._clock: datetime | None = None
        self._clock_lock = threading.Lock()

    @classmethod
    def from_services(cls, services: Any) -> EventIntake:
        """Over the services bundle's CRM store and recommendation log."""
        crm: CRMStore = services.crm
        return cls(
            crm, LeadScoreStore(crm.engine), recorder=getattr(services, "recommendations", None)
        )

    def warm(self) -> None:
        """Fit (or load from the process cache) the win model before the first event needs it."""
        win_model_for(self.crm)

    def ingest(self, events: Sequence[dict[str, Any]]) -> IntakeResult:
        """Store and score ``events``; raises InvalidEvents or EventConflict, writing nothing."""
        for _ in range(_ATTEMPTS - 1):
            try:
                return self._ingest_once(events)
            except EventIdTaken:
                continue  # someone stored one of the ids meanwhile: classify again
        return self._ingest_once(events)

    def _ingest_once(self, events: Sequence[dict[str, Any]]) -> IntakeResult:
        stored = self.scores.stored_activities([e["id"] for e in events])
        conflicts = [e["id"] for e in events if e["id"] in stored and _differs(e, stored[e["id"]])]
        if conflicts:
            raise EventConflict(conflicts)
        new = [e for e in events if e["id"] not in stored]
        self._check_references(events, new)
        clock = self._advance_clock(new)
        by_account: dict[str, list[dict[str, Any]]] = {}
        for event in new:
            by_account.setdefault(event["account_id"], []).append(event)
        rows = [self._score_row(account, batch, clock) for account, batch in by_account.items()]
        written = self.scores.record_intake(activities=new, scores=rows) if new else []
        if self.recorder is not None:
            for row in written:
                self.recorder.record(_recommendation(row))
        scores = list(written)
        for account_id in dict.fromkeys(e["account_id"] for e in events):
            if account_id not in by_account and (
                latest := self.scores.latest(account_id=account_id)
            ):
                scores.append(latest)
        outcomes = [
            EventOutcome(e["id"], e["account_id"], "duplicate" if e["id"] in stored else "created")
            for e in events
        ]
        return IntakeResult(events=outcomes, scores=scores)

    def _check_references(
        self, events: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]
    ) -> None:
        """Accounts must exist; contacts must belong to the event's account; products exist."""
        problems: list[str] = []
        accounts: dict[str, bool] = {}
        new_ids = {e["id"] for e in new}
        for index, event in enumerate(events):
            if event["id"] not in new_ids:
                continue
            where = f"events[{index}]"
            account_id = event["account_id"]
            if account_id not in accounts:
                accounts[account_id] = self._exists(self.crm.get_account, account_id=account_id)
            if not accounts[account_id]:
                problems.append(f"{where}.account_id: no account {account_id!r}")
                continue
            if event.get("contact_id"):
                # Storing an event is not AI processing: any existing contact may be named.
                store = self.crm.ungated if isinstance(self.crm, ConsentGatedCRM) else self.crm
                try:
                    contact = store.get_contact(contact_id=event["contact_id"])
                except NotFound:
                    problems.append(f"{where}.contact_id: no contact {event['contact_id']!r}")
                else:
                    if contact.account_id != account_id:
                        problems.append(
                            f"{where}.contact_id: contact {contact.id!r} belongs to account"
                            f" {contact.account_id!r}, not {account_id!r}"
                        )
            if event.get("product_id") and not self._exists(
                self.crm.get_product, product_id=event["product_id"]
            ):
                problems.append(f"{where}.product_id: no product {event['product_id']!r}")
        if problems:
            raise InvalidEvents(problems)

    @staticmethod
    def _exists(getter: Any, **key: str) -> bool:
        try:
            getter(**key)
        except NotFound:
            return False
        return True

    def _advance_clock(self, new: Sequence[dict[str, Any]]) -> datetime:
        with self._clock_lock:
            if self._clock is None:
                self._clock = self.crm.latest_activity_at() or datetime.now(UTC)
            for event in new:
                self._clock = max(self._clock, event["occurred_at"])
            return self._clock

    def _score_row(
        self, account_id: str, batch: list[dict[str, Any]], clock: datetime
    ) -> dict[str, Any]:
        extra = [ActivityRecord.model_validate(event) for event in batch]
        if isinstance(self.crm, ConsentGatedCRM):  # scoring is: leave withheld people out
            extra = self.crm.visible_activities(account_id, extra)
        return score_row(
            self.crm,
            account_id,
            clock=clock,
            event_ids=[event["id"] for event in batch],
            extra=extra,
        )


def _differs(event: dict[str, Any], stored: ActivityRecord) -> bool:
    return any(event.get(name) != getattr(stored, name) for name in EVENT_FIELDS)


def _recommendation(row: LeadScoreRecord) -> Recommendation:
    return Recommendation.model_validate(row.recommendation)
