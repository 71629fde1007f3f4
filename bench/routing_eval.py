"""Supervisor routing accuracy on the held-out labelled questions in eval/scenarios/routing.jsonl.

Routes every question with the supervisor's example router (MiniLM embeddings, k-NN vote over
graphs/supervisor/examples.json, cheap signals; no language model) and counts a question as
correct only when the routed set equals the expected set exactly. Prints per-specialist
accuracy, the misses, and time per routing decision.

    .venv/bin/python bench/routing_eval.py [--hashing] [--json out.json]
"""

from __future__ import annotations

from core.offline import apply_offline_defaults

apply_offline_defaults()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

from core.settings import Settings  # noqa: E402
from crm.demo.catalogue import build_catalogue  # noqa: E402
from graphs.supervisor.message_router import ExampleRouter, load_examples  # noqa: E402
from memory import HashingEmbeddingFunction, MiniLMEmbeddingFunction  # noqa: E402
from tools.documentation import ProductDirectory  # noqa: E402

SCENARIOS = Path(__file__).resolve().parents[1] / "eval" / "scenarios" / "routing.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hashing", action="store_true", help="hashing embeddings (no MiniLM)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()

    cases = [json.loads(line) for line in SCENARIOS.read_text().splitlines() if line.strip()]
    products = [
        SimpleNamespace(id=p.product_id, name=p.name, sku=getattr(p, "sku", p.product_id))
        for p in build_catalogue(Settings(_env_file=None).seed)
    ]
    directory = ProductDirectory(products)
    embed = HashingEmbeddingFunction() if args.hashing else MiniLMEmbeddingFunction()
    router = ExampleRouter(
        embed=embed, labels=load_examples(), products_mentioned=directory.mentioned_in
    )
    router.route("warm up")  # embeds the examples once, outside the timing

    per_label: dict[str, list[bool]] = defaultdict(list)
    misses, timings = [], []
    for case in cases:
        started = time.perf_counter()
        decision = router.route(case["question"])
        timings.append(time.perf_counter() - started)
        ok = sorted(decision.routes) == sorted(case["expected_routes"])
        key = (
            "+".join(case["expected_routes"])
            if len(case["expected_routes"]) > 1
            else case["expected_routes"][0]
        )
        per_label["multi" if "+" in key else key].append(ok)
        if not ok:
            misses.append(
                {
                    "id": case["id"],
                    "question": case["question"],
                    "expected": case["expected_routes"],
                    "routed": decision.routes,
                }
            )

    total = sum(ok for oks in per_label.values() for ok in oks)
    accuracy = total / len(cases)
    timings.sort()
    result = {
        "embedding": "hashing" if args.hashing else "MiniLM",
        "cases": len(cases),
        "accuracy": round(accuracy, 4),
        "per_specialist": {k: round(sum(v) / len(v), 3) for k, v in sorted(per_label.items())},
        "p50_ms": round(timings[len(timings) // 2] * 1000, 1),
        "p95_ms": round(timings[int(len(timings) * 0.95)] * 1000, 1),
        "misses": misses,
    }
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
