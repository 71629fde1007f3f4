"""Sampling: reproducible, stratified by agent and confidence band, every stratum represented."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from crm.db import session_factory
from crm.recommendations import RecommendationRow
from eval.calibration.bands import band_range, confidence_band, stratum_key
from eval.calibration.errors import EmptyPeriod, InvalidSampleSpec
from eval.calibration.sampling import (
    Candidate,
    choose,
    draw_sample,
    last_calendar_month,
    month_period,
    stratum_quota,
)
from eval.calibration.store import CalibrationStore
from tests.support.calibration_world import AGENT_SIZES

OCTOBER = month_period("2026-10")


@pytest.mark.parametrize(
    ("confidence", "band"),
    [
        (0.0, 1),
        (0.199, 1),
        (0.2, 2),
        (0.4, 3),
        (0.5999, 3),
        (0.6, 4),
        (0.8, 5),
        (0.999, 5),
        (1.0, 5),
    ],
)
def test_confidence_bands_are_five_equal_ranges(confidence: float, band: int) -> None:
    assert confidence_band(confidence) == band
    low, high = band_range(band)
    assert low <= confidence <= high


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan")])
def test_a_confidence_outside_zero_one_has_no_band(bad: float) -> None:
    with pytest.raises(ValueError):
        confidence_band(bad)


def test_periods_are_calendar_months_in_utc() -> None:
    assert month_period("2026-12") == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert last_calendar_month(datetime(2027, 1, 15, 9, tzinfo=UTC)) == month_period("2026-12")
    assert last_calendar_month(datetime(2026, 11, 1, tzinfo=UTC)) == month_period("2026-10")
    for bad in ("2026-13", "2026-1", "October", "2026-00"):
        with pytest.raises(InvalidSampleSpec, match="YYYY-MM"):
            month_period(bad)


def test_quota_takes_the_rate_with_a_minimum_and_never_more_than_the_stratum() -> None:
    assert stratum_quota(1000, rate=0.05, min_per_stratum=3) == 50
    assert stratum_quota(20, rate=0.05, min_per_stratum=3) == 3
    assert stratum_quota(2, rate=0.05, min_per_stratum=3) == 2
    assert stratum_quota(7, rate=0.05, min_per_stratum=0) == 1  # represented even without a minimum
    assert stratum_quota(0, rate=0.05, min_per_stratum=3) == 0


def _candidates(agent: str, n: int, offset: float = 0.0) -> list[Candidate]:
    return [Candidate(f"{agent}-{i:04d}", agent, (i * 0.37 + offset) % 1.0) for i in range(n)]


def test_the_same_seed_draws_the_same_sample_whatever_the_input_order() -> None:
    population = _candidates("budget", 400) + _candidates("relationships", 9)
    first = choose(population, rate=0.05, seed=11, min_per_stratum=2)
    again = choose(list(reversed(population)), rate=0.05, seed=11, min_per_stratum=2)
    other = choose(population, rate=0.05, seed=12, min_per_stratum=2)
    assert first == again
    assert {c.recommendation_id for c in first} != {c.recommendation_id for c in other}


def test_every_stratum_is_represented_and_small_agents_reach_the_minimum() -> None:
    population = _candidates("budget", 1000) + _candidates("relationships", 12, offset=0.05)
    chosen = choose(population, rate=0.05, seed=3, min_per_stratum=2)
    strata = Counter(c.stratum for c in population)
    sampled = Counter(c.stratum for c in chosen)
    assert set(sampled) == set(strata)
    for key, size in strata.items():
        assert sampled[key] == stratum_quota(size, rate=0.05, min_per_stratum=2)
    assert sum(sampled[k] for k in sampled if k.startswith("relationships/")) >= 5


def test_a_new_agent_does_not_reshuffle_the_other_strata() -> None:
    base = _candidates("budget", 300)
    alone = {c.recommendation_id for c in choose(base, rate=0.1, seed=5, min_per_stratum=1)}
    grown = choose(base + _candidates("next_action", 50), rate=0.1, seed=5, min_per_stratum=1)
    assert alone == {c.recommendation_id for c in grown if c.agent == "budget"}


def test_the_review_order_interleaves_agents() -> None:
    population = _candidates("budget", 200) + _candidates("lead_scoring", 200)
    agents = [c.agent for c in choose(population, rate=0.1, seed=9, min_per_stratum=1)]
    changes = sum(1 for a, b in zip(agents, agents[1:], strict=False) if a != b)
    assert changes > 4  # not one block per agent


def _strata_in(engine: Engine, start: datetime, end: datetime) -> Counter[str]:
    with session_factory(engine)() as session:
        rows = session.execute(
            select(RecommendationRow.agent, RecommendationRow.confidence).where(
                RecommendationRow.created_at >= start, RecommendationRow.created_at < end
            )
        ).all()
    return Counter(stratum_key(agent, confidence_band(conf)) for agent, conf in rows)


def test_a_sample_of_the_log_covers_only_its_month_and_every_stratum(logged: Engine) -> None:
    sample = draw_sample(logged, period_start=OCTOBER[0], period_end=OCTOBER[1], seed=1)
    strata = _strata_in(logged, *OCTOBER)
    assert sample.population == sum(AGENT_SIZES.values()) == sum(strata.values())
    assert {item.candidate.stratum for item in sample.items} == set(strata)
    assert [item.position for item in sample.items] == list(range(len(sample.items)))
    for item in sample.items:
        created = datetime.fromisoformat(item.snapshot["created_at"])
        assert OCTOBER[0] <= created < OCTOBER[1]
        assert item.snapshot["id"] == item.candidate.recommendation_id


def test_batches_drawn_with_the_same_seed_hold_the_same_items(logged: Engine) -> None:
    store = CalibrationStore(logged)
    first, second, other = (
        store.draw_batch(period_start=OCTOBER[0], period_end=OCTOBER[1], seed=seed)
        for seed in (42, 42, 43)
    )

    def items(batch_id: str) -> list[tuple[int, str]]:
        return [
            (i.position, i.recommendation_id) for i in store.items_with_reviews(batch_id=batch_id)
        ]

    assert first.id != second.id
    assert items(first.id) == items(second.id)
    assert items(first.id) != items(other.id)
    assert first.strata == second.strata and sum(first.strata.values()) == first.items


def test_an_empty_period_or_a_bad_spec_is_refused(logged: Engine) -> None:
    empty = month_period("2025-01")
    with pytest.raises(EmptyPeriod, match="no recommendations"):
        draw_sample(logged, period_start=empty[0], period_end=empty[1])
    with pytest.raises(InvalidSampleSpec, match="rate"):
        draw_sample(logged, period_start=OCTOBER[0], period_end=OCTOBER[1], rate=0)
    with pytest.raises(InvalidSampleSpec, match="before"):
        draw_sample(logged, period_start=OCTOBER[1], period_end=OCTOBER[0])
    with pytest.raises(InvalidSampleSpec, match="min_per_stratum"):
        draw_sample(logged, period_start=OCTOBER[0], period_end=OCTOBER[1], min_per_stratum=-1)
