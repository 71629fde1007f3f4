"""Buying-stage accuracy of the lead scoring agent against the demo's hidden ground truth.

Seeds a temporary full-scale demo CRM per seed (about 4 s each), assesses every account as of
the data's clock and compares the inferred stage with the generator's hidden one (crm.truth:
read in eval/lead_scoring.py, for scoring only; the agent never sees it). The default seed is
the one the rules were written against; the others are held out. Also printed:

- two baselines: the most common stage for every account, and the stage the account's most
  advanced open deal implies (what the pipeline alone says);
- mean confidence of right and wrong calls (is the raw confidence honest?);
- the win-probability model: fitted or hand rule, out-of-fold AUC against the hand rule's;
- time to fit the model and to assess one account (SQLite).

    .venv/bin/python bench/lead_scoring_eval.py [--seeds 20261125,7,11] [--scale 1.0] [--json F]
"""

from __future__ import annotations

from core.offline import apply_offline_defaults

apply_offline_defaults()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from core.settings import Settings  # noqa: E402
from crm.db import make_engine, migrate  # noqa: E402
from crm.demo import seed_demo  # noqa: E402
from crm.store import CRMStore  # noqa: E402
from crm.truth import read_ground_truth  # noqa: E402
from eval.lead_scoring import evaluate_stages  # noqa: E402

PIPELINE_STAGE = {  # what an open deal's stage says about the buying stage
    "prospecting": "research",
    "qualification": "research",
    "proposal": "evaluation",
    "negotiation": "negotiation",
}
RANK = ("prospecting", "qualification", "proposal", "negotiation")


def pipeline_baseline(engine: Any) -> float:
    """Accuracy of 'the most advanced open deal's stage, else awareness'."""
    crm, truth = CRMStore(engine), read_ground_truth(engine)
    right = 0
    for account_id, row in truth.items():
        open_deals = [
            d.stage for d in crm.deals_for_account(account_id=account_id) if d.outcome == "open"
        ]
        best = max(open_deals, key=RANK.index, default=None)
        right += PIPELINE_STAGE.get(best or "", "awareness") == row.true_stage
    return right / len(truth)


def run_seed(seed: int, scale: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'crm.db'}"
        migrate(url)
        engine = make_engine(url)
        started = time.perf_counter()
        seed_demo(engine, seed=seed, scale=scale)
        seeded = time.perf_counter() - started
        report = evaluate_stages(engine)
        truth = Counter(row.true_stage for row in read_ground_truth(engine).values())
        result = report.as_dict()
        result.update(
            seed=seed,
            seed_seconds=round(seeded, 1),
            majority_baseline=round(truth.most_common(1)[0][1] / sum(truth.values()), 4),
            pipeline_baseline=round(pipeline_baseline(engine), 4),
        )
        engine.dispose()
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=f"{Settings(_env_file=None).seed},7,11")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = [run_seed(int(seed), args.scale) for seed in args.seeds.split(",")]
    out = sys.stdout
    for r in results:
        wm = r["win_model"]
        out.write(
            f"seed {r['seed']}: {r['accounts']} accounts, stage accuracy {r['accuracy']:.1%}"
            f" (majority {r['majority_baseline']:.1%}, pipeline {r['pipeline_baseline']:.1%});"
            f" confidence right {r['mean_confidence_right']} wrong {r['mean_confidence_wrong']}\n"
        )
        for stage, row in r["per_stage"].items():
            out.write(
                f"    {stage:<12} n={row['accounts']:<3} recall {row['recall']:.2f}"
                f"  precision {row['precision']:.2f}\n"
            )
        out.write(
            f"    win model: {wm['kind']} on {wm['deals']} closed deals, out-of-fold AUC"
            f" {wm['cv_auc']} vs hand rule {wm['rule_auc']}; fit {r['fit_seconds']} s;"
            f" {r['ms_per_account']} ms per account\n"
        )
        for m in r["mistakes"]:
            out.write(
                f"    miss {m['account_id']}: {m['true']} called {m['called']} {m['signals']}\n"
            )
    total = sum(r["accounts"] for r in results)
    right = sum(round(r["accuracy"] * r["accounts"]) for r in results)
    out.write(f"all seeds: {right}/{total} = {right / total:.1%}\n")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
