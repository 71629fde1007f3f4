"""``GET /governance/fairness`` over the budget tests' small demo CRM, through ASGITransport."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from core.settings import Settings
from crm.store import CRMStore
from server import create_app
from tests.support.budget_world import AS_OF, World, build_world
from tests.support.credentials import admin_headers
from tools.pricing import PricingTools

pytestmark = pytest.mark.anyio


@dataclass
class PricingServices:
    """What the fairness route reaches of ``tools.agent_services.AgentServices``."""

    crm: CRMStore
    pricing: PricingTools

    def close(self) -> None:
        """The world's engine is the module fixture's to dispose."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("fairness-api"))
    yield built
    built.engine.dispose()


@pytest.fixture
async def fair_client(settings: Settings, world: World) -> AsyncIterator[httpx.AsyncClient]:
    services = PricingServices(crm=world.crm, pricing=world.tools)
    app = create_app(settings, graphs={}, services_factory=lambda _: services)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://testserver"
        ) as c:
            yield c


def url(**params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"as_of": AS_OF.isoformat(), **params}.items())
    return f"/governance/fairness?{query}"


@pytest.mark.slow
async def test_the_scan_answers_while_the_server_keeps_serving(
    fair_client: httpx.AsyncClient,
) -> None:
    scan = asyncio.create_task(fair_client.get(url(sample=30, seed=4)))
    health = await fair_client.get("/ok")
    # The replays run in a worker thread: the event loop answered meanwhile.
    assert health.status_code == 200 and not scan.done()
    response = await scan
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verdict"] == "no_bias_detected" and report["deals_scanned"] == 30
    assert report["as_of"] == AS_OF.isoformat() and report["seed"] == 4
    assert all(r["status"] == "pass" for r in report["regions"])


async def test_a_small_sample_is_insufficient_data(fair_client: httpx.AsyncClient) -> None:
    response = await fair_client.get(url(sample=3))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verdict"] == "insufficient_data" and report["deals_scanned"] == 3
    assert {r["status"] for r in report["regions"]} == {"insufficient_data"}


@pytest.mark.parametrize(
    ("query", "field"),
    [("sample=0", "sample"), ("sample=5000", "sample"), ("sample=x", "sample"),
     ("as_of=yesterday", "as_of"), ("seed=-1", "seed")],
)  # fmt: skip
async def test_bad_parameters_are_named(
    fair_client: httpx.AsyncClient, query: str, field: str
) -> None:
    response = await fair_client.get(f"/governance/fairness?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request" and field in body["detail"]


async def test_without_a_crm_store_the_scan_is_unavailable(client: httpx.AsyncClient) -> None:
    response = await client.get("/governance/fairness?sample=3")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
