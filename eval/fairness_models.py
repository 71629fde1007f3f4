"""The fairness scan's report: thresholds, bands, per-region results and the verdict, as data.

Plain pydantic models, so a report serialises to JSON and reads back for comparison across runs
(``method`` is the version of the rules that produced it).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from eval.fairness_replay import SkippedDeal

METHOD = "budget-region-fairness/1"
MIN_GROUP_DEALS = 30
FOUR_FIFTHS = 0.8
PRICE_TOLERANCE = 0.01  # a price ratio within 1% of parity is not a finding, whatever the CI
CONFIDENCE_LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 2000
MAX_BANDS = 4

Status = Literal["pass", "flagged", "insufficient_data"]
Verdict = Literal["no_bias_detected", "bias_detected", "insufficient_data"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Thresholds(_Frozen):
    """The scan's fixed decision rules, stated in every report."""

    min_group_deals: int = MIN_GROUP_DEALS
    four_fifths: float = FOUR_FIFTHS
    price_tolerance: float = PRICE_TOLERANCE
    confidence_level: float = CONFIDENCE_LEVEL
    bootstrap_resamples: int = BOOTSTRAP_RESAMPLES


class Band(_Frozen):
    """A deal-size band: list values from ``low`` to ``high`` (CNY)."""

    index: int
    low: float
    high: float
    deals: int


class RegionResult(_Frozen):
    """One region's approval, price ratio and counterfactual change, and its status."""

    region: str
    deals: int
    recorded_deals: int  # sampled deals whose own region this is (context, not a group size)
    approval_rate: float | None
    impact_ratio: float | None  # approval rate / the best region's
    price_ratio: float | None
    price_ratio_ci: tuple[float, float] | None
    mean_change_pct: float | None
    max_abs_change_pct: float | None
    deals_changed: int
    status: Status
    reasons: tuple[str, ...] = ()


class BandCell(_Frozen):
    """One region within one deal-size band."""

    band: int
    region: str
    deals: int
    approval_rate: float
    price_ratio: float
    sufficient: bool


class Assessment(_Frozen):
    """The metrics of a set of replayed deals: per region, per band, and one verdict."""

    deals_scanned: int
    thresholds: Thresholds = Thresholds()
    four_fifths_ratio: float | None
    bands: tuple[Band, ...] = ()
    regions: tuple[RegionResult, ...] = ()
    cells: tuple[BandCell, ...] = ()
    verdict: Verdict
    findings: tuple[str, ...] = ()


class FairnessReport(Assessment):
    """A scan: what was sampled, as of when, and its assessment."""

    method: str = METHOD
    as_of: date
    seed: int
    sample_requested: int
    deals_available: int
    skipped: tuple[SkippedDeal, ...] = ()
    seconds: float = 0.0
