"""The calibration store: batches, their items and reviews, in the CRM database.

Every method takes keyword-only arguments and opens its own short transaction; a method that
writes several rows (a batch with its items, a scores import) writes all of them or none.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.recommendation import Recommendation, utcnow
from crm.db import session_factory
from eval.calibration.errors import (
    BatchClosed,
    BatchNotFound,
    InvalidSampleSpec,
    ItemNotFound,
    ReviewExists,
)
from eval.calibration.models import CalibrationBatchRow, CalibrationItemRow, CalibrationReviewRow
from eval.calibration.sampling import (
    DEFAULT_MIN_PER_STRATUM,
    DEFAULT_RATE,
    DEFAULT_SEED,
    Sample,
    draw_sample,
)
from eval.calibration.schemas import (
    Batch,
    ImportReport,
    Item,
    ItemWithReviews,
    Review,
    ReviewerProgress,
    ReviewInput,
    SkipInput,
)
from eval.calibration.scores_csv import parse_scores


def _item(row: CalibrationItemRow) -> Item:
    return Item(
        id=row.id,
        batch_id=row.batch_id,
        position=row.position,
        recommendation_id=row.recommendation_id,
        agent=row.agent,
        confidence=row.confidence,
        confidence_band=row.confidence_band,
        stratum=row.stratum,
        account_id=row.account_id,
        contact_id=row.contact_id,
        recommendation=Recommendation.model_validate(row.snapshot),
    )


def _review_row(item_id: str, *, source: str, **values: Any) -> CalibrationReviewRow:
    return CalibrationReviewRow(
        id=str(uuid.uuid4()), item_id=item_id, source=source, created_at=utcnow(), **values
    )


class CalibrationStore:
    """Batches of sampled recommendations, the review queue, reviews and scores imports."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)

    # -- batches ---------------------------------------------------------------------------

    def draw_batch(
        self,
        *,
        period_start: datetime,
        period_end: datetime,
        rate: float = DEFAULT_RATE,
        seed: int = DEFAULT_SEED,
        min_per_stratum: int = DEFAULT_MIN_PER_STRATUM,
    ) -> Batch:
        """Sample the recommendation log over the period and store the sample as a new batch."""
        sample = draw_sample(
            self.engine,
            period_start=period_start,
            period_end=period_end,
            rate=rate,
            seed=seed,
            min_per_stratum=min_per_stratum,
        )
        return self.create_batch(sample=sample)

    def create_batch(self, *, sample: Sample, now: datetime | None = None) -> Batch:
        """Store ``sample`` as a new open batch, items and all, in one transaction."""
        if not sample.items:
            raise InvalidSampleSpec("a batch needs at least one item")
        batch_id = str(uuid.uuid4())
        with self._sessions() as session:
            session.add(
                CalibrationBatchRow(
                    id=batch_id,
                    period_start=sample.period_start,
                    period_end=sample.period_end,
                    seed=sample.seed,
                    rate=sample.rate,
                    min_per_stratum=sample.min_per_stratum,
                    population=sample.population,
                    created_at=now or utcnow(),
                    status="open",
                )
            )
            session.flush()
            session.add_all(
                CalibrationItemRow(
                    id=str(uuid.uuid4()),
                    batch_id=batch_id,
                    recommendation_id=item.candidate.recommendation_id,
                    agent=item.candidate.agent,
                    confidence=item.candidate.confidence,
                    confidence_band=item.candidate.band,
                    stratum=item.candidate.stratum,
                    position=item.position,
                    account_id=item.account_id,
                    contact_id=item.contact_id,
                    snapshot=item.snapshot,
                )
                for item in sample.items
            )
            session.commit()
            return self._batch(session, session.get_one(CalibrationBatchRow, batch_id))

    def list_batches(self, *, limit: int = 50, offset: int = 0) -> list[Batch]:
        """Newest first."""
        if not 1 <= limit <= 1000 or offset < 0:
            raise InvalidSampleSpec("limit must be 1..1000 and offset >= 0")
        with self._sessions() as session:
            rows = session.scalars(
                select(CalibrationBatchRow)
                .order_by(CalibrationBatchRow.created_at.desc(), CalibrationBatchRow.id)
                .limit(limit)
                .offset(offset)
            ).all()
            return [self._batch(session, row) for row in rows]

    def get_batch(self, *, batch_id: str) -> Batch:
        with self._sessions() as session:
            return self._batch(session, self._require_batch(session, batch_id))

    def close_batch(self, *, batch_id: str) -> Batch:
        """Close the batch: its scores are final, it leaves the review queue (idempotent)."""
        with self._sessions() as session:
            row = self._require_batch(session, batch_id)
            row.status = "closed"
            session.commit()
            return self._batch(session, row)

    @staticmethod
    def _require_open(session: Session, batch_id: str) -> None:
        row = session.get(CalibrationBatchRow, batch_id)
        if row is not None and row.status == "closed":
            raise BatchClosed(batch_id)

    def _require_batch(self, session: Session, batch_id: str) -> CalibrationBatchRow:
        row = session.get(CalibrationBatchRow, batch_id)
        if row is None:
            raise BatchNotFound(batch_id)
        return row

    def _batch(self, session: Session, row: CalibrationBatchRow) -> Batch:
        strata = Counter(
            dict(
                session.execute(
                    select(CalibrationItemRow.stratum, func.count())
                    .where(CalibrationItemRow.batch_id == row.id)
                    .group_by(CalibrationItemRow.stratum)
                )
                .tuples()
                .all()
            )
        )
        scored = session.execute(
            select(
                func.count(func.distinct(CalibrationReviewRow.item_id)),
                func.count(CalibrationReviewRow.id),
            )
            .join(CalibrationItemRow, CalibrationItemRow.id == CalibrationReviewRow.item_id)
            .where(CalibrationItemRow.batch_id == row.id, CalibrationReviewRow.skipped.is_(False))
        ).one()
        return Batch(
            id=row.id,
            period_start=row.period_start,
            period_end=row.period_end,
            seed=row.seed,
            rate=row.rate,
            min_per_stratum=row.min_per_stratum,
            population=row.population,
            created_at=row.created_at,
            status=row.status,  # type: ignore[arg-type]
            items=sum(strata.values()),
            reviewed_items=scored[0],
            reviews=scored[1],
            strata=dict(sorted(strata.items())),
        )

    # -- items and the review queue --------------------------------------------------------

    def next_items(self, *, batch_id: str, reviewer: str, limit: int = 10) -> list[Item]:
        """Items in queue order that ``reviewer`` has neither scored nor skipped; none once closed."""
        if not 1 <= limit <= 500:
            raise InvalidSampleSpec("limit must be 1..500")
        mine = select(CalibrationReviewRow.id).where(
            and_(
                CalibrationReviewRow.item_id == CalibrationItemRow.id,
                CalibrationReviewRow.reviewer == reviewer.strip(),
            )
        )
        with self._sessions() as session:
            if self._require_batch(session, batch_id).status == "closed":
                return []
            rows = session.scalars(
                select(CalibrationItemRow)
                .where(CalibrationItemRow.batch_id == batch_id, ~mine.exists())
                .order_by(CalibrationItemRow.position)
                .limit(limit)
            ).all()
            return [_item(row) for row in rows]

    def reviewer_progress(self, *, batch_id: str, reviewer: str) -> ReviewerProgress:
        """How many of the batch's items ``reviewer`` scored and skipped, and how many are left.

        Counts their own reviews only: another reviewer's score does not move their progress.
        """
        who = reviewer.strip()
        with self._sessions() as session:
            batch = self._require_batch(session, batch_id)
            items = session.scalar(
                select(func.count()).where(CalibrationItemRow.batch_id == batch_id)
            )
            mine = dict(
                session.execute(
                    select(CalibrationReviewRow.skipped, func.count())
                    .join(CalibrationItemRow, CalibrationItemRow.id == CalibrationReviewRow.item_id)
                    .where(
                        CalibrationItemRow.batch_id == batch_id,
                        CalibrationReviewRow.reviewer == who,
                    )
                    .group_by(CalibrationReviewRow.skipped)
                )
                .tuples()
                .all()
            )
        total, scored, skipped = int(items or 0), mine.get(False, 0), mine.get(True, 0)
        left = 0 if batch.status == "closed" else total - scored - skipped
        return ReviewerProgress(batch_id=batch_id, reviewer=who, items=total, scored=scored,
                                skipped=skipped, remaining=left)  # fmt: skip

    def get_item(self, *, item_id: str, batch_id: str | None = None) -> ItemWithReviews:
        """The item with its reviews; ``batch_id``, when given, must be the item's batch."""
        with self._sessions() as session:
            row = session.get(CalibrationItemRow, item_id)
            if row is None or (batch_id is not None and row.batch_id != batch_id):
                raise ItemNotFound(item_id)
            return self._with_reviews(session, [row])[0]

    def items_with_reviews(self, *, batch_id: str) -> list[ItemWithReviews]:
        """Every item of the batch in queue order, each with its reviews and skips."""
        with self._sessions() as session:
            self._require_batch(session, batch_id)
            rows = session.scalars(
                select(CalibrationItemRow)
                .where(CalibrationItemRow.batch_id == batch_id)
                .order_by(CalibrationItemRow.position)
            ).all()
            return self._with_reviews(session, list(rows))

    def _with_reviews(
        self, session: Session, rows: list[CalibrationItemRow]
    ) -> list[ItemWithReviews]:
        by_item: dict[str, list[Review]] = defaultdict(list)
        ids = [row.id for row in rows]
        if ids:
            reviews = session.scalars(
                select(CalibrationReviewRow)
                .join(CalibrationItemRow, CalibrationItemRow.id == CalibrationReviewRow.item_id)
                .where(CalibrationItemRow.batch_id == rows[0].batch_id)
                .order_by(CalibrationReviewRow.created_at, CalibrationReviewRow.id)
            ).all()
            wanted = set(ids)
            for review in reviews:
                if review.item_id in wanted:
                    by_item[review.item_id].append(Review.model_validate(review))
        return [ItemWithReviews(**_item(row).model_dump(), reviews=by_item[row.id]) for row in rows]

    # -- reviews ---------------------------------------------------------------------------

    def add_review(
        self, *, item_id: str, review: ReviewInput, source: str = "api", batch_id: str | None = None
    ) -> Review:
        """Store a reviewer's score; it replaces their own skip of the item, not their score.

        ``batch_id``, when given, must be the item's batch (else :class:`ItemNotFound`).
        """
        values = review.model_dump()
        return self._write_review(item_id, batch_id, source=source, skipped=False, **values)

    def skip(
        self, *, item_id: str, skip: SkipInput, source: str = "api", batch_id: str | None = None
    ) -> Review:
        """Record that the reviewer passed on the item; refused when they already scored it."""
        values = skip.model_dump()
        return self._write_review(item_id, batch_id, source=source, skipped=True, **values)

    def _write_review(
        self, item_id: str, batch_id: str | None, *, source: str, **values: Any
    ) -> Review:
        reviewer = values["reviewer"]
        if not reviewer:  # the API fills in the signed-in user; other callers name one
            raise ValueError("a review must name its reviewer")
        with self._sessions() as session:
            item = session.get(CalibrationItemRow, item_id)
            if item is None or (batch_id is not None and item.batch_id != batch_id):
                raise ItemNotFound(item_id)
            self._require_open(session, item.batch_id)
            self._replace_skip(session, item_id, reviewer)
            row = _review_row(item_id, source=source, **values)
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                # A concurrent request by the same reviewer, or the item deleted meanwhile.
                session.rollback()
                if session.get(CalibrationItemRow, item_id) is None:
                    raise ItemNotFound(item_id) from None
                raise ReviewExists(item_id, reviewer) from None
            return Review.model_validate(row)

    @staticmethod
    def _replace_skip(session: Session, item_id: str, reviewer: str) -> None:
        existing = session.scalar(
            select(CalibrationReviewRow).where(
                CalibrationReviewRow.item_id == item_id, CalibrationReviewRow.reviewer == reviewer
            )
        )
        if existing is None:
            return
        if not existing.skipped:
            raise ReviewExists(item_id, reviewer)
        session.delete(existing)
        session.flush()

    def import_scores(
        self, *, batch_id: str, text: str, file_name: str = "scores.csv"
    ) -> ImportReport:
        """Validate every row of a scores CSV, then write all of them in one transaction.

        Raises :class:`ScoresRejected` listing each bad row (line and reason) and writes
        nothing when any row is bad. See docs/calibration.md for the columns.
        """
        with self._sessions() as session:
            self._require_batch(session, batch_id)
            self._require_open(session, batch_id)
            items = session.execute(
                select(
                    CalibrationItemRow.id,
                    CalibrationItemRow.recommendation_id,
                    CalibrationItemRow.position,
                ).where(CalibrationItemRow.batch_id == batch_id)
            ).all()
            existing = {
                (row.item_id, row.reviewer): row.skipped
                for row in session.execute(
                    select(
                        CalibrationReviewRow.item_id,
                        CalibrationReviewRow.reviewer,
                        CalibrationReviewRow.skipped,
                    )
                    .join(CalibrationItemRow, CalibrationItemRow.id == CalibrationReviewRow.item_id)
                    .where(CalibrationItemRow.batch_id == batch_id)
                ).all()
            }
            parsed = parse_scores(text, items=items, existing=existing, file_name=file_name)
            for row in parsed:
                if (row.item_id, row.reviewer) in existing:  # only skips get here (parse_scores)
                    self._replace_skip(session, row.item_id, row.reviewer)
                session.add(_review_row(row.item_id, source="csv", **row.values()))
            session.commit()
        skips = sum(1 for row in parsed if row.skipped)
        return ImportReport(batch_id=batch_id, reviews=len(parsed) - skips, skips=skips)
