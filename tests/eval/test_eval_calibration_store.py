"""The calibration store: schema, review rules, the queue, CSV imports, subject data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError

from crm.db import Base, session_factory
from eval.calibration.errors import (
    BatchClosed,
    BatchNotFound,
    ItemNotFound,
    ReviewExists,
    ScoresRejected,
)
from eval.calibration.models import CalibrationItemRow, CalibrationReviewRow
from eval.calibration.sampling import month_period
from eval.calibration.schemas import Batch, ReviewInput, SkipInput
from eval.calibration.store import CalibrationStore
from eval.calibration.subject_data import CalibrationSubjectData

OCTOBER = month_period("2026-10")
TABLES = {"calibration_batches", "calibration_items", "calibration_reviews"}


@pytest.fixture
def store(logged: Engine) -> CalibrationStore:
    return CalibrationStore(logged)


@pytest.fixture
def batch(store: CalibrationStore) -> Batch:
    return store.draw_batch(period_start=OCTOBER[0], period_end=OCTOBER[1], seed=1)


def _review(reviewer: str, score: int = 4, correct: bool = True, **extra: object) -> ReviewInput:
    return ReviewInput(reviewer=reviewer, score=score, correct=correct, **extra)


def _calibration_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    table = getattr(obj, "table", None)
    return (table.name if table is not None else name) in TABLES


def test_the_migration_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _calibration_object}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_the_database_refuses_scores_out_of_range_and_unscored_reviews(
    store: CalibrationStore, batch: Batch
) -> None:
    item = store.next_items(batch_id=batch.id, reviewer="ann", limit=1)[0]
    sessions = session_factory(store.engine)
    for values in ({"score": 6, "correct": True}, {"score": None, "correct": None}):
        with sessions() as session, pytest.raises(IntegrityError):
            session.add(
                CalibrationReviewRow(
                    id=f"r-{values['score']}",
                    item_id=item.id,
                    reviewer="x",
                    skipped=False,
                    source="api",
                    created_at=batch.created_at,
                    **values,
                )
            )
            session.commit()


def test_a_batch_reports_its_strata_and_review_progress(
    store: CalibrationStore, batch: Batch
) -> None:
    assert batch.status == "open" and batch.items == sum(batch.strata.values()) > 0
    assert (batch.reviewed_items, batch.reviews) == (0, 0)
    first, second = store.next_items(batch_id=batch.id, reviewer="ann", limit=2)
    store.add_review(item_id=first.id, review=_review("ann"))
    store.add_review(item_id=first.id, review=_review("bob", score=2, correct=False))
    store.skip(item_id=second.id, skip=SkipInput(reviewer="ann"))
    again = store.get_batch(batch_id=batch.id)
    assert (again.reviewed_items, again.reviews) == (1, 2)
    assert [b.id for b in store.list_batches()] == [batch.id]
    with pytest.raises(BatchNotFound):
        store.get_batch(batch_id="nope")


def test_a_reviewers_progress_counts_their_own_reviews(
    store: CalibrationStore, batch: Batch
) -> None:
    first, second, third = store.next_items(batch_id=batch.id, reviewer="ann", limit=3)
    store.add_review(item_id=first.id, review=_review("ann"))
    store.skip(item_id=second.id, skip=SkipInput(reviewer="ann"))
    store.add_review(item_id=third.id, review=_review("bob"))
    store.skip(item_id=first.id, skip=SkipInput(reviewer="bob"))
    ann = store.reviewer_progress(batch_id=batch.id, reviewer=" ann ")
    assert (ann.reviewer, ann.items, ann.scored, ann.skipped) == ("ann", batch.items, 1, 1)
    assert (
        ann.remaining
        == batch.items - 2
        == len(store.next_items(batch_id=batch.id, reviewer="ann", limit=500))
    )
    bob = store.reviewer_progress(batch_id=batch.id, reviewer="bob")
    assert (bob.scored, bob.skipped, bob.remaining) == (1, 1, batch.items - 2)
    # A score replaces the skip: one more scored, one fewer skipped.
    store.add_review(item_id=second.id, review=_review("ann", score=2, correct=False))
    ann = store.reviewer_progress(batch_id=batch.id, reviewer="ann")
    assert (ann.scored, ann.skipped, ann.remaining) == (2, 0, batch.items - 2)
    store.close_batch(batch_id=batch.id)
    assert store.reviewer_progress(batch_id=batch.id, reviewer="cy").remaining == 0
    with pytest.raises(BatchNotFound):
        store.reviewer_progress(batch_id="nope", reviewer="ann")


def test_the_queue_leaves_out_what_the_reviewer_scored_or_skipped(
    store: CalibrationStore, batch: Batch
) -> None:
    queue = store.next_items(batch_id=batch.id, reviewer="ann", limit=5)
    assert [i.position for i in queue] == [0, 1, 2, 3, 4]
    store.add_review(item_id=queue[0].id, review=_review("ann"))
    store.skip(item_id=queue[1].id, skip=SkipInput(reviewer="ann", comment="do not know them"))
    assert [i.position for i in store.next_items(batch_id=batch.id, reviewer="ann", limit=2)] == [
        2,
        3,
    ]
    # Another reviewer still sees everything: several reviewers per item.
    assert store.next_items(batch_id=batch.id, reviewer="bob", limit=1)[0].position == 0
    everything = store.next_items(batch_id=batch.id, reviewer="ann", limit=500)
    assert len(everything) == batch.items - 2


def test_a_reviewer_scores_an_item_once_and_a_score_replaces_their_skip(
    store: CalibrationStore, batch: Batch
) -> None:
    item = store.next_items(batch_id=batch.id, reviewer="ann", limit=1)[0]
    store.skip(item_id=item.id, skip=SkipInput(reviewer="ann"))
    review = store.add_review(item_id=item.id, review=_review(" ann ", corrected_answer="Better."))
    assert review.reviewer == "ann" and not review.skipped and review.corrected_answer == "Better."
    with pytest.raises(ReviewExists):
        store.add_review(item_id=item.id, review=_review("ann", score=1))
    with pytest.raises(ReviewExists):
        store.skip(item_id=item.id, skip=SkipInput(reviewer="ann"))
    [stored] = store.get_item(item_id=item.id).reviews
    assert stored.score == 4 and stored.source == "api"


def test_a_closed_batch_takes_no_more_reviews(store: CalibrationStore, batch: Batch) -> None:
    first, second = store.next_items(batch_id=batch.id, reviewer="ann", limit=2)
    store.add_review(item_id=first.id, review=_review("ann"))
    closed = store.close_batch(batch_id=batch.id)
    assert closed.status == "closed" and closed.reviews == 1
    assert store.close_batch(batch_id=batch.id).status == "closed"
    assert store.next_items(batch_id=batch.id, reviewer="bob") == []
    with pytest.raises(BatchClosed):
        store.add_review(item_id=second.id, review=_review("ann"))
    with pytest.raises(BatchClosed):
        store.skip(item_id=second.id, skip=SkipInput(reviewer="ann"))
    with pytest.raises(BatchClosed):
        store.import_scores(
            batch_id=batch.id, text="position,reviewer,score,correct\n1,bob,3,true\n"
        )
    assert store.get_batch(batch_id=batch.id).reviews == 1
    with pytest.raises(BatchNotFound):
        store.close_batch(batch_id="nope")


def test_unknown_items_and_items_of_another_batch_are_not_found(
    store: CalibrationStore, batch: Batch
) -> None:
    other = store.draw_batch(period_start=OCTOBER[0], period_end=OCTOBER[1], seed=2)
    foreign = store.next_items(batch_id=other.id, reviewer="ann", limit=1)[0]
    with pytest.raises(ItemNotFound):
        store.add_review(item_id="nope", review=_review("ann"))
    with pytest.raises(ItemNotFound):
        store.add_review(item_id=foreign.id, review=_review("ann"), batch_id=batch.id)
    with pytest.raises(ItemNotFound):
        store.get_item(item_id=foreign.id, batch_id=batch.id)
    with pytest.raises(BatchNotFound):
        store.next_items(batch_id="nope", reviewer="ann")


def test_items_carry_the_snapshot_taken_when_sampled(store: CalibrationStore, batch: Batch) -> None:
    items = store.items_with_reviews(batch_id=batch.id)
    assert [i.position for i in items] == list(range(batch.items))
    for item in items:
        assert item.recommendation.id == item.recommendation_id
        assert item.recommendation.confidence == item.confidence
        assert item.stratum == f"{item.agent}/band-{item.confidence_band}"


def _csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def _review_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(CalibrationReviewRow)).scalar_one()
        )


def test_a_good_csv_imports_every_row_in_one_go(store: CalibrationStore, batch: Batch) -> None:
    items = store.items_with_reviews(batch_id=batch.id)
    qa = next(i for i in items if i.agent == "technical_qa")
    chunk = qa.recommendation.provenance[0].record_id
    text = "\ufeff" + _csv(
        "item_id,recommendation_id,position,reviewer,score,correct,corrected_answer,comment,relevant_sources,skipped",
        f'{items[0].id},,,ann,5,yes,,"multi-line\ncomment, with comma",,',
        f",{items[1].recommendation_id},,ann,2,false,Use the other pump.,,,",
        f",,{qa.position},bob,4,1,,,{chunk}; other,",
        ",,3,bob,,,,busy,,true",
    )
    report = store.import_scores(batch_id=batch.id, text=text)
    assert (report.reviews, report.skips) == (3, 1)
    first = store.get_item(item_id=items[0].id).reviews[0]
    assert first.comment == "multi-line\ncomment, with comma" and first.source == "csv"
    assert store.get_item(item_id=qa.id).reviews[-1].relevant_sources == [chunk, "other"]
    # A score imported later replaces bob's skip of item 3.
    store.import_scores(
        batch_id=batch.id, text=_csv("position,reviewer,score,correct", "3,bob,3,no")
    )
    assert [r.skipped for r in store.items_with_reviews(batch_id=batch.id)[3].reviews] == [False]


def test_a_csv_with_bad_rows_names_each_line_and_writes_nothing(
    store: CalibrationStore, batch: Batch
) -> None:
    first = store.next_items(batch_id=batch.id, reviewer="ann", limit=1)[0]
    store.add_review(item_id=first.id, review=_review("carol"))
    before = _review_count(store.engine)
    text = _csv(
        "position,reviewer,score,correct,comment",
        "1,ann,4,true,fine",  # good, but must not be written
        '2,ann,9,maybe,"quoted',
        'still the same row"',
        "99999,ann,3,true,",
        "3,,3,true,",
        "1,ann,2,false,twice",
        "0,carol,2,false,already scored in the store",
        "4,ann,3",
    )
    with pytest.raises(ScoresRejected) as caught:
        store.import_scores(batch_id=batch.id, text=text, file_name="october.csv")
    found = {(e.line, e.field) for e in caught.value.errors}
    assert found == {
        (3, "correct"),
        (3, "score"),
        (5, "position"),
        (6, "reviewer"),
        (7, "reviewer"),
        (8, "reviewer"),
        (9, None),
    }
    assert "october.csv:5: position: '99999' names no item of this batch" in str(caught.value)
    assert _review_count(store.engine) == before


UNUSABLE_FILES = [
    ("", "empty"),
    ("reviewer,score,correct\n", "no item column"),
    ("position,score,correct\n", "no reviewer column"),
    ("position,reviewer,score,correct,mood\n", r"unknown column\(s\) mood"),
    ("position,reviewer,score,correct\n", "no score rows"),
    ("position,position,reviewer,score,correct\n0,1,ann,3,true\n", "named twice: position"),
]


def test_a_csv_without_usable_header_or_rows_is_refused(
    store: CalibrationStore, batch: Batch
) -> None:
    for content, reason in UNUSABLE_FILES:
        with pytest.raises(ScoresRejected, match=reason) as caught:
            store.import_scores(batch_id=batch.id, text=content)
        assert caught.value.errors[0].line == 1


def test_blank_lines_are_skipped_and_nul_characters_refused(
    store: CalibrationStore, batch: Batch
) -> None:
    text = "\n\nposition,reviewer,score,correct\n\n0,ann,3,true\n"
    assert store.import_scores(batch_id=batch.id, text=text).reviews == 1
    with pytest.raises(ScoresRejected, match="NUL") as caught:
        store.import_scores(
            batch_id=batch.id, text="position,reviewer,score,correct\n1,b\x00b,3,true\n"
        )
    assert caught.value.errors[0].line == 2
    with pytest.raises(ValueError, match="NUL"):
        _review("a\x00")


def test_importing_into_an_unknown_batch_is_not_found(store: CalibrationStore) -> None:
    with pytest.raises(BatchNotFound):
        store.import_scores(
            batch_id="nope", text=_csv("position,reviewer,score,correct", "0,a,3,true")
        )


def test_a_contacts_items_and_reviews_are_exported_and_erased(
    engine: Engine, fill: Callable[..., list[str]]
) -> None:
    fill(engine, months=1, contact="CON-7777")
    store = CalibrationStore(engine)
    batch = store.draw_batch(period_start=OCTOBER[0], period_end=OCTOBER[1], seed=1)
    items = store.items_with_reviews(batch_id=batch.id)
    mine = [i for i in items if i.contact_id == "CON-7777"]
    qa = next(i for i in items if i.agent == "technical_qa")
    # The Q&A item names the contact only inside its snapshot (e.g. a provenance fact).
    with session_factory(engine)() as session:
        row = session.get_one(CalibrationItemRow, qa.id)
        row.snapshot = {**row.snapshot, "data": {"asked_by": "CON-7777", "other": "CON-77770"}}
        session.commit()
    for item in [*mine[:3], qa]:
        store.add_review(item_id=item.id, review=_review("ann"))
    subject = CalibrationSubjectData(engine)
    exported = subject.export(contact_id="CON-7777")
    assert {e["item_id"] for e in exported} == {i.id for i in mine} | {qa.id}
    assert all(e["store"] == "calibration" for e in exported)
    assert sum(len(e["reviews"]) for e in exported) == 4
    assert subject.export(contact_id="CON-777") == []  # a prefix of an id is not that id
    assert subject.erase(contact_id="CON-7777") == len(mine) + 1 + 4
    assert subject.export(contact_id="CON-7777") == []
    assert subject.erase(contact_id="CON-7777") == 0
    left = store.items_with_reviews(batch_id=batch.id)
    assert len(left) == len(items) - len(mine) - 1
    with engine.connect() as connection:
        orphans = connection.execute(
            text(
                "SELECT count(*) FROM calibration_reviews WHERE item_id NOT IN (SELECT id FROM calibration_items)"
            )
        ).scalar_one()
    assert orphans == 0
