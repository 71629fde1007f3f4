"""A contact's data in the calibration harness, for data subject access and erasure.

An item concerns a contact when its recommendation's subject is that contact or the contact's
id appears anywhere in the snapshot (a provenance fact, a stakeholder map). Erasure deletes
those items and every review of them; the batch keeps its other items.
"""

from __future__ import annotations

import json
import typing
from typing import Any

from sqlalchemy import CursorResult, Delete, Engine, Text, cast, delete, or_, select
from sqlalchemy.orm import Session

from crm.db import session_factory
from eval.calibration.models import CalibrationItemRow, CalibrationReviewRow


def _mentions(value: Any, contact_id: str) -> bool:
    if isinstance(value, dict):
        return any(_mentions(v, contact_id) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, contact_id) for v in value)
    return value == contact_id


class CalibrationSubjectData:
    """Export and erase the calibration items and reviews that concern one contact."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def _items(self, session: Session, contact_id: str) -> list[CalibrationItemRow]:
        # The text match narrows the rows in SQL; the JSON walk drops ids that only contain it.
        quoted = json.dumps(contact_id)
        candidates = session.scalars(
            select(CalibrationItemRow)
            .where(
                or_(
                    CalibrationItemRow.contact_id == contact_id,
                    cast(CalibrationItemRow.snapshot, Text).contains(quoted, autoescape=True),
                )
            )
            .order_by(CalibrationItemRow.batch_id, CalibrationItemRow.position)
        ).all()
        return [
            row
            for row in candidates
            if row.contact_id == contact_id or _mentions(row.snapshot, contact_id)
        ]

    def export(self, *, contact_id: str) -> list[dict[str, Any]]:
        """Every item concerning the contact, with the snapshot and its reviews, as JSON data."""
        with self._sessions() as session:
            items = self._items(session, contact_id)
            reviews = session.scalars(
                select(CalibrationReviewRow)
                .where(CalibrationReviewRow.item_id.in_([row.id for row in items]))
                .order_by(CalibrationReviewRow.created_at)
            ).all()
        by_item: dict[str, list[dict[str, Any]]] = {row.id: [] for row in items}
        for review in reviews:
            by_item[review.item_id].append(
                {
                    "reviewer": review.reviewer,
                    "score": review.score,
                    "correct": review.correct,
                    "corrected_answer": review.corrected_answer,
                    "comment": review.comment,
                    "skipped": review.skipped,
                    "created_at": review.created_at.isoformat(),
                }
            )
        return [
            {
                "store": "calibration",
                "item_id": row.id,
                "batch_id": row.batch_id,
                "recommendation_id": row.recommendation_id,
                "agent": row.agent,
                "account_id": row.account_id,
                "contact_id": row.contact_id,
                "recommendation": row.snapshot,
                "reviews": by_item[row.id],
            }
            for row in items
        ]

    def erase(self, *, contact_id: str) -> int:
        """Delete the items concerning the contact and their reviews; the rows deleted."""
        with self._sessions() as session:
            ids = [row.id for row in self._items(session, contact_id)]
            if not ids:
                return 0
            reviews = _deleted(
                session, delete(CalibrationReviewRow).where(CalibrationReviewRow.item_id.in_(ids))
            )
            items = _deleted(
                session, delete(CalibrationItemRow).where(CalibrationItemRow.id.in_(ids))
            )
            session.commit()
        return int(reviews or 0) + int(items or 0)


def _deleted(session: Session, statement: Delete) -> int | None:
    """The rows a DELETE removed, as the driver reports them (None when it does not)."""
    # A DELETE's result is a CursorResult; Session.execute is typed as the plain Result.
    return typing.cast(CursorResult[Any], session.execute(statement)).rowcount
