"""The account's equipment budget for a year, from its recorded budgets and budgets stated in notes.

- A budget recorded for the year itself is taken as it is.
- Otherwise a log-linear trend through the recorded years (at least three) is extrapolated, with
  an 80% prediction interval from Student's t; with one or two years the last one is carried
  forward with a 15% yearly spread.
- Figures stated in the year's notes ("their equipment budget this year is about CNY 12.5M") are
  taken as accurate to about 10% and combined with the trend by inverse-variance weighting in
  log space.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict
from scipy import stats

from crm.enums import budget_band
from crm.records import BudgetRecord
from tools.pricing import StatedBudget

INTERVAL = 0.80
STATED_SIGMA = 0.06  # log-space spread of "about CNY x.yM": uniform +-10% has sd 0.058
CARRY_SIGMA = 0.15  # log-space spread per year when too few years show a trend
BANDS: tuple[tuple[str, float, float], ...] = (
    ("<1M", 0.0, 1e6),
    ("1-5M", 1e6, 5e6),
    ("5-20M", 5e6, 20e6),
    (">20M", 20e6, math.inf),
)


class BudgetEstimate(BaseModel):
    """The estimated budget of ``year`` with its interval and how it was reached."""

    model_config = ConfigDict(frozen=True)

    year: int
    method: str  # recorded | trend | trend+stated | stated | carried | carried+stated
    estimate: float
    low: float
    high: float
    band: str
    bands: tuple[str, ...]  # every band the interval touches
    years_used: int
    growth_pct: float | None = None  # yearly trend of the recorded budgets
    trend_estimate: float | None = None
    stated_mean: float | None = None
    stated_weight: float | None = None  # share of the stated figures in the combined estimate


def band_probability(estimate: BudgetEstimate) -> float:
    """How likely the budget lies in the band of the point estimate, read from the estimate's
    80% interval as a log-normal spread: near 1 when the interval sits inside one band, about
    one half when the estimate is on a band's edge. A recorded budget is certain."""
    if estimate.method == "recorded" or estimate.low <= 0 or estimate.high <= estimate.low:
        return 1.0
    sigma = (math.log(estimate.high) - math.log(estimate.low)) / (
        2 * stats.norm.ppf(0.5 + INTERVAL / 2)
    )
    centre = math.log(estimate.estimate)
    low, high = next((lo, hi) for _, lo, hi in BANDS if lo <= estimate.estimate < hi)
    above = stats.norm.cdf((math.log(high) - centre) / sigma) if math.isfinite(high) else 1.0
    below = stats.norm.cdf((math.log(low) - centre) / sigma) if low > 0 else 0.0
    return float(above - below)


def bands_between(low: float, high: float) -> tuple[str, ...]:
    """The budget bands an interval [low, high] touches."""
    return tuple(name for name, lo, hi in BANDS if low < hi and high >= lo)


def forecast_budget(
    budgets: Sequence[BudgetRecord], stated: Sequence[StatedBudget], *, year: int
) -> BudgetEstimate | None:
    """The budget of ``year``; None when neither budgets nor stated figures exist."""
    recorded = {b.year: float(b.amount) for b in budgets if b.amount > 0}
    if year in recorded:
        amount = recorded[year]
        return _estimate(year, "recorded", amount, 0.0, years_used=1)
    history = sorted((y, a) for y, a in recorded.items() if y < year)
    trend = _trend(history, year)
    figures = [float(s.amount) for s in stated if s.amount > 0]
    if trend is None and not figures:
        return None
    if trend is not None and not figures:
        mean, spread, method, growth = trend
        return _estimate(
            year,
            method,
            math.exp(mean),
            spread,
            years_used=len(history),
            growth=growth,
            trend_estimate=math.exp(mean),
        )
    stated_log = sum(math.log(f) for f in figures) / len(figures)
    stated_var = STATED_SIGMA**2 / len(figures)
    z = stats.norm.ppf(0.5 + INTERVAL / 2)
    if trend is None:
        return _estimate(
            year,
            "stated",
            math.exp(stated_log),
            z * math.sqrt(stated_var),
            years_used=0,
            stated_mean=math.exp(stated_log),
            stated_weight=1.0,
        )
    mean, spread, method, growth = trend
    # The trend's interval half-width back to a variance, with the same interval level.
    trend_var = (spread / _quantile(len(history), method)) ** 2
    weight = (1 / stated_var) / (1 / stated_var + 1 / trend_var)
    combined = weight * stated_log + (1 - weight) * mean
    half = z * math.sqrt(1 / (1 / stated_var + 1 / trend_var))
    return _estimate(
        year,
        f"{method}+stated",
        math.exp(combined),
        half,
        years_used=len(history),
        growth=growth,
        trend_estimate=math.exp(mean),
        stated_mean=math.exp(stated_log),
        stated_weight=weight,
    )


def _quantile(points: int, method: str) -> float:
    if method == "trend":
        return float(stats.t.ppf(0.5 + INTERVAL / 2, df=points - 2))
    return float(stats.norm.ppf(0.5 + INTERVAL / 2))


def _trend(
    history: list[tuple[int, float]], year: int
) -> tuple[float, float, str, float | None] | None:
    """(log estimate, interval half-width in log space, method, yearly growth %) or None."""
    if not history:
        return None
    if len(history) < 3:
        last_year, last = history[-1]
        spread = _quantile(len(history), "carried") * CARRY_SIGMA * math.sqrt(year - last_year)
        return math.log(last), spread, "carried", None
    xs = [float(y) for y, _ in history]
    ys = [math.log(a) for _, a in history]
    fit = stats.linregress(xs, ys)
    n = len(xs)
    mean_x = sum(xs) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    residuals = [y - (fit.intercept + fit.slope * x) for x, y in zip(xs, ys, strict=True)]
    sigma = math.sqrt(sum(r * r for r in residuals) / (n - 2)) if n > 2 else 0.0
    sigma = max(sigma, 0.02)  # five near-perfect points must not promise a 1% interval
    se = sigma * math.sqrt(1 + 1 / n + (year - mean_x) ** 2 / sxx)
    log_estimate = fit.intercept + fit.slope * year
    return log_estimate, _quantile(n, "trend") * se, "trend", (math.exp(fit.slope) - 1) * 100


def _estimate(
    year: int,
    method: str,
    estimate: float,
    half_width: float,
    *,
    years_used: int,
    growth: float | None = None,
    trend_estimate: float | None = None,
    stated_mean: float | None = None,
    stated_weight: float | None = None,
) -> BudgetEstimate:
    # Budgets are written in whole thousands, and so are the estimates.
    low = _thousands(estimate * math.exp(-half_width))
    high = _thousands(estimate * math.exp(half_width))
    point = _thousands(estimate)
    return BudgetEstimate(
        year=year,
        method=method,
        estimate=point,
        low=low,
        high=high,
        band=budget_band(point),
        bands=bands_between(low, high),
        years_used=years_used,
        growth_pct=round(growth, 2) if growth is not None else None,
        trend_estimate=_thousands(trend_estimate) if trend_estimate is not None else None,
        stated_mean=_thousands(stated_mean) if stated_mean is not None else None,
        stated_weight=round(stated_weight, 2) if stated_weight is not None else None,
    )


def _thousands(value: float) -> float:
    return float(Decimal(round(value / 1000.0) * 1000))
