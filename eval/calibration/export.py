"""Export of a batch's calibration dataset as JSONL and Parquet, for retraining elsewhere.

One row per sampled item: the recommendation as reviewers saw it (content, raw and calibrated
confidence, model and prompt versions, the input snapshot's hash, every provenance fact with
its value), and every human review (score, correct, corrected answer, comment, skip). The
columns are :data:`EXPORT_SCHEMA` (documented in docs/calibration.md); JSONL rows carry the
same fields, timestamps as ISO 8601 strings.

Consent: an item is exported only when every contact it mentions (its subject, provenance
facts and structured data, found by contact id) has consented to ``model_training``; the
others are left out and counted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from eval.calibration.schemas import ItemWithReviews

MODEL_TRAINING = "model_training"
SCHEMA_VERSION = "1"
JSONL_NAME = "calibration.jsonl"
PARQUET_NAME = "calibration.parquet"
_CONTACT_ID = re.compile(r"\bCON-\d+\b")
_TS = pa.timestamp("us", tz="UTC")

FACT_TYPE = pa.struct(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("record_id", pa.string(), nullable=False),
        pa.field("field", pa.string(), nullable=False),
        pa.field("value_json", pa.string()),  # the fact's value as JSON text (any type)
        pa.field("as_of", _TS),
    ]
)
REVIEW_TYPE = pa.struct(
    [
        pa.field("reviewer", pa.string(), nullable=False),
        pa.field("score", pa.int8()),
        pa.field("correct", pa.bool_()),
        pa.field("corrected_answer", pa.string()),
        pa.field("comment", pa.string()),
        pa.field("skipped", pa.bool_(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("created_at", _TS, nullable=False),
    ]
)
EXPORT_SCHEMA = pa.schema(
    [
        pa.field("schema_version", pa.string(), nullable=False),
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("item_id", pa.string(), nullable=False),
        pa.field("recommendation_id", pa.string(), nullable=False),
        pa.field("agent", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("stratum", pa.string(), nullable=False),
        pa.field("account_id", pa.string()),
        pa.field("contact_id", pa.string()),
        pa.field("deal_id", pa.string()),
        pa.field("product_id", pa.string()),
        pa.field("created_at", _TS, nullable=False),
        pa.field("content", pa.string(), nullable=False),
        pa.field("confidence", pa.float64(), nullable=False),
        pa.field("calibrated_confidence", pa.float64()),
        pa.field("calibration_map_id", pa.string()),
        pa.field("model_name", pa.string()),
        pa.field("model_version", pa.string()),
        pa.field("prompt_id", pa.string()),
        pa.field("prompt_sha256", pa.string()),
        pa.field("input_sha256", pa.string()),
        pa.field("provenance", pa.list_(FACT_TYPE), nullable=False),
        pa.field("data_json", pa.string(), nullable=False),
        pa.field("reviews", pa.list_(REVIEW_TYPE), nullable=False),
        pa.field("mean_score", pa.float64()),
        pa.field("correct_share", pa.float64()),
    ],
    metadata={"schema_version": SCHEMA_VERSION, "description": "crm-agents calibration dataset"},
)


class ConsentLookup(Protocol):
    """``governance.consent.ConsentLedger`` as the export uses it."""

    def contacts_without(self, purpose: str, contact_ids: Iterable[str]) -> set[str]: ...


def mentioned_contacts(item: ItemWithReviews) -> set[str]:
    """Every contact id the item names: subject, provenance and structured data."""
    found = set(_CONTACT_ID.findall(item.recommendation.model_dump_json()))
    if item.contact_id:
        found.add(item.contact_id)
    return found


def export_row(batch_id: str, item: ItemWithReviews) -> dict[str, Any]:
    """One item as a row of :data:`EXPORT_SCHEMA` (datetimes as ``datetime`` objects)."""
    rec = item.recommendation
    scored = item.scored()
    return {
        "schema_version": SCHEMA_VERSION,
        "batch_id": batch_id,
        "item_id": item.id,
        "recommendation_id": rec.id,
        "agent": item.agent,
        "kind": rec.kind,
        "stratum": item.stratum,
        "account_id": rec.subject.get("account_id") or item.account_id,
        "contact_id": rec.subject.get("contact_id") or item.contact_id,
        "deal_id": rec.subject.get("deal_id"),
        "product_id": rec.subject.get("product_id"),
        "created_at": rec.created_at,
        "content": rec.content,
        "confidence": item.confidence,
        "calibrated_confidence": rec.calibrated_confidence,
        "calibration_map_id": rec.calibration_map_id,
        "model_name": rec.model.name if rec.model else None,
        "model_version": rec.model.version if rec.model else None,
        "prompt_id": rec.prompt.id if rec.prompt else None,
        "prompt_sha256": rec.prompt.sha256 if rec.prompt else None,
        "input_sha256": rec.input_sha256,
        "provenance": [
            {
                "source": fact.source,
                "record_id": fact.record_id,
                "field": fact.field,
                "value_json": json.dumps(fact.value, default=str, ensure_ascii=False),
                "as_of": fact.as_of,
            }
            for fact in rec.provenance
        ],
        "data_json": json.dumps(rec.data, default=str, ensure_ascii=False),
        "reviews": [
            {
                "reviewer": review.reviewer,
                "score": review.score,
                "correct": review.correct,
                "corrected_answer": review.corrected_answer,
                "comment": review.comment,
                "skipped": review.skipped,
                "source": review.source,
                "created_at": review.created_at,
            }
            for review in item.reviews
        ],
        "mean_score": sum(r.score or 0 for r in scored) / len(scored) if scored else None,
        "correct_share": sum(bool(r.correct) for r in scored) / len(scored) if scored else None,
    }


@dataclass(frozen=True)
class ExportResult:
    """What was written and what consent kept out."""

    jsonl: Path
    parquet: Path
    rows: int
    excluded_items: int
    excluded_contacts: int


def consented_items(
    items: Sequence[ItemWithReviews], consent: ConsentLookup
) -> tuple[list[ItemWithReviews], set[str]]:
    """The items whose every mentioned contact consents to model training; the refusing ids."""
    mentioned = {item.id: mentioned_contacts(item) for item in items}
    everyone = set().union(*mentioned.values()) if mentioned else set()
    refusing = consent.contacts_without(MODEL_TRAINING, everyone) if everyone else set()
    kept = [item for item in items if not mentioned[item.id] & refusing]
    return kept, refusing


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_jsonable(inner) for inner in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def write_export(
    batch_id: str, items: Sequence[ItemWithReviews], *, consent: ConsentLookup, out_dir: Path
) -> ExportResult:
    """Write ``calibration.jsonl`` and ``calibration.parquet`` for the consented items."""
    kept, refusing = consented_items(items, consent)
    rows = [export_row(batch_id, item) for item in kept]
    out_dir.mkdir(parents=True, exist_ok=True)
    jsonl, parquet = out_dir / JSONL_NAME, out_dir / PARQUET_NAME
    with jsonl.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(_jsonable(row), ensure_ascii=False) + "\n")
    pq.write_table(pa.Table.from_pylist(rows, schema=EXPORT_SCHEMA), parquet)
    return ExportResult(
        jsonl=jsonl,
        parquet=parquet,
        rows=len(rows),
        excluded_items=len(items) - len(kept),
        excluded_contacts=len(refusing),
    )
