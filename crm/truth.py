"""Reader of the hidden ground truth: for evaluation code only, never handed to agents."""

from __future__ import annotations

from sqlalchemy import Engine, select

from crm.db import session_factory
from crm.models import GroundTruth
from crm.records import GroundTruthRecord


def read_ground_truth(engine: Engine) -> dict[str, GroundTruthRecord]:
    """The true stage, budget band and decision maker of every account, by account id."""
    with session_factory(engine)() as session:
        rows = session.scalars(select(GroundTruth).order_by(GroundTruth.account_id)).all()
        return {row.account_id: GroundTruthRecord.model_validate(row) for row in rows}
