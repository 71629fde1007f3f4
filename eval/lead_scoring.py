"""Score the lead scoring agent against the demo generator's hidden ground truth.

The truth (``crm.truth``) is read here and only here: the agent never sees it, neither to fit
nor to infer. ``evaluate_stages`` assesses every account as of the data's clock and compares
the inferred buying stage with the true one.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from agents.lead_scoring import assess_lead, win_model_for
from agents.lead_scoring.stage import STAGES
from crm.store import CRMStore
from crm.truth import read_ground_truth
from tools.behaviour import account_behaviour, data_clock


@dataclass
class StageReport:
    """Accuracy, confusion, confidence by correctness, and the time the run took."""

    accounts: int
    correct: int
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    confidence_right: list[float] = field(default_factory=list)
    confidence_wrong: list[float] = field(default_factory=list)
    win_model: dict[str, Any] = field(default_factory=dict)
    fit_seconds: float = 0.0
    seconds_per_account: float = 0.0
    mistakes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.accounts if self.accounts else 0.0

    def per_stage(self) -> dict[str, dict[str, float]]:
        """Recall and precision of each stage."""
        rows = {}
        for stage in STAGES:
            truly = sum(n for (t, _), n in self.confusion.items() if t == stage)
            called = sum(n for (_, p), n in self.confusion.items() if p == stage)
            hit = self.confusion[(stage, stage)]
            rows[stage] = {
                "accounts": truly,
                "recall": hit / truly if truly else 0.0,
                "precision": hit / called if called else 0.0,
            }
        return rows

    def as_dict(self) -> dict[str, Any]:
        def mean(values: list[float]) -> float | None:
            return round(sum(values) / len(values), 3) if values else None

        return {
            "accounts": self.accounts,
            "accuracy": round(self.accuracy, 4),
            "per_stage": self.per_stage(),
            "mean_confidence_right": mean(self.confidence_right),
            "mean_confidence_wrong": mean(self.confidence_wrong),
            "win_model": self.win_model,
            "fit_seconds": round(self.fit_seconds, 3),
            "ms_per_account": round(self.seconds_per_account * 1000, 2),
            "mistakes": self.mistakes,
        }


def evaluate_stages(engine: Engine, *, as_of: datetime | None = None) -> StageReport:
    """Assess every account that has a ground-truth row and compare stages."""
    crm = CRMStore(engine)
    truth = read_ground_truth(engine)
    started = time.perf_counter()
    model = win_model_for(crm)
    fit_seconds = time.perf_counter() - started
    when = as_of or data_clock(crm)
    report = StageReport(
        accounts=len(truth), correct=0, win_model=model.as_dict(), fit_seconds=fit_seconds
    )
    started = time.perf_counter()
    for account_id, row in truth.items():
        assessment = assess_lead(account_behaviour(crm, account_id=account_id, as_of=when), model)
        called = assessment.stage.stage
        report.confusion[(row.true_stage, called)] += 1
        if called == row.true_stage:
            report.correct += 1
            report.confidence_right.append(assessment.score.confidence)
        else:
            report.confidence_wrong.append(assessment.score.confidence)
            report.mistakes.append(
                {
                    "account_id": account_id,
                    "true": row.true_stage,
                    "called": called,
                    "signals": [s.name for s in assessment.stage.held],
                    "confidence": assessment.score.confidence,
                }
            )
    report.seconds_per_account = (time.perf_counter() - started) / max(len(truth), 1)
    return report
