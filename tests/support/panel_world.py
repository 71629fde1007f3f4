"""A month of miscalibrated recommendations the simulated panel can judge, and their truth.

Three agents over ``accounts`` accounts in October 2026: lead scoring is underconfident (right
~90% of the time at 0.45-0.75), budget overconfident (right ~55% at 0.85-0.99), relationships
informative but overconfident (right with probability 0.05 + 0.6 * confidence). Every recommendation
carries the structured data the panel reads (stage, budget band, decision maker).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from core.recommendation import Fact, Recommendation
from crm.db import session_factory
from crm.enums import BUDGET_BANDS, TRUE_STAGES
from crm.recommendations import RecommendationRow
from crm.records import GroundTruthRecord

OCTOBER = datetime(2026, 10, 1, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)


def truth_for(accounts: int, *, seed: int = 3) -> dict[str, GroundTruthRecord]:
    rng = random.Random(seed)
    return {
        f"ACC-{n:04d}": GroundTruthRecord(
            account_id=f"ACC-{n:04d}",
            true_stage=rng.choice(TRUE_STAGES),
            true_budget_band=rng.choice(BUDGET_BANDS),
            true_decision_maker_contact_id=f"CON-{n:04d}1",
        )
        for n in range(accounts)
    }


def _other(rng: random.Random, options: tuple[str, ...], not_this: str) -> str:
    return rng.choice([o for o in options if o != not_this])


def _recommendation(
    agent: str, truth: GroundTruthRecord, rng: random.Random, created_at: datetime, index: int
) -> Recommendation:
    if agent == "lead_scoring":
        confidence, right = rng.uniform(0.45, 0.75), rng.random() < 0.9
        stage = truth.true_stage if right else _other(rng, TRUE_STAGES, truth.true_stage)
        data = {"lead_score": {"stage": stage}}
    elif agent == "budget":
        confidence, right = rng.uniform(0.85, 0.99), rng.random() < 0.55
        band = (
            truth.true_budget_band if right else _other(rng, BUDGET_BANDS, truth.true_budget_band)
        )
        data = {"budget_recommendation": {"budget": {"band": band, "bands": [band]}}}
    else:
        confidence = rng.uniform(0.2, 0.95)
        right = rng.random() < 0.05 + 0.6 * confidence
        expected = str(truth.true_decision_maker_contact_id)
        data = {"stakeholder_map": {"decision_maker": expected if right else expected[:-1] + "2"}}
    return Recommendation(
        id=f"rec-{agent}-{index:05d}",
        kind=f"{agent}_result",
        agent=agent,
        subject={"account_id": truth.account_id},
        content=f"{agent} for {truth.account_id}",
        confidence=round(confidence, 4),
        provenance=[
            Fact(source="accounts", record_id=truth.account_id, field="id", value=truth.account_id)
        ],
        data=data,
        created_at=created_at,
        status="final",
    )


def fill_month(
    engine: Engine,
    truth: dict[str, GroundTruthRecord],
    *,
    per_account: int = 2,
    seed: int = 11,
    agents: tuple[str, ...] = ("lead_scoring", "budget", "relationships"),
) -> int:
    """Log ``per_account`` recommendations per agent and account in October; how many."""
    rng = random.Random(seed)
    records = []
    for account in truth.values():
        for _ in range(per_account):
            for agent in agents:
                created = OCTOBER + timedelta(minutes=rng.randrange(0, 30 * 24 * 60))
                records.append(_recommendation(agent, account, rng, created, len(records)))
    with session_factory(engine)() as session:
        session.add_all(
            RecommendationRow(
                id=rec.id, kind=rec.kind, agent=rec.agent, account_id=rec.subject["account_id"],
                contact_id=None, deal_id=None, confidence=rec.confidence,
                created_at=rec.created_at, record=rec.model_dump(mode="json"),
            )
            for rec in records
        )  # fmt: skip
        session.commit()
    return len(records)
