"""What authentication adds to one API request: the same trivial route answered to anyone, and
to a caller proving who they are with an API key (``x-api-key``, ``Authorization: Bearer``) or
the session cookie; plus what a run adds for its account scope (the territory tree read and
the policy applied).

In process through ``httpx.ASGITransport`` (no sockets), SQLite in a temporary folder, the
real app with its middleware. The baseline is measured in the same run: the same route with
``anyone()``; the bar is under 1 ms p50 added.

    .venv/bin/python bench/api_auth_costs.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.offline import apply_offline_defaults

apply_offline_defaults()

import httpx  # noqa: E402
from fastapi import APIRouter  # noqa: E402

from api.permissions import anyone, permission  # noqa: E402
from core.settings import Settings  # noqa: E402
from identity.policy import account_scope  # noqa: E402
from identity.territories import seed_demo_territories  # noqa: E402
from server import create_app  # noqa: E402

PASSWORD = "a long enough password"


def _bench_router() -> APIRouter:
    """Two routes alike but for who may call them."""
    router = APIRouter()

    @router.get("/bench/open", dependencies=[anyone()])
    async def open_route() -> dict[str, bool]:
        return {"ok": True}

    @router.get("/bench/checked", dependencies=[permission("crm:read")])
    async def checked_route() -> dict[str, bool]:
        return {"ok": True}

    return router


async def _timings(call: Callable[[], Awaitable[object]], requests: int) -> list[float]:
    for _ in range(min(requests, 200)):
        await call()
    spent = []
    for _ in range(requests):
        start = time.perf_counter()
        await call()
        spent.append(time.perf_counter() - start)
    return spent


def _row(name: str, spent: list[float], baseline: float) -> str:
    p50 = statistics.median(spent)
    p95 = statistics.quantiles(spent, n=20)[-1]
    return f"| {name} | {p50 * 1e3:.3f} | {p95 * 1e3:.3f} | {(p50 - baseline) * 1e3:+.3f} |"


async def measure(requests: int, folder: Path) -> dict[str, list[float]]:
    settings = Settings(_env_file=None, data_dir=folder, warm_up=False, rate_limit="1000000/minute")
    app = create_app(settings, graphs={}, services_factory=lambda _: None)
    app.include_router(_bench_router())
    async with app.router.lifespan_context(app):
        identity = app.state.services.database.identity
        seed_demo_territories(identity.territories)
        key = identity.api_keys.create("bench", "application", territories=["East"]).plaintext
        identity.users.create_user("bench.rep", ["rep"], team="east-1", password=PASSWORD)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            signed = await client.post(
                "/auth/sign-in", json={"name": "bench.rep", "password": PASSWORD}
            )
            signed.raise_for_status()
            session = client.cookies["crm_session"]
            client.cookies.clear()

            async def get(path: str, **headers: str) -> None:
                (await client.get(path, headers=headers)).raise_for_status()

            async def scope() -> None:
                principal = identity.api_keys.verify(key)
                assert principal is not None
                tree = identity.territories.tree()
                account_scope(principal, tree)

            return {
                "baseline: the route answered to anyone": await _timings(
                    lambda: get("/bench/open"), requests
                ),
                "API key as x-api-key, permission checked": await _timings(
                    lambda: get("/bench/checked", **{"x-api-key": key}), requests
                ),
                "API key as Authorization: Bearer": await _timings(
                    lambda: get("/bench/checked", authorization=f"Bearer {key}"), requests
                ),
                "session cookie": await _timings(
                    lambda: get("/bench/checked", cookie=f"crm_session={session}"), requests
                ),
                "a run's scope: key, territory tree, policy (no HTTP)": await _timings(
                    scope, requests
                ),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    requests = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as folder:
        measured = asyncio.run(measure(requests, Path(folder)))
    baseline = statistics.median(next(iter(measured.values())))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Python {platform.python_version()}, SQLite, load average {load}")
    print(f"{requests} requests each, in process (ASGITransport)")
    print("| request | p50 ms | p95 ms | p50 added ms |")
    print("|---|---|---|---|")
    for name, spent in measured.items():
        # The scope is computed on top of a request: all of its time is added.
        print(_row(name, spent, 0.0 if name.startswith("a run's scope") else baseline))


if __name__ == "__main__":
    main()
