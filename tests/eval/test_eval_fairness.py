"""The fairness scan: metrics with known answers, insufficient data, and the budget agent replayed
on a small demo world as it is (no bias) and with a regional markup injected (flagged)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import numpy as np
import pytest

from agents.budget import Analysis, BudgetRequest, deal_request, estimate
from agents.budget.evidence import BudgetTools
from agents.budget.lines import LinePrice
from eval.fairness import (
    assess,
    scan_fairness,
    size_bands,
    within_band_ratio,
)
from eval.fairness_models import MIN_GROUP_DEALS, Assessment, FairnessReport, RegionResult
from eval.fairness_replay import (
    PricedDeal,
    Pricing,
    ScanReadCache,
    pricing_of,
    replay_deals,
    sample_deals,
)
from eval.fairness_report import render_page
from tests.support.budget_world import AS_OF, MIXED, World, build_world
from tools.logistics import REGIONS

# --- metrics on hand-made deals ---------------------------------------------------------------


def deal(
    number: int,
    *,
    list_value: float = 1000.0,
    price: float = 900.0,
    factors: Mapping[str, float] | None = None,
    refused: frozenset[str] = frozenset(),
    recorded: str = "East",
) -> PricedDeal:
    """A deal priced ``price`` everywhere, times ``factors[region]``, unapproved in ``refused``."""
    factors = factors or {}
    replays = {
        r: Pricing(target_total=price * factors.get(r, 1.0), approved=r not in refused)
        for r in REGIONS
    }
    own = replays[recorded]
    return PricedDeal(
        deal_id=f"D{number:04d}",
        recorded_region=recorded,
        list_value=list_value,
        own=own,
        replays=replays,
    )


def by_region(report: Assessment) -> dict[str, RegionResult]:
    return {r.region: r for r in report.regions}


def test_the_within_band_ratio_weighs_each_band_by_its_deals() -> None:
    replayed = np.array([2.0, 2.0, 2.0, 1.0])
    reference = np.ones(4)
    band = np.array([0, 0, 0, 1])
    assert within_band_ratio(replayed, reference, band) == pytest.approx(0.75 * 2 + 0.25 * 1)
    # Ratio of means inside a band, not mean of ratios.
    assert within_band_ratio(np.array([1.0, 3.0]), np.array([1.0, 1.0]), np.zeros(2)) == 2.0


def test_size_bands_are_quantiles_with_enough_deals_each() -> None:
    values = np.arange(1, 121, dtype=float)[::-1]
    codes = size_bands(values, min_deals=30)
    assert sorted(np.bincount(codes)) == [30, 30, 30, 30]
    assert codes[0] == 3 and codes[-1] == 0  # the largest deal sits in the top band
    assert set(size_bands(values[:59], min_deals=30)) == {0}
    assert set(size_bands(np.full(90, 5.0), min_deals=30)) == {0}  # all tied: one band


def test_no_bias_passes_every_region() -> None:
    deals = [deal(i, list_value=1000.0 + i, price=900.0 + i) for i in range(40)]
    report = assess(deals, regions=REGIONS, seed=1)
    assert report.verdict == "no_bias_detected" and report.findings == ()
    assert report.four_fifths_ratio == 1.0
    for result in report.regions:
        assert result.status == "pass" and result.deals == 40
        assert result.price_ratio == 1.0 and result.price_ratio_ci == (1.0, 1.0)
        assert result.approval_rate == 1.0 and result.deals_changed == 0


def test_a_regional_markup_is_flagged_in_that_region_only() -> None:
    deals = [
        deal(i, list_value=1000.0 * (i + 1), price=900.0 * (i + 1), factors={"West": 1.1},
             refused=frozenset({"West"}) if i % 2 else frozenset())
        for i in range(60)
    ]  # fmt: skip
    report = assess(deals, regions=REGIONS, seed=1)
    regions = by_region(report)
    west = regions["West"]
    assert report.verdict == "bias_detected"
    assert west.status == "flagged"
    assert west.price_ratio == pytest.approx(1.1)
    low, high = west.price_ratio_ci
    assert 1.0 < low <= 1.1 <= high
    assert west.approval_rate == 0.5 and west.impact_ratio == 0.5
    assert report.four_fifths_ratio == 0.5
    assert any("four-fifths" in f for f in report.findings)
    assert any("+10.0%" in f for f in report.findings)
    # The reference is each deal's median region price, so the others stay at parity.
    assert all(regions[r].status == "pass" for r in REGIONS if r != "West")
    # Recorded in East, so moving a deal to West changes its price by 10%.
    assert west.mean_change_pct == pytest.approx(10.0)
    assert west.deals_changed == 60
    assert {c.band for c in report.cells} == {0, 1}
    assert all(c.price_ratio == pytest.approx(1.1) for c in report.cells if c.region == "West")


@pytest.mark.parametrize(("approved", "flagged"), [(40, False), (39, True)])
def test_the_four_fifths_rule_is_strictly_under_eighty_percent(
    approved: int, flagged: bool
) -> None:
    deals = [
        deal(i, refused=frozenset({"North"}) if i >= approved else frozenset()) for i in range(50)
    ]
    report = assess(deals, regions=REGIONS, seed=1)
    north = by_region(report)["North"]
    assert north.impact_ratio == pytest.approx(approved / 50)
    assert (north.status == "flagged") is flagged
    assert report.four_fifths_ratio == pytest.approx(approved / 50)


def test_a_price_difference_within_tolerance_is_not_a_finding() -> None:
    deals = [deal(i, price=900.0 + i, factors={"South": 1.005}) for i in range(40)]
    south = by_region(assess(deals, regions=REGIONS, seed=1))["South"]
    assert south.price_ratio == pytest.approx(1.005)
    assert south.status == "pass"


def test_a_noisy_difference_whose_interval_spans_parity_is_not_a_finding() -> None:
    # Every other deal 50% dearer, the rest 45% cheaper: +2.5% on average, but the interval
    # over 40 deals is wide and includes 1.
    deals = [deal(i, factors={"South": 1.5 if i % 2 else 0.55}) for i in range(40)]
    south = by_region(assess(deals, regions=REGIONS, seed=1))["South"]
    assert south.price_ratio == pytest.approx(1.025)
    assert south.price_ratio_ci is not None
    low, high = south.price_ratio_ci
    assert low < 1 < high
    assert south.status == "pass" and south.deals_changed == 40


def test_groups_under_thirty_deals_are_insufficient_never_a_pass() -> None:
    biased = [deal(i, factors={"West": 1.5}, refused=frozenset({"West"})) for i in range(29)]
    report = assess(biased, regions=REGIONS, seed=1)
    assert MIN_GROUP_DEALS == 30
    assert report.verdict == "insufficient_data" and report.four_fifths_ratio is None
    for result in report.regions:
        assert result.status == "insufficient_data" and result.deals == 29
        assert "29 deals, at least 30" in result.reasons[0]
    assert all(not cell.sufficient for cell in report.cells)
    empty = assess([], regions=REGIONS, seed=1)
    assert empty.verdict == "insufficient_data" and empty.bands == () and empty.cells == ()
    assert all(r.status == "insufficient_data" and r.deals == 0 for r in empty.regions)


def test_the_html_section_embeds_its_plot_and_escapes_text() -> None:
    assessment = assess(
        [deal(i, factors={"West": 1.2}) for i in range(30)], regions=REGIONS, seed=1
    )
    report = FairnessReport(
        **{**dict(assessment), "findings": ("<script>x</script>",)},
        as_of=AS_OF, seed=1, sample_requested=30, deals_available=30,
    )  # fmt: skip
    page = render_page(report)
    assert "data:image/png;base64,iVBOR" in page  # a PNG, inline
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    assert "Regional bias detected" in page
    assert 'src="http' not in page and "<script" not in page  # nothing from the network


# --- approval: the discount policy's bounds ---------------------------------------------------


def line(unit_target: float, *, priced: bool = True) -> LinePrice:
    return LinePrice(
        product_id="PRD-1", quantity=2, priced=priced, list_price=100.0, floor_price=80.0,
        volume_discount_pct=5.0, unit_target=unit_target if priced else None,
    )  # fmt: skip


def analysis(*lines: LinePrice) -> Analysis:
    return Analysis(
        account_id="ACC-1", deal_id="D-1", region="East", lines=lines, budget=None, factors=(),
        support=(), confidence=0.5,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("target", "approved"),
    [(95.0, True), (80.0, True), (90.0, True), (95.02, False), (79.98, False)],
)
def test_approval_means_the_target_is_inside_the_discount_policy(
    target: float, approved: bool
) -> None:
    found = pricing_of(analysis(line(target), line(0.0, priced=False)))
    assert found is not None
    list_value, pricing = found
    assert list_value == 200.0 and pricing.target_total == pytest.approx(2 * target)
    assert pricing.approved is approved


def test_the_sample_is_reproducible() -> None:
    ids = [f"D{i}" for i in range(100)]
    assert sample_deals(ids, size=10, seed=3) == sample_deals(ids, size=10, seed=3)
    assert sample_deals(ids, size=10, seed=3) != sample_deals(ids, size=10, seed=4)
    assert sample_deals(ids[:5], size=10, seed=3) == ids[:5]


# --- the budget agent itself, replayed on a small demo world ----------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("fairness-world"))
    yield built
    built.engine.dispose()


def regional_markup(
    factors: Mapping[str, float],
) -> Callable[[BudgetTools, BudgetRequest], Analysis]:
    """The agent's estimate with the target unit price multiplied by a factor of the region."""

    def biased(tools: BudgetTools, request: BudgetRequest) -> Analysis:
        result = estimate(tools, request)
        factor = factors.get(result.region, 1.0)
        lines = tuple(
            ln.model_copy(update={"unit_target": round(ln.unit_target * factor, 2)})
            if ln.priced and ln.unit_target is not None
            else ln
            for ln in result.lines
        )
        return result.model_copy(update={"lines": lines})

    return biased


@pytest.mark.slow
def test_the_scan_reads_the_same_data_the_agent_reads(world: World) -> None:
    cached = ScanReadCache(world.tools)
    deals = sample_deals(
        [d.id for a in world.crm.list_accounts(limit=100) for d in world.crm.deals_for_account(account_id=a.id) if d.lines],
        size=4, seed=2,
    ) + [MIXED]  # fmt: skip
    for deal_id in deals:
        for region in (None, "West"):
            direct = estimate(
                world.tools, deal_request(world.tools, deal_id, as_of=AS_OF, region=region)
            )
            replayed = estimate(cached, deal_request(cached, deal_id, as_of=AS_OF, region=region))
            assert replayed == direct
        cached.forget_deal()


def test_a_deal_without_a_priced_line_is_skipped(world: World) -> None:
    assert pricing_of(analysis(line(0.0, priced=False))) is None

    def unpriced(tools: BudgetTools, request: BudgetRequest) -> Analysis:
        return analysis(line(0.0, priced=False))

    priced, skipped = replay_deals(
        world.tools, [MIXED], regions=REGIONS, as_of=AS_OF, estimator=unpriced
    )
    assert priced == [] and [s.deal_id for s in skipped] == [MIXED]


@pytest.mark.slow
def test_the_demo_budget_agent_shows_no_regional_bias(world: World) -> None:
    report = scan_fairness(world.crm, world.tools, sample=40, seed=11, as_of=AS_OF)
    assert report.deals_available > 100 and report.deals_scanned + len(report.skipped) == 40
    assert report.deals_scanned >= MIN_GROUP_DEALS
    assert report.verdict == "no_bias_detected", report.findings
    assert report.four_fifths_ratio == 1.0
    for result in report.regions:
        assert result.status == "pass"
        assert result.deals_changed == 0 and result.max_abs_change_pct == 0.0
        assert result.price_ratio == 1.0
    assert sum(r.recorded_deals for r in report.regions) == report.deals_scanned


@pytest.mark.slow
def test_an_injected_regional_markup_is_flagged(world: World) -> None:
    report = scan_fairness(
        world.crm, world.tools, sample=40, seed=11, as_of=AS_OF,
        estimator=regional_markup({"Central": 1.08}),
    )  # fmt: skip
    regions = by_region(report)
    central = regions["Central"]
    assert report.verdict == "bias_detected"
    assert central.status == "flagged"
    assert central.price_ratio == pytest.approx(1.08, abs=0.002)
    assert central.price_ratio_ci[0] > 1.01
    # A markup pushes targets past the price the volume discount entitles: not approved.
    assert central.impact_ratio < 0.8
    assert all(regions[r].status == "pass" for r in REGIONS if r != "Central")
