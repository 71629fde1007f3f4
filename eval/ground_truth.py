"""Score the agents against the demo generator's hidden ground truth (``crm.truth``).

Three figures, each over every account with a ground-truth row:

- buying-stage accuracy of lead scoring (``eval.lead_scoring.evaluate_stages``);
- decision-maker top-1 of the relationships agent (its map's decision maker is the true one);
- budget-band accuracy and coverage of the budget agent (the band of its point estimate is the
  true band; the true band is among those its 80% interval touches).

The truth is read here, for scoring only; the agents never see it. The bench scripts
(``bench/relationships_eval.py``, ``bench/budget_eval.py``) reuse these functions and add
baselines and ablations.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from crm.truth import read_ground_truth
from eval.lead_scoring import evaluate_stages
from tools.run_scope import NO_USER


async def decision_makers(
    graph: Any, accounts: list[str], *, as_of: str | None = None
) -> dict[str, Any]:
    """Run a compiled relationships graph per account: its decision maker, confidence, time."""
    results: dict[str, Any] = {}
    extra = {"as_of": as_of} if as_of else {}
    for account_id in accounts:
        started = time.perf_counter()
        state = await graph.ainvoke({"account_id": account_id, **extra}, NO_USER)
        stakeholders = state.get("stakeholder_map") or {}
        results[account_id] = {
            "decision_maker": stakeholders.get("decision_maker"),
            "confidence": stakeholders.get("decision_maker_confidence", 0.0),
            "seconds": time.perf_counter() - started,
            "champions": len(stakeholders.get("champions", [])),
            "blockers": len(stakeholders.get("blockers", [])),
        }
    return results


async def budgets(graph: Any, accounts: list[str], *, as_of: str | None = None) -> dict[str, Any]:
    """Run a compiled budget graph per account: its budget estimate, confidence, time."""
    results: dict[str, Any] = {}
    extra = {"as_of": as_of} if as_of else {}
    for account_id in accounts:
        started = time.perf_counter()
        state = await graph.ainvoke({"account_id": account_id, **extra}, NO_USER)
        results[account_id] = {
            "budget": (state.get("analysis") or {}).get("budget"),
            "confidence": (state.get("recommendation") or {}).get("confidence"),
            "seconds": time.perf_counter() - started,
        }
    return results


def top1_accuracy(picks: Mapping[str, str | None], truth: Mapping[str, str | None]) -> float:
    """Share of accounts whose pick is the true one."""
    return sum(picks.get(a) == truth[a] for a in truth) / len(truth) if truth else 0.0


def band_scores(results: Mapping[str, Any], truth: Mapping[str, str]) -> dict[str, Any]:
    """Band accuracy and coverage of budget results against the true bands."""
    hits = covered = touched = missing = 0
    by_method: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for account_id, true_band in truth.items():
        budget = results[account_id]["budget"]
        if budget is None:
            missing += 1
            continue
        hit, cover = budget["band"] == true_band, true_band in budget["bands"]
        hits, covered, touched = hits + hit, covered + cover, touched + len(budget["bands"])
        row = by_method[budget["method"]]
        row[0], row[1], row[2] = row[0] + 1, row[1] + hit, row[2] + cover
    n = len(truth) or 1
    return {
        "accounts": len(truth),
        "band_accuracy": round(hits / n, 4),
        "band_coverage": round(covered / n, 4),
        "mean_bands_touched": round(touched / max(len(truth) - missing, 1), 3),
        "no_estimate": missing,
        "by_method": {
            m: {
                "accounts": r[0],
                "accuracy": round(r[1] / r[0], 4),
                "coverage": round(r[2] / r[0], 4),
            }
            for m, r in sorted(by_method.items())
        },
    }


@dataclass(frozen=True)
class GroundTruthReport:
    """The three ground-truth figures over one demo CRM."""

    accounts: int
    stage_accuracy: float
    decision_maker_top1: float
    budget: dict[str, Any]
    stage_mistakes: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "accounts": self.accounts,
            "stage_accuracy": round(self.stage_accuracy, 4),
            "decision_maker_top1": round(self.decision_maker_top1, 4),
            "budget_band_accuracy": self.budget["band_accuracy"],
            "budget_band_coverage": self.budget["band_coverage"],
            "budget": self.budget,
            "stage_mistakes": self.stage_mistakes,
        }


async def score_against_truth(
    engine: Engine, *, relationships_graph: Any, budget_graph: Any
) -> GroundTruthReport:
    """Stage accuracy, decision-maker top-1 and budget bands of every ground-truth account."""
    truth = read_ground_truth(engine)
    accounts = sorted(truth)
    stages = evaluate_stages(engine)
    picks = await decision_makers(relationships_graph, accounts)
    estimates = await budgets(budget_graph, accounts)
    return GroundTruthReport(
        accounts=len(accounts),
        stage_accuracy=stages.accuracy,
        decision_maker_top1=top1_accuracy(
            {a: r["decision_maker"] for a, r in picks.items()},
            {a: t.true_decision_maker_contact_id for a, t in truth.items()},
        ),
        budget=band_scores(estimates, {a: t.true_budget_band for a, t in truth.items()}),
        stage_mistakes=stages.mistakes,
    )
