"""Latency of POST /events: an event stored, scored, routed and its decision stored.

Seeds a temporary full-scale demo CRM (about 4 s), starts the app in-process (httpx
ASGITransport, the real routers, runtime and SQLite database; the event path reaches only the
CRM store and the recommendation log, so no model or memory is loaded), warms it up (the first
event fits the win model), then posts single events to random accounts one after another and
reports p50/p95/p99 of the full request. A batch of events per request and ``GET /ok`` (the
server's own overhead, the baseline; it needs no credentials) are measured in the same run.
Events are posted with an application's API key, made with identity's ``ApiKeys`` before the
app starts, as an integration sends them. Target: p95 <= 200 ms.

    .venv/bin/python bench/event_intake.py [--events 300] [--batch 20] [--scale 1.0]
"""

from __future__ import annotations

from core.offline import apply_offline_defaults

apply_offline_defaults()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

from composition.database import shared_database  # noqa: E402
from core.settings import Settings  # noqa: E402
from crm.db import make_engine, migrate  # noqa: E402
from crm.demo import seed_demo  # noqa: E402
from crm.enums import ACTIVITY_KINDS  # noqa: E402
from crm.recommendations import RecommendationLog  # noqa: E402
from crm.store import CRMStore  # noqa: E402
from server import create_app  # noqa: E402

TARGET_P95_MS = 200.0


@dataclass
class IntakeServices:
    """What the event path reaches: the CRM store and the recommendation log."""

    crm: CRMStore
    recommendations: RecommendationLog

    def close(self) -> None:
        self.crm.engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(name: str, millis: list[float]) -> str:
    return (
        f"{name:<28} n={len(millis):<4} p50 {percentile(millis, 0.5):7.1f} ms"
        f"  p95 {percentile(millis, 0.95):7.1f} ms  p99 {percentile(millis, 0.99):7.1f} ms"
        f"  mean {statistics.fmean(millis):7.1f} ms"
    )


class EventMaker:
    """Plausible events for random accounts, each with a fresh id and a later time."""

    def __init__(self, crm: CRMStore, seed: int) -> None:
        self.rng = random.Random(seed)
        self.accounts = [a.id for a in crm.list_accounts(limit=100_000)]
        self.clock = crm.latest_activity_at()
        self.number = 0

    def __call__(self) -> dict[str, Any]:
        self.number += 1
        assert self.clock is not None
        self.clock += timedelta(seconds=self.rng.randint(1, 120))
        kind = self.rng.choice(ACTIVITY_KINDS)
        return {
            "id": f"BENCH-{self.number:06d}",
            "account_id": self.rng.choice(self.accounts),
            "kind": kind,
            "occurred_at": self.clock.isoformat(),
            "subject": f"bench {kind}",
        }


async def timed(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> float:
    started = time.perf_counter()
    response = await client.request(method, path, **kwargs)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return elapsed


async def run(events: int, batch: int, scale: float) -> int:
    with tempfile.TemporaryDirectory() as folder:
        # One client sends thousands of requests: a rate that never refuses, so the limiter's
        # cost is measured but no answer is a 429.
        settings = Settings(
            _env_file=None,
            data_dir=Path(folder),
            model="scripted/bench",
            rate_limit="1000000/minute",
        )
        url = settings.resolved_database_url
        migrate(url)
        engine = make_engine(url)
        started = time.perf_counter()
        seed_demo(engine, seed=settings.seed, scale=scale)
        seeded = time.perf_counter() - started
        with shared_database(settings) as database:
            key = database.identity.api_keys.create("event feed", "application").plaintext
        crm = CRMStore(engine)
        make = EventMaker(crm, seed=1)
        services = IntakeServices(crm, RecommendationLog(engine))
        app = create_app(settings, graphs={}, services_factory=lambda _: services)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://localhost", headers={"x-api-key": key}
            ) as client:
                warm = await timed(client, "POST", "/events", json=make())  # fits the win model
                for _ in range(5):
                    await timed(client, "POST", "/events", json=make())
                ok = [await timed(client, "GET", "/ok") for _ in range(events)]
                single = [
                    await timed(client, "POST", "/events", json=make()) for _ in range(events)
                ]
                batches = [
                    await timed(client, "POST", "/events", json=[make() for _ in range(batch)])
                    for _ in range(max(events // batch, 5))
                ]
        engine.dispose()
    out = sys.stdout
    out.write(
        f"demo CRM: scale {scale}, seeded in {seeded:.1f} s; first event (fits the model)"
        f" {warm:.0f} ms\n"
    )
    out.write(summary("GET /ok (baseline)", ok) + "\n")
    out.write(summary("POST /events, 1 event", single) + "\n")
    out.write(summary(f"POST /events, {batch} events", batches) + "\n")
    p95 = percentile(single, 0.95)
    out.write(
        f"single event p95 {p95:.1f} ms = {p95 / percentile(ok, 0.95):.0f}x the baseline's p95;"
        f" per event in batches {statistics.fmean(batches) / batch:.1f} ms;"
        f" target p95 <= {TARGET_P95_MS:.0f} ms: {'met' if p95 <= TARGET_P95_MS else 'MISSED'}\n"
    )
    return 0 if p95 <= TARGET_P95_MS else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    return asyncio.run(run(args.events, args.batch, args.scale))


if __name__ == "__main__":
    raise SystemExit(main())
