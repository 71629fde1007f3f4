"""Request bodies of the calibration API (the responses are the harness's own schemas)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from eval.calibration.sampling import (
    DEFAULT_MIN_PER_STRATUM,
    DEFAULT_RATE,
    DEFAULT_SEED,
    last_calendar_month,
    month_period,
)


class BatchRequest(BaseModel):
    """What to sample: a month (or an explicit period), the rate, the seed, the minimum."""

    model_config = ConfigDict(extra="forbid")

    period: str | None = Field(
        None,
        pattern=r"^\d{4}-\d{2}$",
        description="Month to sample as YYYY-MM; default the last calendar month.",
    )
    period_start: datetime | None = Field(None, description="Start (inclusive) instead of period.")
    period_end: datetime | None = Field(None, description="End (exclusive) instead of period.")
    rate: float = Field(DEFAULT_RATE, gt=0, le=1, description="Share of each stratum to sample.")
    seed: int = Field(DEFAULT_SEED, description="Same seed over the same log, same batch.")
    min_per_stratum: int = Field(
        DEFAULT_MIN_PER_STRATUM, ge=0, le=1000, description="Smallest sample of any stratum."
    )

    @model_validator(mode="after")
    def _one_period(self) -> BatchRequest:
        explicit = (self.period_start, self.period_end)
        if self.period and any(explicit):
            raise ValueError("give either period or period_start and period_end, not both")
        if any(explicit) and not all(explicit):
            raise ValueError("period_start and period_end go together")
        return self

    def resolved_period(self, now: datetime) -> tuple[datetime, datetime]:
        if self.period_start and self.period_end:
            return self.period_start, self.period_end
        return month_period(self.period) if self.period else last_calendar_month(now)
