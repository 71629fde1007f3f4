"""The calibration dataset export: JSONL and Parquet with the documented schema, consent honoured."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine

from eval.calibration.export import EXPORT_SCHEMA, MODEL_TRAINING, mentioned_contacts, write_export
from eval.calibration.panel import review_batch
from eval.calibration.store import CalibrationStore
from governance.consent import AI_PROCESSING, ConsentLedger
from tests.support.panel_world import NOVEMBER, OCTOBER, fill_month, truth_for

KEY = bytes(range(32))


def _consent(engine: Engine, grants: dict[str, list[str]]) -> ConsentLedger:
    ledger = ConsentLedger(engine, key=KEY)
    ledger.record_many(
        {"action": "grant", "contact_id": contact, "purpose": purpose, "notice_version": "t-1",
         "source": "test"}
        for contact, purposes in grants.items()
        for purpose in purposes
    )  # fmt: skip
    return ledger


@pytest.fixture
def batch(engine: Engine) -> tuple[CalibrationStore, str]:
    truth = truth_for(10)
    fill_month(engine, truth, per_account=1)
    store = CalibrationStore(engine)
    batch = store.draw_batch(period_start=OCTOBER, period_end=NOVEMBER, rate=1.0, seed=4)
    review_batch(store, batch_id=batch.id, truth=truth, seed=4, second_opinion_share=0.5)
    return store, batch.id


def test_every_consented_item_is_exported_with_the_schema(
    engine: Engine, batch: tuple[CalibrationStore, str], tmp_path: Path
) -> None:
    store, batch_id = batch
    items = store.items_with_reviews(batch_id=batch_id)
    everyone = set().union(*(mentioned_contacts(i) for i in items))
    ledger = _consent(engine, {c: [AI_PROCESSING, MODEL_TRAINING] for c in everyone})
    result = write_export(batch_id, items, consent=ledger, out_dir=tmp_path)

    assert result.rows == len(items) == 30 and result.excluded_items == 0
    table = pq.read_table(result.parquet)
    assert table.schema.equals(EXPORT_SCHEMA, check_metadata=False)
    assert table.schema.metadata[b"schema_version"] == b"1"
    lines = [json.loads(line) for line in result.jsonl.read_text(encoding="utf-8").splitlines()]
    assert [line["item_id"] for line in lines] == table.column("item_id").to_pylist()
    assert set(lines[0]) == set(EXPORT_SCHEMA.names)

    by_item = {line["item_id"]: line for line in lines}
    for item in items:
        row = by_item[item.id]
        assert row["recommendation_id"] == item.recommendation_id
        assert row["confidence"] == item.confidence
        assert row["content"] == item.recommendation.content
        assert [f["record_id"] for f in row["provenance"]] == [
            f.record_id for f in item.recommendation.provenance
        ]
        assert json.loads(row["data_json"]) == item.recommendation.data
        assert [r["reviewer"] for r in row["reviews"]] == [r.reviewer for r in item.reviews]
        wrong = [r for r in item.scored() if not r.correct]
        assert [r["corrected_answer"] for r in row["reviews"] if r["correct"] is False] == [
            r.corrected_answer for r in wrong
        ]


def test_items_naming_a_contact_without_training_consent_are_left_out(
    engine: Engine, batch: tuple[CalibrationStore, str], tmp_path: Path
) -> None:
    store, batch_id = batch
    items = store.items_with_reviews(batch_id=batch_id)
    mentioning = [i for i in items if mentioned_contacts(i)]
    refusing = sorted(mentioned_contacts(mentioning[0]))
    everyone = set().union(*(mentioned_contacts(i) for i in items))
    # The refusing contact allows AI processing, but not model training.
    grants = {
        c: [AI_PROCESSING] if c in refusing else [AI_PROCESSING, MODEL_TRAINING] for c in everyone
    }
    result = write_export(batch_id, items, consent=_consent(engine, grants), out_dir=tmp_path)

    excluded = [i for i in items if mentioned_contacts(i) & set(refusing)]
    assert excluded and result.excluded_items == len(excluded)
    assert result.rows == len(items) - len(excluded)
    exported = result.jsonl.read_text(encoding="utf-8")
    parquet_ids = set(pq.read_table(result.parquet).column("item_id").to_pylist())
    for contact in refusing:
        assert contact not in exported
    assert parquet_ids == {i.id for i in items} - {i.id for i in excluded}


def test_no_consent_at_all_exports_only_items_naming_nobody(
    engine: Engine, batch: tuple[CalibrationStore, str], tmp_path: Path
) -> None:
    store, batch_id = batch
    items = store.items_with_reviews(batch_id=batch_id)
    result = write_export(batch_id, items, consent=ConsentLedger(engine, key=KEY), out_dir=tmp_path)
    assert result.rows == sum(1 for i in items if not mentioned_contacts(i))
    assert pq.read_table(result.parquet).num_rows == result.rows
