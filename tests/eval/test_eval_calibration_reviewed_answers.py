"""Reviewers' corrected technical answers become documentation the Q&A agent's search finds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from core.recommendation import Recommendation
from crm import models as m
from crm.calibration_maps import CalibrationMaps
from crm.db import session_factory
from crm.recommendations import RecommendationLog
from crm.store import CRMStore
from eval.calibration.feedback import apply_feedback
from eval.calibration.reviewed_answers import index_reviewed_answers
from eval.calibration.schemas import ReviewInput
from eval.calibration.store import CalibrationStore
from memory import PRODUCT_DOCS, HashingEmbeddingFunction, Memory
from tools.documentation import search_documentation

OCTOBER = datetime(2026, 10, 5, tzinfo=UTC)
CORRECTION = "The VitaFlow V2 infusion pump runs for 9 hours on its internal battery."


def _world(engine: Engine) -> tuple[CalibrationStore, str]:
    with session_factory(engine)() as session:
        session.add(m.Product(id="PRD-001", sku="VF-2", name="VitaFlow V2 Infusion Pump",
                              category="infusion", manufacturer="Vita", description="pump",
                              specs={}, currency="CNY"))  # fmt: skip
        session.commit()
    log = RecommendationLog(engine)
    for n, subject in enumerate(({"product_id": "PRD-001"}, {"product_id": "PRD-404"}, {})):
        log.record(Recommendation(id=f"qa-{n}", kind="technical_answer", agent="technical_qa",
                                  subject=subject, content="It runs for 4 hours.", confidence=0.8,
                                  created_at=OCTOBER))  # fmt: skip
    store = CalibrationStore(engine)
    batch = store.draw_batch(
        period_start=OCTOBER.replace(day=1), period_end=datetime(2026, 11, 1, tzinfo=UTC), rate=1.0
    )
    for item in store.items_with_reviews(batch_id=batch.id):
        store.add_review(item_id=item.id, review=ReviewInput(reviewer="senior@rep", score=2,
                         correct=False, corrected_answer=CORRECTION))  # fmt: skip
        store.add_review(
            item_id=item.id, review=ReviewInput(reviewer="other@rep", score=4, correct=True)
        )
    return store, batch.id


def test_corrected_answers_are_found_and_cited_by_the_documentation_search(
    engine: Engine, tmp_path: Path
) -> None:
    store, batch_id = _world(engine)
    memory = Memory(path=tmp_path / "chroma", embedding_function=HashingEmbeddingFunction())
    items = store.items_with_reviews(batch_id=batch_id)
    indexed = index_reviewed_answers(items, crm=CRMStore(engine), memory=memory)
    # One corrected answer about a known product; one about an unknown product, one about none.
    assert (indexed.sections, indexed.skipped_without_product) == (1, 2)
    item = next(i for i in items if i.recommendation_id == "qa-0")

    found = search_documentation(
        memory, "How long does the VitaFlow V2 battery last?", product_ids=["PRD-001"]
    )
    cited = [p for p in found if p["document_id"] == f"calibration-item:{item.id}"]
    assert cited, found
    assert cited[0]["text"] == CORRECTION
    assert cited[0]["chunk_id"].startswith(f"calibration:{item.id}:")
    assert cited[0]["product_name"] == "VitaFlow V2 Infusion Pump"

    again = index_reviewed_answers(items, crm=CRMStore(engine), memory=memory)
    assert again.sections == 1 and memory.count(PRODUCT_DOCS) == indexed.chunks  # idempotent


def test_a_refit_indexes_answers_and_opens_the_memory_only_when_needed(
    engine: Engine, tmp_path: Path
) -> None:
    store, batch_id = _world(engine)
    opened: list[Memory] = []

    def open_memory() -> Memory:
        opened.append(
            Memory(path=tmp_path / "chroma", embedding_function=HashingEmbeddingFunction())
        )
        return opened[-1]

    result = apply_feedback(store, CalibrationMaps(engine), batch_id=batch_id, crm=CRMStore(engine),
                            open_memory=open_memory)  # fmt: skip
    assert result.answers.sections == 1 and len(opened) == 1
    assert result.refit.agents["technical_qa"].map_id is not None  # 6 reviews: the minimum
