"""The Recommendation type validates confidence and hashes input snapshots canonically."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.recommendation import Fact, Recommendation, snapshot_sha256


def test_recommendation_round_trips_through_json() -> None:
    rec = Recommendation(
        kind="technical_answer",
        agent="technical_qa",
        content="Up to 6.5 hours.",
        confidence=0.8,
        provenance=[
            Fact(source="product_docs", record_id="SEC-1#0", field="DOC-1#Power", value="6.5 h")
        ],
    )
    again = Recommendation.model_validate_json(rec.model_dump_json())
    assert again == rec
    assert again.id and again.created_at.tzinfo is not None


@pytest.mark.parametrize("confidence", [-0.01, 1.01])
def test_confidence_outside_unit_interval_is_rejected(confidence: float) -> None:
    with pytest.raises(ValidationError):
        Recommendation(kind="k", agent="a", content="c", confidence=confidence)


def test_snapshot_hash_ignores_key_order_but_not_values() -> None:
    assert snapshot_sha256({"a": 1, "b": [1, 2]}) == snapshot_sha256({"b": [1, 2], "a": 1})
    assert snapshot_sha256({"a": 1}) != snapshot_sha256({"a": 2})
    assert len(snapshot_sha256({})) == 64
