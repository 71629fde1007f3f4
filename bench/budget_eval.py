"""Budget-band coverage of the budget agent against the demo's hidden truth, and price coverage.

Seeds a temporary demo CRM (about 4 s at full scale), runs the budget graph with the scripted
model for every account (input ``account_id``, no lines, as of the demo's today, 2026-11-01),
and compares the recommended 2026 budget with the generator's hidden budget band
(crm.truth: read here, for scoring only; the agent never sees it). Reported:

- band accuracy: the band of the point estimate is the true band;
- band coverage: the true band is among the bands the 80% interval touches (and how many bands
  the interval touches on average: coverage is cheap with wide intervals);
- a baseline measured in the same run: the band of the last recorded budget;
- an ablation: the agent with the notes' stated budgets withheld (trend of recorded budgets only);
- price coverage, leave-one-out: for a sample of closed deals, priced as of the day each deal
  was created, with that deal excluded, the share of won deals whose accepted unit price lies
  between the walk-away and opening prices, the range's width, and the Brier score of the
  win curve at the price actually offered against the outcome (baseline: the base win rate).

    .venv/bin/python bench/budget_eval.py [--scale 1.0] [--seed N] [--deals 100] [--json out.json]
"""

from __future__ import annotations

from core.offline import apply_offline_defaults

apply_offline_defaults()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from agents.budget import analyse, build_budget_graph, deal_request  # noqa: E402
from agents.budget.evidence import gather_evidence  # noqa: E402
from agents.budget.win_curve import fit_win_curve  # noqa: E402
from agents.deps import AgentDeps  # noqa: E402
from core.settings import Settings  # noqa: E402
from crm.db import make_engine, migrate  # noqa: E402
from crm.demo import seed_demo  # noqa: E402
from crm.enums import budget_band  # noqa: E402
from crm.store import CRMStore  # noqa: E402
from crm.truth import read_ground_truth  # noqa: E402
from eval.ground_truth import band_scores, budgets  # noqa: E402
from llm.gateway import chat_model, model_info  # noqa: E402
from llm.providers import register_providers  # noqa: E402
from llm.scripted import scripted_model  # noqa: E402
from tools.pricing import PricingTools, StatedBudget  # noqa: E402

DEMO_TODAY = "2026-11-01"  # the demo generator's "today"


class WithoutNotes(PricingTools):
    """Pricing tools that find no budget stated in notes: the recorded-budget trend alone."""

    def stated_budgets(self, account_id: str, *, year: int, before: datetime) -> list[StatedBudget]:
        return []


async def budgets_by_graph(
    tools: PricingTools, settings: Settings, accounts: list[str]
) -> dict[str, Any]:
    graph = build_budget_graph(
        AgentDeps(tools=tools, model=chat_model(settings), model_info=model_info(settings))
    )
    # The scripted model answers with a sentence without figures: the numbers are the agent's.
    with scripted_model(rule=lambda messages: "The budget follows the account's recorded trend."):
        return await budgets(graph, accounts, as_of=DEMO_TODAY)


def last_year_baseline(crm: CRMStore, truth: dict[str, str]) -> float:
    hits = 0
    for account_id, true_band in truth.items():
        budgets = crm.budgets_for_account(account_id=account_id)
        hits += bool(budgets) and budget_band(float(budgets[-1].amount)) == true_band
    return round(hits / len(truth), 4)


def price_scores(
    tools: PricingTools, crm: CRMStore, accounts: list[str], sample: int
) -> dict[str, Any]:
    closed = [
        deal
        for account_id in accounts
        for deal in crm.deals_for_account(account_id=account_id)
        if deal.outcome in ("won", "lost") and deal.lines
    ]
    closed.sort(key=lambda d: d.id)
    chosen = closed[:: max(1, len(closed) // sample)][:sample] if sample else closed
    inside = won = 0
    widths, brier, brier_base, seconds = [], [], [], []
    for deal in chosen:
        started = time.perf_counter()
        evidence = gather_evidence(
            tools, deal_request(tools, deal.id, as_of=deal.created_at.date())
        )
        analysis = analyse(evidence)
        seconds.append(time.perf_counter() - started)
        curve = fit_win_curve(evidence.win_history)
        outcome = 1.0 if deal.outcome == "won" else 0.0
        for line, price, seen in zip(deal.lines, analysis.lines, evidence.lines, strict=True):
            if not price.priced or not price.list_price or seen.price_book is None:
                continue
            widths.append((price.unit_high - price.unit_low) / price.list_price * 100)
            if curve is not None and price.max_discount_pct:
                # The curve at the price actually offered, against what then happened.
                offered = (price.list_price - float(line.unit_price)) / price.list_price * 100
                brier.append((curve.chance(offered / price.max_discount_pct) - outcome) ** 2)
                brier_base.append((curve.won / curve.quotes - outcome) ** 2)
            if deal.outcome == "won":
                won += 1
                inside += (
                    price.unit_low - 0.005 <= float(line.unit_price) <= price.unit_high + 0.005
                )
    return {
        "deals": len(chosen),
        "won_lines": won,
        "won_price_in_range": round(inside / max(won, 1), 4),
        "mean_range_width_pct_of_list": round(statistics.fmean(widths), 2) if widths else None,
        "win_curve_brier": round(statistics.fmean(brier), 4) if brier else None,
        "base_rate_brier": round(statistics.fmean(brier_base), 4) if brier_base else None,
        "median_seconds_per_deal": round(statistics.median(seconds), 4) if seconds else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=Settings(_env_file=None).seed)
    parser.add_argument("--deals", type=int, default=100, help="closed deals to price (0: all)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    register_providers()
    with tempfile.TemporaryDirectory(prefix="budget-eval-") as folder:
        settings = Settings(
            _env_file=None, data_dir=Path(folder), model="scripted/bench", model_max_retries=0
        )
        migrate(settings.resolved_database_url)
        engine = make_engine(settings.resolved_database_url)
        started = time.perf_counter()
        seed_demo(engine, seed=args.seed, scale=args.scale)
        seeded = time.perf_counter() - started
        crm = CRMStore(engine)
        truth = {a: t.true_budget_band for a, t in read_ground_truth(engine).items()}
        accounts = sorted(truth)
        agent = asyncio.run(budgets_by_graph(PricingTools(crm), settings, accounts))
        trend_only = asyncio.run(budgets_by_graph(WithoutNotes(crm), settings, accounts))
        report = {
            "seed": args.seed,
            "scale": args.scale,
            "as_of": DEMO_TODAY,
            "seed_seconds": round(seeded, 2),
            "agent": band_scores(agent, truth),
            "agent_without_stated_budgets": band_scores(trend_only, truth),
            "baseline_last_recorded_band_accuracy": last_year_baseline(crm, truth),
            "median_seconds_per_account": round(
                statistics.median(r["seconds"] for r in agent.values()), 4
            ),
            "prices": price_scores(PricingTools(crm), crm, accounts, args.deals),
        }
        engine.dispose()
    base = report["baseline_last_recorded_band_accuracy"]
    report["band_accuracy_vs_baseline"] = (
        round(report["agent"]["band_accuracy"] / base, 3) if base else None
    )
    text = json.dumps(report, indent=2)
    sys.stdout.write(text + "\n")
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
