"""Pydantic shapes of the calibration harness, shared by the store, the API and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from core.recommendation import Recommendation


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it here keeps it a 422, not a failed write.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
ReviewerId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(_no_nul),
]
ReviewSource = Literal["api", "page", "csv", "panel"]


class Batch(BaseModel):
    """A calibration batch and how far its review has got."""

    model_config = ConfigDict(frozen=True)

    id: str
    period_start: datetime = Field(description="First instant of the sampled period (inclusive).")
    period_end: datetime = Field(description="End of the sampled period (exclusive).")
    seed: int
    rate: float
    min_per_stratum: int
    population: int = Field(description="Recommendations in the period the sample was drawn from.")
    created_at: datetime
    status: Literal["open", "closed"]
    items: int = Field(0, description="Items sampled.")
    reviewed_items: int = Field(0, description="Items with at least one score (skips not counted).")
    reviews: int = Field(0, description="Scores given, over all reviewers (skips not counted).")
    strata: dict[str, int] = Field(
        default_factory=dict, description="Items per stratum (`agent/band-N`)."
    )


class ReviewerProgress(BaseModel):
    """How far one reviewer has got through a batch: their own scores and skips only."""

    model_config = ConfigDict(frozen=True)

    batch_id: str
    reviewer: str
    items: int = Field(description="Items in the batch.")
    scored: int = Field(description="Items this reviewer scored.")
    skipped: int = Field(description="Items this reviewer skipped.")
    remaining: int = Field(description="Items left in this reviewer's queue (0 once closed).")


class Item(BaseModel):
    """One sampled recommendation, as it was when sampled."""

    model_config = ConfigDict(frozen=True)

    id: str
    batch_id: str
    position: int = Field(description="Order of the item in the review queue (0-based).")
    recommendation_id: str
    agent: str
    confidence: float = Field(description="The agent's raw confidence when sampled.")
    confidence_band: int = Field(ge=1, le=5, description="See docs/calibration.md, bands.")
    stratum: str
    account_id: str | None = None
    contact_id: str | None = None
    recommendation: Recommendation = Field(description="Snapshot of the recommendation.")


class Review(BaseModel):
    """One reviewer's judgement of one item, or their skip."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: str
    item_id: str
    reviewer: str
    score: int | None = Field(
        None, description="Quality 1 (poor) to 5 (excellent); none if skipped."
    )
    correct: bool | None = None
    corrected_answer: str | None = None
    comment: str | None = None
    relevant_sources: list[str] | None = None
    skipped: bool = False
    source: str = "api"
    created_at: datetime


class ItemWithReviews(Item):
    """An item and every review (and skip) of it, oldest first."""

    reviews: list[Review] = Field(default_factory=list)

    def scored(self) -> list[Review]:
        """The reviews that carry a score (skips left out)."""
        return [review for review in self.reviews if not review.skipped]


class ReviewInput(BaseModel):
    """A reviewer's judgement: a 1-5 quality score and whether the recommendation is correct."""

    model_config = ConfigDict(extra="forbid")

    reviewer: ReviewerId | None = Field(
        None,
        description="Who reviews. Over the API the signed-in user always does: leave it out "
        "(a different one is refused with 403).",
    )
    score: int = Field(ge=1, le=5, description="Quality 1 (poor) to 5 (excellent).")
    correct: bool = Field(description="Whether the recommendation is right as it stands.")
    corrected_answer: Text | None = Field(None, max_length=20000, description="What it should say.")
    comment: Text | None = Field(None, max_length=4000)
    relevant_sources: list[Annotated[Text, StringConstraints(max_length=200)]] | None = Field(
        None,
        max_length=100,
        description="Record ids of the sources that support the right answer: cited ones the"
        " reviewer ticked, or others (e.g. documentation sections) they name; the Q&A agent's"
        " reference for context precision and recall.",
    )


class SkipInput(BaseModel):
    """A reviewer passes on an item (no knowledge of the account, say)."""

    model_config = ConfigDict(extra="forbid")

    reviewer: ReviewerId | None = Field(
        None,
        description="Who reviews. Over the API the signed-in user always does: leave it out "
        "(a different one is refused with 403).",
    )
    comment: Text | None = Field(None, max_length=4000)


class ImportReport(BaseModel):
    """What a scores import wrote."""

    batch_id: str
    reviews: int = Field(description="Scores written.")
    skips: int = Field(description="Skips written.")
