"""Reviewers' corrected answers become examples the technical Q&A agent retrieves and cites.

A corrected answer to a technical question is indexed into the memory's documentation
collection (``product_docs``) under the product the answer was about, as a section of a
document named after the calibration item (``calibration-item:<item id>``), so the agent's
ordinary documentation search finds it and its citation names the item it came from. Section
ids are stable (``calibration:<item id>:<review id>``): indexing a batch again is a no-op.
Answers about no product are left out (the documentation search is organised by product).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pydantic import BaseModel

from crm.errors import NotFound
from crm.store import CRMStore
from eval.calibration.schemas import ItemWithReviews
from memory import DocSection, Memory

logger = logging.getLogger(__name__)

QA_AGENT = "technical_qa"
DOCUMENT_TITLE = "Reviewed answer"


class IndexedAnswers(BaseModel):
    """What indexing a batch's corrected answers did."""

    sections: int
    chunks: int
    skipped_without_product: int


def reviewed_answer_sections(
    items: Sequence[ItemWithReviews], *, crm: CRMStore
) -> tuple[list[DocSection], int]:
    """Sections for every corrected answer of a Q&A item, and how many had no product."""
    sections: list[DocSection] = []
    skipped = 0
    for item in items:
        if item.agent != QA_AGENT:
            continue
        for review in item.scored():
            answer = (review.corrected_answer or "").strip()
            if not answer:
                continue
            product_id = item.recommendation.subject.get("product_id")
            try:
                product = crm.get_product(product_id=product_id) if product_id else None
            except NotFound:
                product = None
            if product is None:
                skipped += 1
                continue
            sections.append(
                DocSection(
                    section_id=f"calibration:{item.id}:{review.id}",
                    document_id=f"calibration-item:{item.id}",
                    document_title=f"{DOCUMENT_TITLE} ({product.name})",
                    product_id=product.id,
                    product_name=product.name,
                    heading=f"Reviewed answer, calibration batch {item.batch_id}",
                    body=answer,
                )
            )
    return sections, skipped


def index_reviewed_answers(
    items: Sequence[ItemWithReviews], *, crm: CRMStore, memory: Memory
) -> IndexedAnswers:
    """Index the corrected technical answers of ``items`` into the documentation memory."""
    sections, skipped = reviewed_answer_sections(items, crm=crm)
    chunks = memory.index_product_docs(sections) if sections else 0
    logger.info("indexed %d reviewed answers (%d chunks)", len(sections), chunks)
    return IndexedAnswers(sections=len(sections), chunks=chunks, skipped_without_product=skipped)
