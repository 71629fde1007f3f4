"""Time of the calibration harness's steps on a large recommendation log.

Writes a month of synthetic recommendations (five agents of very different sizes) into a
temporary SQLite database, then times: drawing the stratified 5% sample into a batch, importing
two reviewers' scores for every item from CSV, and computing the batch's metrics (1,000
bootstrap resamples, ragas Q&A metrics) with drift against the month before. The baseline in
the same run is one reference computation of each metric without resampling.

    .venv/bin/python bench/calibration_harness.py [--recommendations 50000] [--resamples 1000]
"""

from __future__ import annotations

from core.offline import apply_offline_defaults

apply_offline_defaults()

import argparse  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

from sqlalchemy import insert  # noqa: E402

from core.recommendation import Fact, Recommendation  # noqa: E402
from crm.db import make_engine, migrate  # noqa: E402
from crm.recommendations import RecommendationRow  # noqa: E402
from eval.calibration import metrics as mx  # noqa: E402
from eval.calibration.measure import batch_report  # noqa: E402
from eval.calibration.sampling import month_period  # noqa: E402
from eval.calibration.store import CalibrationStore  # noqa: E402
from eval.calibration.summary import observations  # noqa: E402

SHARES = {
    "technical_qa": 0.4,
    "lead_scoring": 0.3,
    "budget": 0.2,
    "next_action": 0.09,
    "relationships": 0.01,
}


def _rows(count: int, month: datetime, rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for agent, share in SHARES.items():
        for index in range(max(1, int(count * share))):
            rec = Recommendation(
                id=f"{agent}-{month:%m}-{index}",
                kind=agent,
                agent=agent,
                subject={"account_id": f"ACC-{index % 500:04d}"},
                content=f"{agent} recommends option {index % 7}.\n\nSources:\n[1] doc",
                confidence=round(rng.random(), 3),
                provenance=[
                    Fact(source="product_docs", record_id=f"c{index}", field="f", value="text")
                ],
                created_at=month + timedelta(minutes=rng.randrange(0, 27 * 24 * 60)),
                status="final",
            )
            rows.append(
                {
                    "id": rec.id,
                    "kind": rec.kind,
                    "agent": rec.agent,
                    "account_id": rec.subject["account_id"],
                    "contact_id": None,
                    "deal_id": None,
                    "confidence": rec.confidence,
                    "created_at": rec.created_at,
                    "record": rec.model_dump(mode="json"),
                }
            )
    return rows


def _scores_csv(store: CalibrationStore, batch_id: str, rng: random.Random) -> str:
    lines = ["item_id,reviewer,score,correct"]
    for item in store.items_with_reviews(batch_id=batch_id):
        for reviewer in ("ann", "bob"):
            score = min(5, max(1, item.confidence_band + rng.choice((-1, 0, 0, 1))))
            lines.append(f"{item.id},{reviewer},{score},{rng.random() < item.confidence}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=50_000, help="per month")
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'crm.db'}"
        migrate(url)
        engine = make_engine(url)
        store = CalibrationStore(engine)
        for month in ("2026-09", "2026-10"):
            start, end = month_period(month)
            with engine.begin() as connection:
                connection.execute(
                    insert(RecommendationRow), _rows(args.recommendations, start, rng)
                )
            began = time.perf_counter()
            batch = store.draw_batch(period_start=start, period_end=end)
            sampled = time.perf_counter() - began
            text = _scores_csv(store, batch.id, rng)
            began = time.perf_counter()
            store.import_scores(batch_id=batch.id, text=text)
            imported = time.perf_counter() - began
        began = time.perf_counter()
        report = batch_report(store, batch_id=batch.id, resamples=args.resamples)
        measured = time.perf_counter() - began
        obs = observations(store.items_with_reviews(batch_id=batch.id))
        began = time.perf_counter()
        conf, out = [o.confidence for o in obs], [int(o.correct) for o in obs]
        mx.quadratic_kappa([o.band for o in obs], [o.score for o in obs])
        mx.spearman(conf, [o.score for o in obs])
        mx.expected_calibration_error(conf, out)
        mx.brier_score(conf, out)
        baseline = time.perf_counter() - began
        engine.dispose()
    print(
        f"recommendations per month: {batch.population}; sampled {batch.items} in {len(batch.strata)} strata"
    )
    print(f"draw the sample into a batch:        {sampled * 1000:8.0f} ms")
    print(f"import {len(obs)} scores from CSV:       {imported * 1000:8.0f} ms")
    print(f"metrics + drift (2 months, {args.resamples} resamples): {measured * 1000:8.0f} ms")
    print(f"baseline, the four metrics once:     {baseline * 1000:8.1f} ms")
    print(f"overall kappa {report.overall.kappa.value:.3f}, ECE {report.overall.ece.value:.3f}")


if __name__ == "__main__":
    main()
