"""Performing the actions a rep approved: the one place agents write their actions to the CRM.

``ActionWriter.perform`` turns an approved (or edited) action into its effect, written with
the decision in one transaction (``crm.actions``): ``create_task`` -> a task, ``send_email`` ->
an e-mail queued in the outbox (nothing is sent), ``update_grade`` -> the account's lead grade.
Other kinds (``activate_agent`` advises, it changes nothing) record the decision only.
``decline`` records a rejection and writes nothing else. Each action is decided once: a repeat
(a run resumed after a restart) returns the first decision. Every stored decision is appended
to the audit log, when there is one, as ids and a hash of the action, never its text.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from core.audit import AuditSink
from core.recommendation import Action
from crm.actions import LEAD_GRADES, ActionDecisionRecord, ActionNotPerformed, ActionStore, Effect

log = logging.getLogger(__name__)

AUDIT_KIND = "action_decision"


class _Task(BaseModel):
    account_id: str
    title: str = Field(min_length=1, max_length=300)
    contact_id: str | None = None
    deal_id: str | None = None
    due_in_days: int = Field(3, ge=0, le=365)


class _Email(BaseModel):
    account_id: str
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1)
    contact_id: str | None = None
    in_reply_to: str | None = Field(None, max_length=24)


class _Grade(BaseModel):
    account_id: str
    grade: str = Field(pattern=f"^[{''.join(LEAD_GRADES)}]$")
    score: int | None = Field(None, ge=0, le=100)


def payload_sha256(action: Action) -> str:
    """sha256 of the action as decided (kind, description, payload), keys sorted."""
    canonical = json.dumps(
        action.model_dump(mode="json", include={"kind", "description", "payload"}),
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ActionWriter:
    """Writes decisions on actions, and approved actions' effects, to the CRM database."""

    def __init__(self, store: ActionStore, *, audit: AuditSink | None = None) -> None:
        self.store = store
        self.audit = audit

    def perform(
        self,
        *,
        recommendation_id: str,
        index: int,
        action: Action,
        decision: str,
        reviewer: str | None = None,
        account_id: str | None = None,
    ) -> ActionDecisionRecord:
        """Write ``action``'s effect with the decision; raises ``ActionNotPerformed``.

        ``account_id`` fills in a payload that names none (the recommendation's subject).
        """
        payload = {"account_id": account_id, **action.payload}
        effect = _effect(action.kind, payload)
        return self._decide(recommendation_id, index, action, decision, reviewer, payload, effect)

    def decline(
        self,
        *,
        recommendation_id: str,
        index: int,
        action: Action,
        reviewer: str | None = None,
        account_id: str | None = None,
    ) -> ActionDecisionRecord:
        """Record that ``action`` was rejected; nothing else is written."""
        payload = {"account_id": account_id, **action.payload}
        return self._decide(recommendation_id, index, action, "reject", reviewer, payload, None)

    def _decide(
        self,
        recommendation_id: str,
        index: int,
        action: Action,
        decision: str,
        reviewer: str | None,
        payload: dict[str, Any],
        effect: tuple[Effect, dict[str, Any]] | None,
    ) -> ActionDecisionRecord:
        digest = payload_sha256(action)
        record, stored = self.store.decide(
            recommendation_id=recommendation_id,
            action_index=index,
            kind=action.kind,
            decision=decision,
            reviewer=reviewer,
            payload_sha256=digest,
            account_id=payload.get("account_id"),
            effect=effect,
        )
        if stored and self.audit is not None:
            self.audit.append(
                AUDIT_KIND,
                {
                    "recommendation_id": recommendation_id,
                    "action_index": index,
                    "decision": decision,
                    "kind": action.kind,
                    "reviewer": reviewer,
                    "payload_sha256": digest,
                    "effect_table": record.effect_table,
                    "effect_id": record.effect_id,
                },
            )
        elif not stored:
            log.info("action %s#%s was decided before; not written again", recommendation_id, index)
        return record


def _effect(kind: str, payload: dict[str, Any]) -> tuple[Effect, dict[str, Any]] | None:
    """The row an approved action of ``kind`` writes, from its payload."""
    now = datetime.now(UTC)
    try:
        if kind == "create_task":
            task = _Task.model_validate(payload)
            return "crm_tasks", {
                "account_id": task.account_id,
                "contact_id": task.contact_id,
                "deal_id": task.deal_id,
                "title": task.title,
                "due_on": (now + timedelta(days=task.due_in_days)).date(),
                "status": "open",
                "created_at": now,
            }
        if kind == "send_email":
            email = _Email.model_validate(payload)
            return "email_outbox", {
                "account_id": email.account_id,
                "contact_id": email.contact_id,
                "subject": email.subject,
                "body": email.body,
                "in_reply_to": email.in_reply_to,
                "status": "queued",
                "created_at": now,
            }
        if kind == "update_grade":
            grade = _Grade.model_validate(payload)
            return "account_grades", {
                "account_id": grade.account_id,
                "grade": grade.grade,
                "score": grade.score,
                "set_at": now,
            }
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ActionNotPerformed(f"{kind}: {where}: {first['msg']}") from None
    return None  # advice only (e.g. activate_agent): the decision is the whole record
