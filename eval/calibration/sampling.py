"""Reproducible stratified sampling of the recommendation log into a calibration sample.

Strata are (agent, confidence band). Each stratum with recommendations in the period gives
``min(size, max(min_per_stratum, ceil(rate * size)))`` of them, so every stratum is represented
and small agents reach the minimum. Draws use a generator seeded with the batch seed and the
stratum key, so the same seed over the same log gives the same sample, and a new stratum does
not reshuffle the others. The review order interleaves strata (a seeded permutation), so a
reviewer does not see one agent's items in a block.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from crm.db import session_factory
from crm.recommendations import RecommendationRow
from eval.calibration.bands import confidence_band, stratum_key
from eval.calibration.errors import EmptyPeriod, InvalidSampleSpec

DEFAULT_RATE = 0.05
DEFAULT_MIN_PER_STRATUM = 3
DEFAULT_SEED = 20261125
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Candidate:
    """A recommendation that could be sampled: what stratification needs, not the record."""

    recommendation_id: str
    agent: str
    confidence: float

    @property
    def band(self) -> int:
        return confidence_band(self.confidence)

    @property
    def stratum(self) -> str:
        return stratum_key(self.agent, self.band)


@dataclass(frozen=True)
class SampledItem:
    """One sampled recommendation with its place in the review queue and its record."""

    position: int
    candidate: Candidate
    account_id: str | None
    contact_id: str | None
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class Sample:
    """A drawn sample, ready to be stored as a batch."""

    period_start: datetime
    period_end: datetime
    seed: int
    rate: float
    min_per_stratum: int
    population: int
    items: list[SampledItem]


def month_period(month: str) -> tuple[datetime, datetime]:
    """``"2026-10"`` -> (2026-10-01T00:00Z, 2026-11-01T00:00Z)."""
    match = _MONTH.match(month.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidSampleSpec(f"period must be a month as YYYY-MM, got {month!r}")
    year, number = int(match.group(1)), int(match.group(2))
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, end


def last_calendar_month(now: datetime) -> tuple[datetime, datetime]:
    """The calendar month before the one ``now`` falls in (UTC)."""
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    previous = f"{now.year - 1}-12" if now.month == 1 else f"{now.year}-{now.month - 1:02d}"
    return month_period(previous)


def validate_spec(
    *, period_start: datetime, period_end: datetime, rate: float, min_per_stratum: int
) -> None:
    """Raise :class:`InvalidSampleSpec` naming the first value out of range."""
    if period_start.tzinfo is None or period_end.tzinfo is None:
        raise InvalidSampleSpec("period_start and period_end must carry a time zone")
    if period_start >= period_end:
        raise InvalidSampleSpec("period_start must be before period_end")
    if not 0.0 < rate <= 1.0:
        raise InvalidSampleSpec(f"rate must be in (0, 1], got {rate}")
    if min_per_stratum < 0:
        raise InvalidSampleSpec(f"min_per_stratum must be >= 0, got {min_per_stratum}")


def stratum_quota(size: int, *, rate: float, min_per_stratum: int) -> int:
    """How many of a stratum of ``size`` recommendations are sampled (at least one)."""
    return min(size, max(min_per_stratum, math.ceil(rate * size), 1)) if size else 0


def choose(
    candidates: list[Candidate], *, rate: float, seed: int, min_per_stratum: int
) -> list[Candidate]:
    """The stratified sample of ``candidates`` in review order; pure and deterministic."""
    strata: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        strata[candidate.stratum].append(candidate)
    chosen: list[Candidate] = []
    for key in sorted(strata):
        # Sorted by id so the database's row order cannot change the draw.
        members = sorted(strata[key], key=lambda c: c.recommendation_id)
        quota = stratum_quota(len(members), rate=rate, min_per_stratum=min_per_stratum)
        rng = np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])
        picks = sorted(rng.choice(len(members), size=quota, replace=False).tolist())
        chosen += [members[i] for i in picks]
    order = np.random.default_rng(seed).permutation(len(chosen)).tolist()
    return [chosen[i] for i in order]


def draw_sample(
    engine: Engine,
    *,
    period_start: datetime,
    period_end: datetime,
    rate: float = DEFAULT_RATE,
    seed: int = DEFAULT_SEED,
    min_per_stratum: int = DEFAULT_MIN_PER_STRATUM,
) -> Sample:
    """Sample the recommendations created in ``[period_start, period_end)``."""
    validate_spec(
        period_start=period_start, period_end=period_end, rate=rate, min_per_stratum=min_per_stratum
    )
    in_period = (RecommendationRow.created_at >= period_start) & (
        RecommendationRow.created_at < period_end
    )
    sessions = session_factory(engine)
    with sessions() as session:
        rows = session.execute(
            select(
                RecommendationRow.id, RecommendationRow.agent, RecommendationRow.confidence
            ).where(in_period)
        ).all()
        candidates = [Candidate(row.id, row.agent, float(row.confidence)) for row in rows]
        if not candidates:
            raise EmptyPeriod(
                f"no recommendations were created between {period_start.isoformat()}"
                f" and {period_end.isoformat()}"
            )
        chosen = choose(candidates, rate=rate, seed=seed, min_per_stratum=min_per_stratum)
        records = {
            row.id: row
            for row in session.scalars(
                select(RecommendationRow).where(
                    RecommendationRow.id.in_([c.recommendation_id for c in chosen])
                )
            )
        }
    items = [
        SampledItem(
            position=position,
            candidate=candidate,
            account_id=records[candidate.recommendation_id].account_id,
            contact_id=records[candidate.recommendation_id].contact_id,
            snapshot=records[candidate.recommendation_id].record,
        )
        for position, candidate in enumerate(chosen)
    ]
    return Sample(
        period_start=period_start,
        period_end=period_end,
        seed=seed,
        rate=rate,
        min_per_stratum=min_per_stratum,
        population=len(candidates),
        items=items,
    )
