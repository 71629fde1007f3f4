"""Decision-maker top-1 accuracy of the relationships agent against the demo's hidden truth.

Seeds a temporary demo CRM (about 4 s at full scale), runs the relationships graph with the
scripted model on every account, and compares its decision maker with the generator's hidden
one (crm.truth: read here, for scoring only; the agent never sees it). The same run measures:

- a baseline: the top of each account's organisation chart (the person most others report to);
- the agent with every note withheld (structure and coverage only: what the prior can do);
- the agent with only a share of the notes (robustness when reps log little);
- accuracy per confidence band (is the raw confidence honest?) and per industry;
- time per map (graph invoke, CRM on SQLite, no memory search).

    .venv/bin/python bench/relationships_eval.py [--scale 1.0] [--seed N] [--json out.json]
"""

from __future__ import annotations

from core.offline import apply_offline_defaults

apply_offline_defaults()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from agents.deps import AgentDeps  # noqa: E402
from agents.relationships import build_relationships_graph  # noqa: E402
from agents.relationships.hierarchy import Person, build_org_chart  # noqa: E402
from core.settings import Settings  # noqa: E402
from crm.db import make_engine, migrate  # noqa: E402
from crm.demo import seed_demo  # noqa: E402
from crm.store import CRMStore  # noqa: E402
from crm.truth import read_ground_truth  # noqa: E402
from eval.ground_truth import decision_makers, top1_accuracy  # noqa: E402
from llm.gateway import chat_model, model_info  # noqa: E402
from llm.providers import register_providers  # noqa: E402
from tools.stakeholders import Interaction, StakeholderTools  # noqa: E402

DEMO_NOW = "2026-11-01T00:00:00+00:00"  # the demo generator's "today"


class ThinnedNotes(StakeholderTools):
    """Stakeholder tools that keep only ``share`` of the note bodies (seeded, per account)."""

    def __init__(self, crm: CRMStore, share: float, seed: int) -> None:
        super().__init__(crm)
        self.share, self.seed = share, seed

    def interactions(self, account_id: str, **kwargs: Any) -> list[Interaction]:
        rng = random.Random(f"{self.seed}:{account_id}")
        return [
            item if rng.random() < self.share else item.model_copy(update={"body": None})
            for item in super().interactions(account_id, **kwargs)
        ]


async def run_agent(
    tools: StakeholderTools, settings: Settings, accounts: list[str]
) -> dict[str, Any]:
    graph = build_relationships_graph(
        AgentDeps(tools=tools, model=chat_model(settings), model_info=model_info(settings))
    )
    return await decision_makers(graph, accounts, as_of=DEMO_NOW)


def top_of_chart(crm: CRMStore, account_id: str) -> str | None:
    contacts = crm.contacts_for_account(account_id=account_id)
    chart = build_org_chart([Person(c.id, c.seniority, c.reports_to) for c in contacts])
    return max(
        chart.reach, key=lambda cid: (chart.reach[cid], -int(cid.split("-")[-1])), default=None
    )


def accuracy(picks: dict[str, str | None], truth: dict[str, str | None]) -> float:
    return top1_accuracy(picks, truth)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=Settings(_env_file=None).seed)
    parser.add_argument("--shares", default="0.1,0.25", help="note shares to test, comma-separated")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    register_providers()
    with tempfile.TemporaryDirectory(prefix="relationships-eval-") as folder:
        settings = Settings(
            _env_file=None, data_dir=Path(folder), model="scripted/bench", model_max_retries=0
        )
        url = settings.resolved_database_url
        migrate(url)
        engine = make_engine(url)
        started = time.perf_counter()
        seed_demo(engine, seed=args.seed, scale=args.scale)
        seeded = time.perf_counter() - started
        crm = CRMStore(engine)
        truth = {a: t.true_decision_maker_contact_id for a, t in read_ground_truth(engine).items()}
        accounts = sorted(truth)
        industry = {a.id: a.industry for a in crm.list_accounts(limit=100_000)}

        full = asyncio.run(run_agent(StakeholderTools(crm), settings, accounts))
        withheld = asyncio.run(run_agent(ThinnedNotes(crm, 0.0, args.seed), settings, accounts))
        shares = [float(s) for s in args.shares.split(",") if s.strip()]
        thinned = {
            s: asyncio.run(run_agent(ThinnedNotes(crm, s, args.seed), settings, accounts))
            for s in shares
        }
        baseline = {a: top_of_chart(crm, a) for a in accounts}
        engine.dispose()

    picks = {a: r["decision_maker"] for a, r in full.items()}
    figures: dict[str, Any] = {
        "accounts": len(accounts),
        "seed": args.seed,
        "scale": args.scale,
        "seed_seconds": round(seeded, 2),
        "baseline_top_of_chart": accuracy(baseline, truth),
        "agent_all_notes": accuracy(picks, truth),
        "agent_no_notes": accuracy({a: r["decision_maker"] for a, r in withheld.items()}, truth),
        **{
            f"agent_{int(s * 100)}pct_notes": accuracy(
                {a: r["decision_maker"] for a, r in t.items()}, truth
            )
            for s, t in thinned.items()
        },
        "map_seconds_p50": statistics.median(r["seconds"] for r in full.values()),
        "map_seconds_p95": statistics.quantiles([r["seconds"] for r in full.values()], n=20)[-1],
        "accounts_with_champion": sum(r["champions"] > 0 for r in full.values()),
        "accounts_with_blocker": sum(r["blockers"] > 0 for r in full.values()),
    }
    _print(figures, full, withheld, thinned, truth, industry)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


def _bands(runs: list[dict[str, Any]], truth: dict[str, str | None]) -> str:
    bands: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for results in runs:
        for account_id, r in results.items():
            low = min(int(r["confidence"] * 10), 9) / 10
            bands[f"{low:.1f}-{low + 0.1:.1f}"][0] += r["decision_maker"] == truth[account_id]
            bands[f"{low:.1f}-{low + 0.1:.1f}"][1] += 1
    return "\n".join(
        f"  confidence {band}: {hits}/{n} correct ({hits / n:.0%})"
        for band, (hits, n) in sorted(bands.items())
    )


def _print(
    figures: dict[str, Any],
    full: dict[str, Any],
    withheld: dict[str, Any],
    thinned: dict[float, dict[str, Any]],
    truth: dict[str, str | None],
    industry: dict[str, str],
) -> None:
    out = sys.stdout
    base = figures["baseline_top_of_chart"]
    out.write(
        f"relationships eval: {figures['accounts']} accounts, seed {figures['seed']}, scale {figures['scale']}, {datetime.now():%Y-%m-%d}\n"
    )
    out.write("decision-maker top-1 accuracy (ratio to the top-of-chart baseline):\n")
    for key, value in figures.items():
        if key.startswith(("baseline", "agent")):
            out.write(f"  {key:<24} {value:6.1%}   x{value / base if base else float('nan'):.2f}\n")
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for account_id, r in full.items():
        per[industry[account_id]][0] += r["decision_maker"] == truth[account_id]
        per[industry[account_id]][1] += 1
    out.write(
        "all notes, by industry: "
        + ", ".join(f"{k} {h}/{n}" for k, (h, n) in sorted(per.items()))
        + "\n"
    )
    out.write("raw confidence vs accuracy (all runs pooled):\n")
    out.write(_bands([full, withheld, *thinned.values()], truth) + "\n")
    out.write(
        f"time per map: p50 {figures['map_seconds_p50'] * 1000:.1f} ms, p95 {figures['map_seconds_p95'] * 1000:.1f} ms"
        f" (demo seeded in {figures['seed_seconds']} s)\n"
    )
    out.write(
        f"accounts with a champion: {figures['accounts_with_champion']}, with a blocker: {figures['accounts_with_blocker']}\n"
    )


if __name__ == "__main__":
    raise SystemExit(main())
