"""The fairness scan: does the budget agent's recommended price depend on the region?

Every sampled deal is priced as recorded and replayed into each region of the logistics rate
card (``eval.fairness_replay``); nothing but the region changes. Then, per region:

- **approval rate** and the **four-fifths ratio**: a recommendation is approved when every
  line's target price is one the discount policy allows without escalation; a region whose
  approval rate is under 80% of the best region's is flagged (fairlearn's ``MetricFrame``,
  ``selection_rate`` and ``demographic_parity_ratio``);
- **within-band price ratio**: deals fall into deal-size bands (quantiles of their list value);
  within each band, the region's mean price index (target / list value) over the mean of each
  deal's reference price index (the median over all regions); the bands' ratios are averaged,
  weighted by their deals, with a paired bootstrap confidence interval (scipy); flagged when
  the interval excludes 1 and the ratio is off by more than ``PRICE_TOLERANCE``;
- **counterfactual price change**: how the deal's recommended goods total moves when the deal
  is moved from its recorded region to this one (mean, largest, how many deals moved).

A region with fewer than ``MIN_GROUP_DEALS`` deals is reported as insufficient data, never as a
pass. docs/fairness.md describes the method and how to read the report.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, count, demographic_parity_ratio, selection_rate
from scipy import stats

from agents.budget import estimate
from agents.budget.evidence import BudgetTools
from crm.store import CRMStore
from eval.fairness_models import (
    MAX_BANDS,
    Assessment,
    Band,
    BandCell,
    FairnessReport,
    RegionResult,
    Status,
    Thresholds,
    Verdict,
)
from eval.fairness_replay import (
    CENT,
    Estimator,
    PricedDeal,
    deals_with_lines,
    replay_deals,
    sample_deals,
)
from tools.logistics import REGIONS


def scan_fairness(
    crm: CRMStore,
    tools: BudgetTools,
    *,
    sample: int,
    seed: int,
    as_of: date,
    regions: Sequence[str] = REGIONS,
    estimator: Estimator = estimate,
) -> FairnessReport:
    """Sample ``sample`` deals, replay them into every region and assess the prices."""
    started = time.perf_counter()
    available = deals_with_lines(crm)
    chosen = sample_deals(available, size=sample, seed=seed)
    priced, skipped = replay_deals(tools, chosen, regions=regions, as_of=as_of, estimator=estimator)
    assessment = assess(priced, regions=regions, seed=seed)
    return FairnessReport(
        **dict(assessment),
        as_of=as_of,
        seed=seed,
        sample_requested=sample,
        deals_available=len(available),
        skipped=tuple(skipped),
        seconds=round(time.perf_counter() - started, 2),
    )


def assess(
    deals: Sequence[PricedDeal],
    *,
    regions: Sequence[str],
    seed: int,
    thresholds: Thresholds | None = None,
) -> Assessment:
    """The metrics, statuses and verdict of replayed deals."""
    thresholds = thresholds or Thresholds()
    table = _long_table(deals, regions, thresholds)
    sufficient = {r: len(deals) >= thresholds.min_group_deals for r in regions}
    ratio = _four_fifths_ratio(table, sufficient)
    cells = _cells(table, thresholds) if deals else []
    rates = table.groupby("region")["approved"].mean() if deals else {}
    best = max((float(rates[r]) for r in regions if sufficient[r]), default=None)
    results = [_region(r, table, deals, best, sufficient[r], thresholds, seed) for r in regions]
    verdict: Verdict = "no_bias_detected"
    if any(r.status == "flagged" for r in results):
        verdict = "bias_detected"
    elif not deals or any(r.status == "insufficient_data" for r in results):
        verdict = "insufficient_data"
    findings = [f"{r.region}: {reason}" for r in results for reason in r.reasons]
    return Assessment(
        deals_scanned=len(deals),
        thresholds=thresholds,
        four_fifths_ratio=ratio,
        bands=tuple(_bands(table)),
        regions=tuple(results),
        cells=tuple(cells),
        verdict=verdict,
        findings=tuple(findings),
    )


def within_band_ratio(replayed: np.ndarray, reference: np.ndarray, band: np.ndarray) -> float:
    """Mean of ``replayed`` over mean of ``reference`` in each band, averaged by band size."""
    total = 0.0
    for code in np.unique(band):
        members = band == code
        total += members.mean() * replayed[members].mean() / reference[members].mean()
    return float(total)


def size_bands(list_values: np.ndarray, *, min_deals: int) -> np.ndarray:
    """Band index of each deal: quantile bands of list value, each of ``min_deals`` or more
    where the sample allows (at most ``MAX_BANDS``)."""
    bands = max(1, min(MAX_BANDS, len(list_values) // min_deals))
    edges = np.quantile(list_values, np.linspace(0, 1, bands + 1))[1:-1]
    codes = np.searchsorted(edges, list_values, side="right")
    # Ties on an edge can leave a band empty: number the bands that have deals 0, 1, ...
    return np.unique(codes, return_inverse=True)[1].reshape(-1)


def _long_table(
    deals: Sequence[PricedDeal], regions: Sequence[str], thresholds: Thresholds
) -> pd.DataFrame:
    """One row per deal and replayed region."""
    columns = ["deal", "region", "band", "approved", "index", "reference", "change", "moved"]
    if not deals:
        return pd.DataFrame(columns=columns)
    values = np.array([d.list_value for d in deals])
    bands = size_bands(values, min_deals=thresholds.min_group_deals)
    rows = []
    for deal, band in zip(deals, bands, strict=True):
        reference = float(np.median([deal.replays[r].target_total for r in regions]))
        for region in regions:
            replay = deal.replays[region]
            rows.append(
                (
                    deal.deal_id,
                    region,
                    int(band),
                    int(replay.approved),
                    replay.target_total / deal.list_value,
                    reference / deal.list_value,
                    replay.target_total / deal.own.target_total - 1,
                    abs(replay.target_total - deal.own.target_total) >= CENT,
                )
            )
    table = pd.DataFrame(rows, columns=columns)
    table.attrs["list_values"] = {d.deal_id: d.list_value for d in deals}
    return table


def _price_ratio(reference: pd.Series, replayed: pd.Series) -> float:
    """fairlearn metric: mean replayed price index over mean reference price index."""
    return float(np.mean(replayed) / np.mean(reference))


def _four_fifths_ratio(table: pd.DataFrame, sufficient: dict[str, bool]) -> float | None:
    """Lowest over highest approval rate among regions with enough deals."""
    rows = table[table["region"].map(lambda r: sufficient.get(r, False))] if len(table) else table
    if rows.empty:
        return None
    if rows["approved"].max() == 0:
        return 1.0  # nobody approved anywhere: equal treatment, reported by the rates themselves
    return round(
        float(
            demographic_parity_ratio(
                rows["approved"], rows["approved"], sensitive_features=rows["region"]
            )
        ),
        4,
    )


def _cells(table: pd.DataFrame, thresholds: Thresholds) -> list[BandCell]:
    approvals = MetricFrame(
        metrics={"approval_rate": selection_rate, "deals": count},
        y_true=table["approved"],
        y_pred=table["approved"],
        sensitive_features=table["region"],
        control_features=table["band"],
    ).by_group
    prices = MetricFrame(
        metrics=_price_ratio,
        y_true=table["reference"],
        y_pred=table["index"],
        sensitive_features=table["region"],
        control_features=table["band"],
    ).by_group
    cells = []
    for (band, region), row in approvals.iterrows():
        deals = int(row["deals"])
        cells.append(
            BandCell(
                band=int(band),
                region=str(region),
                deals=deals,
                approval_rate=round(float(row["approval_rate"]), 4),
                price_ratio=round(float(prices.loc[(band, region)]), 4),
                sufficient=deals >= thresholds.min_group_deals,
            )
        )
    return cells


def _bands(table: pd.DataFrame) -> list[Band]:
    if table.empty:
        return []
    values = pd.Series(table.attrs["list_values"])
    per_deal = table.drop_duplicates("deal").set_index("deal")["band"]
    bands = []
    for code in sorted(per_deal.unique()):
        members = values[per_deal[per_deal == code].index]
        bands.append(
            Band(
                index=int(code),
                low=float(members.min()),
                high=float(members.max()),
                deals=len(members),
            )
        )
    return bands


def _region(
    region: str,
    table: pd.DataFrame,
    deals: Sequence[PricedDeal],
    best: float | None,
    sufficient: bool,
    thresholds: Thresholds,
    seed: int,
) -> RegionResult:
    recorded = sum(d.recorded_region == region for d in deals)
    rows = table[table["region"] == region]
    if rows.empty:
        return RegionResult(
            region=region, deals=0, recorded_deals=recorded, approval_rate=None,
            impact_ratio=None, price_ratio=None, price_ratio_ci=None, mean_change_pct=None,
            max_abs_change_pct=None, deals_changed=0, status="insufficient_data",
            reasons=(_too_few(0, thresholds),),
        )  # fmt: skip
    rate = float(rows["approved"].mean())
    replayed, reference = rows["index"].to_numpy(), rows["reference"].to_numpy()
    band = rows["band"].to_numpy()
    ratio = within_band_ratio(replayed, reference, band)
    ci = _bootstrap_ci(replayed, reference, band, thresholds, seed) if len(rows) > 1 else None
    impact = rate / best if best else (1.0 if best == 0 else None)
    reasons: list[str] = []
    if not sufficient:
        status: Status = "insufficient_data"
        reasons.append(_too_few(len(rows), thresholds))
    else:
        if impact is not None and impact < thresholds.four_fifths:
            reasons.append(
                f"approval rate {rate:.0%} is {impact:.0%} of the best region's "
                f"(four-fifths rule: at least {thresholds.four_fifths:.0%})"
            )
        off = abs(ratio - 1) > thresholds.price_tolerance
        if off and ci is not None and not ci[0] <= 1 <= ci[1]:
            reasons.append(
                f"recommended prices are {ratio - 1:+.1%} against the typical region within "
                f"deal-size bands ({thresholds.confidence_level:.0%} CI {ci[0]:.3f} to {ci[1]:.3f})"
            )
        status = "flagged" if reasons else "pass"
    change = rows["change"].to_numpy()
    return RegionResult(
        region=region,
        deals=len(rows),
        recorded_deals=recorded,
        approval_rate=round(rate, 4),
        impact_ratio=round(impact, 4) if impact is not None else None,
        price_ratio=round(ratio, 4),
        price_ratio_ci=(round(ci[0], 4), round(ci[1], 4)) if ci is not None else None,
        mean_change_pct=round(100 * float(change.mean()), 3),
        max_abs_change_pct=round(100 * float(np.abs(change).max()), 3),
        deals_changed=int(rows["moved"].sum()),
        status=status,
        reasons=tuple(reasons),
    )


def _bootstrap_ci(
    replayed: np.ndarray,
    reference: np.ndarray,
    band: np.ndarray,
    thresholds: Thresholds,
    seed: int,
) -> tuple[float, float]:
    """Percentile interval of the within-band ratio, resampling deals (pairs stay together)."""
    if np.allclose(replayed, reference):
        return 1.0, 1.0  # every deal priced at its reference: no sampling variation to estimate
    result = stats.bootstrap(
        (replayed, reference, band),
        within_band_ratio,
        paired=True,
        vectorized=False,
        n_resamples=thresholds.bootstrap_resamples,
        confidence_level=thresholds.confidence_level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    interval = result.confidence_interval
    return float(interval.low), float(interval.high)


def _too_few(deals: int, thresholds: Thresholds) -> str:
    return f"insufficient data: {deals} deals, at least {thresholds.min_group_deals} needed"
