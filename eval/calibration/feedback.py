"""One refit of the feedback loop over a stored batch: new maps, and reviewed answers indexed."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from crm.calibration_maps import CalibrationMaps
from crm.store import CRMStore
from eval.calibration.refit import DEFAULT_SPLIT_SEED, RefitResult, refit_batch
from eval.calibration.reviewed_answers import (
    IndexedAnswers,
    index_reviewed_answers,
    reviewed_answer_sections,
)
from eval.calibration.store import CalibrationStore
from memory import Memory


class FeedbackResult(BaseModel):
    """The maps fitted and the corrected answers indexed from one batch."""

    refit: RefitResult
    answers: IndexedAnswers


def apply_feedback(
    store: CalibrationStore,
    maps: CalibrationMaps,
    *,
    batch_id: str,
    crm: CRMStore,
    open_memory: Callable[[], Memory],
    seed: int = DEFAULT_SPLIT_SEED,
) -> FeedbackResult:
    """Refit every agent's map from the batch and index its corrected technical answers.

    ``open_memory`` is called only when there are answers to index (opening the memory loads
    the embedding model).
    """
    items = store.items_with_reviews(batch_id=batch_id)
    refit = refit_batch(batch_id, items, maps=maps, seed=seed)
    sections, skipped = reviewed_answer_sections(items, crm=crm)
    if sections:
        answers = index_reviewed_answers(items, crm=crm, memory=open_memory())
    else:
        answers = IndexedAnswers(sections=0, chunks=0, skipped_without_product=skipped)
    return FeedbackResult(refit=refit, answers=answers)
