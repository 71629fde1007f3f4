"""SQL data subject holders: CRM rows, the recommendation log and the consent ledger.

Each erasure is one transaction. Records about the person (their contact row, activities
with them as the contact, lead scores and recommendations about them) are deleted; records
of others that merely mention them (a meeting they attended, a recommendation naming them)
are redacted: every identifier becomes ``[erased]`` and their id leaves attendee lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session

from crm import models as m
from crm.db import session_factory
from crm.errors import NotFound
from crm.lead_scores import LeadScoreRow
from crm.recommendations import FeedbackRow, RecommendationRow
from governance.consent import ConsentLedger
from governance.subject_rights import DataSubject


def find_subject(engine: Engine, contact_id: str) -> DataSubject:
    """The contact as a data subject; raises ``NotFound`` for an unknown id."""
    with session_factory(engine)() as session:
        row = session.get(m.Contact, contact_id)
        if row is None:
            raise NotFound("contact", contact_id)
        return DataSubject(
            contact_id=row.id,
            account_id=row.account_id,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            phone=row.phone,
        )


def redact_value(value: Any, contact: DataSubject) -> Any:
    """``value`` (JSON data) with every string redacted and the contact's id dropped from lists."""
    if isinstance(value, str):
        return contact.redact(value)
    if isinstance(value, list):
        return [redact_value(item, contact) for item in value if item != contact.contact_id]
    if isinstance(value, dict):
        return {key: redact_value(item, contact) for key, item in value.items()}
    return value


def _mentions(value: Any, contact: DataSubject) -> bool:
    return contact.mentioned_in(json.dumps(value, ensure_ascii=False, default=str))


def columns_of(row: Any) -> dict[str, Any]:
    """A mapped row's columns as JSON-ready values."""
    values = {attr.key: getattr(row, attr.key) for attr in row.__mapper__.column_attrs}
    return json.loads(json.dumps(values, default=str))


def like_any(column: Any, contact: DataSubject) -> Any:
    """SQL pre-filter: the column's text contains an identifier (lower-cased); Python decides."""
    text = func.lower(cast(column, Text))
    return or_(*(text.contains(form.lower(), autoescape=True) for form in contact.identifiers))


class CRMSubjectData:
    """The contact row, their activities, activities that mention them, lead scores, and the
    deals, colleagues and hidden truth that point at them. Erased last (see SubjectRights)."""

    name = "crm"
    last = True  # the contact row goes only when every other store has been erased

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def _activities(self, session: Session, contact: DataSubject) -> Iterator[m.Activity]:
        stmt = select(m.Activity).where(
            or_(
                m.Activity.contact_id == contact.contact_id,
                like_any(m.Activity.subject, contact),
                like_any(m.Activity.body, contact),
                like_any(m.Activity.meta, contact),
            )
        )
        for row in session.scalars(stmt.order_by(m.Activity.occurred_at, m.Activity.id)):
            if row.contact_id == contact.contact_id or _mentions(
                [row.subject, row.body, row.meta], contact
            ):
                yield row

    def _lead_scores(self, session: Session, contact: DataSubject) -> Iterator[LeadScoreRow]:
        stmt = select(LeadScoreRow).where(
            or_(
                LeadScoreRow.contact_id == contact.contact_id,
                LeadScoreRow.account_id == contact.account_id,
            )
        )
        for row in session.scalars(stmt.order_by(LeadScoreRow.created_at)):
            if row.contact_id == contact.contact_id or _mentions(
                [row.assessment, row.recommendation], contact
            ):
                yield row

    def export(self, *, contact: DataSubject) -> dict[str, Any]:
        with self._sessions() as session:
            person = session.get(m.Contact, contact.contact_id)
            deals = session.scalars(
                select(m.Deal).where(m.Deal.primary_contact_id == contact.contact_id)
            ).all()
            reports = session.scalars(
                select(m.Contact.id).where(m.Contact.reports_to == contact.contact_id)
            ).all()
            return {
                "contact": columns_of(person) if person is not None else None,
                "activities": [columns_of(a) for a in self._activities(session, contact)],
                "lead_scores": [columns_of(s) for s in self._lead_scores(session, contact)],
                "deals_as_primary_contact": [
                    {"deal_id": d.id, "name": d.name, "stage": d.stage} for d in deals
                ],
                "direct_reports": list(reports),
            }

    def erase(self, *, contact: DataSubject) -> int:
        cid = contact.contact_id
        with self._sessions() as session, session.begin():
            changed = 0
            for row in list(self._activities(session, contact)):
                if row.contact_id == cid:
                    session.delete(row)
                else:
                    row.subject = contact.redact(row.subject) if row.subject else row.subject
                    row.body = contact.redact(row.body) if row.body else row.body
                    row.meta = redact_value(dict(row.meta or {}), contact)
                changed += 1
            for score in list(self._lead_scores(session, contact)):
                if score.contact_id == cid:
                    session.delete(score)
                else:
                    score.assessment = redact_value(score.assessment, contact)
                    score.recommendation = redact_value(score.recommendation, contact)
                changed += 1
            for stmt in (
                update(m.Deal)
                .where(m.Deal.primary_contact_id == cid)
                .values(primary_contact_id=None),
                update(m.Contact).where(m.Contact.reports_to == cid).values(reports_to=None),
                update(m.GroundTruth)
                .where(m.GroundTruth.true_decision_maker_contact_id == cid)
                .values(true_decision_maker_contact_id=None),
                delete(m.Contact).where(m.Contact.id == cid),
            ):
                changed += int(getattr(session.execute(stmt), "rowcount", 0) or 0)
            session.flush()
        return changed


class RecommendationSubjectData:
    """Recommendations about the contact (deleted, feedback with them) and recommendations or
    feedback that mention them (redacted)."""

    name = "recommendations"

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def _recommendations(
        self, session: Session, contact: DataSubject
    ) -> Iterator[RecommendationRow]:
        stmt = select(RecommendationRow).where(
            or_(
                RecommendationRow.contact_id == contact.contact_id,
                like_any(RecommendationRow.record, contact),
            )
        )
        for row in session.scalars(stmt.order_by(RecommendationRow.created_at)):
            if row.contact_id == contact.contact_id or _mentions(row.record, contact):
                yield row

    def _feedback(self, session: Session, contact: DataSubject) -> Iterator[FeedbackRow]:
        stmt = select(FeedbackRow).where(
            or_(
                like_any(FeedbackRow.comment, contact),
                like_any(FeedbackRow.modified_content, contact),
                like_any(FeedbackRow.author, contact),
            )
        )
        for row in session.scalars(stmt.order_by(FeedbackRow.created_at)):
            if _mentions([row.comment, row.modified_content, row.author], contact):
                yield row

    def export(self, *, contact: DataSubject) -> dict[str, Any]:
        with self._sessions() as session:
            recommendations = list(self._recommendations(session, contact))
            ids = [row.id for row in recommendations]
            feedback = {
                row.id: row
                for row in [
                    *session.scalars(
                        select(FeedbackRow).where(FeedbackRow.recommendation_id.in_(ids))
                    ),
                    *self._feedback(session, contact),
                ]
            }
            return {
                "recommendations": [row.record for row in recommendations],
                "feedback": [columns_of(row) for row in feedback.values()],
            }

    def erase(self, *, contact: DataSubject) -> int:
        with self._sessions() as session, session.begin():
            changed = 0
            deleted: set[str] = set()
            for row in list(self._recommendations(session, contact)):
                if row.contact_id == contact.contact_id:
                    deleted.add(row.id)
                    session.execute(
                        delete(FeedbackRow).where(FeedbackRow.recommendation_id == row.id)
                    )
                    session.delete(row)
                else:
                    row.record = redact_value(row.record, contact)
                changed += 1
            for feedback in list(self._feedback(session, contact)):
                if feedback.recommendation_id in deleted:
                    continue
                for field in ("comment", "modified_content", "author"):
                    value = getattr(feedback, field)
                    if value:
                        setattr(feedback, field, contact.redact(value))
                changed += 1
            session.flush()
        return changed


class ConsentSubjectData:
    """The contact's consent history; erasure keeps it under a keyed hash instead of the id."""

    name = "consent"

    def __init__(self, ledger: ConsentLedger) -> None:
        self._ledger = ledger

    def export(self, *, contact: DataSubject) -> list[dict[str, Any]]:
        return [r.model_dump(mode="json") for r in self._ledger.history(contact.contact_id)]

    def erase(self, *, contact: DataSubject) -> int:
        return self._ledger.pseudonymise(contact_id=contact.contact_id)
