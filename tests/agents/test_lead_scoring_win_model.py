"""The win-probability model: fitted where it beats the hand rule, the rule otherwise."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

from agents.lead_scoring.win_model import HAND_RULE, INPUTS, MIN_DEALS, fit_win_model
from tools.deal_history import DealHistoryRow

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def rows(count: int, *, seed: int = 1, signal: bool = True) -> list[DealHistoryRow]:
    rng = random.Random(seed)
    made = []
    for number in range(count):
        meetings, price = rng.randint(0, 4), rng.random()
        logit = (-1.5 + 0.6 * meetings + 3.0 * price) if signal else 0.0
        made.append(
            DealHistoryRow(
                deal_id=f"DEAL-{number}",
                account_id="ACC-1",
                won=rng.random() < 1 / (1 + math.exp(-logit)),
                meetings=meetings,
                emails=rng.randint(0, 5),
                senior_met=rng.random() < 0.4,
                price_position=price,
                strategic=rng.random() < 0.2,
                closed_on=WHEN,
            )
        )
    return made


def test_a_model_that_beats_the_rule_is_used_and_shows_its_evidence() -> None:
    model = fit_win_model(rows(600))
    assert model.kind == "logistic_regression"
    assert model.cv_auc is not None and model.rule_auc is not None
    assert model.cv_auc > model.rule_auc
    assert set(model.weights) == set(INPUTS) and model.weights["price_position"] > 1.0
    high = dict.fromkeys(INPUTS, 0.0) | {"meetings": 4.0, "price_position": 1.0}
    low = dict.fromkeys(INPUTS, 0.0)
    assert model.probability(high) > 0.8 > 0.3 > model.probability(low)


def test_too_little_history_or_one_outcome_keeps_the_hand_rule() -> None:
    few = fit_win_model(rows(MIN_DEALS - 1))
    assert few.kind == "hand_rule" and "too few" in few.reason
    all_won = [r.__class__(**{**r.__dict__, "won": True}) for r in rows(200)]
    assert fit_win_model(all_won).kind == "hand_rule"
    assert fit_win_model([]).weights == HAND_RULE.weights


def test_the_rule_is_kept_when_the_model_cannot_beat_it() -> None:
    # Outcomes that follow the hand rule's own inputs exactly: a fitted model cannot do better.
    rule_rows = rows(400, signal=False, seed=3)
    ranked = sorted(
        rule_rows,
        key=lambda r: HAND_RULE.probability(
            {
                "meetings": r.meetings,
                "emails": r.emails,
                "senior_met": float(r.senior_met),
                "price_position": r.price_position,
                "strategic": float(r.strategic),
            }
        ),
    )
    decided = [
        r.__class__(**{**r.__dict__, "won": index >= len(ranked) // 2})
        for index, r in enumerate(ranked)
    ]
    model = fit_win_model(decided)
    assert model.kind == "hand_rule" and "did not beat" in model.reason
    assert model.rule_auc is not None and model.cv_auc is not None
