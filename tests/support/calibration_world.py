"""A recommendation log to sample from: several agents of very different sizes over two months."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from core.recommendation import Fact, Recommendation
from crm.db import session_factory
from crm.recommendations import RecommendationRow

OCTOBER = datetime(2026, 10, 1, tzinfo=UTC)
# agent -> recommendations per month; 'relationships' is the small agent the minimum protects.
AGENT_SIZES = {"technical_qa": 400, "budget": 250, "lead_scoring": 300, "relationships": 12}


def qa_recommendation(index: int, *, created_at: datetime, confidence: float) -> Recommendation:
    chunks = [f"chunk-{index}-{n}" for n in range(3)]
    return Recommendation(
        id=f"rec-qa-{created_at:%m}-{index:04d}",
        kind="technical_answer",
        agent="technical_qa",
        subject={"product_id": f"PRD-{index % 7:04d}"},
        content=f"The pump delivers {index % 9 + 1} l/min at 2 bar [1]\n\nSources:\n[1] Manual",
        confidence=confidence,
        provenance=[
            Fact(
                source="product_docs", record_id=chunk, field="DOC#Flow", value=f"flow text {chunk}"
            )
            for chunk in chunks
        ],
        data={"question": f"What flow does pump {index % 7} deliver?"},
        created_at=created_at,
    )


def fill_log(
    engine: Engine, *, seed: int = 7, months: int = 2, contact: str | None = None
) -> list[str]:
    """Record every agent's recommendations over ``months`` months from October 2026; ids back."""
    rng = random.Random(seed)
    records: list[Recommendation] = []
    for month in range(months):
        start = datetime(2026, 10 + month, 1, tzinfo=UTC)
        for agent, size in AGENT_SIZES.items():
            for index in range(size):
                created = start + timedelta(minutes=rng.randrange(0, 28 * 24 * 60))
                confidence = round(rng.random(), 3)
                if agent == "technical_qa":
                    rec = qa_recommendation(index, created_at=created, confidence=confidence)
                else:
                    rec = Recommendation(
                        id=f"rec-{agent}-{start:%m}-{index:04d}",
                        kind=f"{agent}_result",
                        agent=agent,
                        subject={
                            "account_id": f"ACC-{index % 40:04d}",
                            "contact_id": contact or f"CON-{index % 90:04d}",
                        },
                        content=f"{agent} says {index}",
                        confidence=confidence,
                        created_at=created,
                    )
                records.append(rec.model_copy(update={"status": "final"}))
    # One transaction (RecommendationLog.record commits each): the same rows, written quickly.
    with session_factory(engine)() as session:
        session.add_all(
            RecommendationRow(
                id=rec.id,
                kind=rec.kind,
                agent=rec.agent,
                account_id=rec.subject.get("account_id"),
                contact_id=rec.subject.get("contact_id"),
                deal_id=None,
                confidence=rec.confidence,
                created_at=rec.created_at,
                record=rec.model_dump(mode="json"),
            )
            for rec in records
        )
        session.commit()
    return [rec.id for rec in records]
