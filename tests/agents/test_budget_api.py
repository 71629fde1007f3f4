"""The budget graph served by the app: a run over HTTP (ASGI) records a listed recommendation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from llm.scripted import scripted_model
from tests.support.budget_app import budget_client
from tests.support.budget_world import AS_OF, build_world

pytestmark = pytest.mark.anyio
DEAL = "DEAL-0011"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    world = build_world(tmp_path)
    async with budget_client(tmp_path, world.crm, world.engine) as http:
        yield http
    world.engine.dispose()


async def test_a_budget_run_over_http_returns_and_records_the_recommendation(client) -> None:
    payload = {"assistant_id": "budget", "input": {"deal_id": DEAL, "as_of": AS_OF.isoformat()}}
    with scripted_model(responses=["The range follows comparable won deals."]):
        response = await client.post("/runs/wait", json=payload, timeout=60)
    assert response.status_code == 200, response.text
    state = response.json()
    recommendation = state["recommendation"]
    assert recommendation["agent"] == "budget" and recommendation["subject"]["deal_id"] == DEAL
    listed = (await client.get("/recommendations", params={"agent": "budget"})).json()
    assert [r["id"] for r in listed] == [recommendation["id"]]

    with scripted_model(strict=True):
        unknown = await client.post(
            "/runs/wait", json={"assistant_id": "budget", "input": {"deal_id": "DEAL-9999"}}
        )
    assert unknown.status_code == 200 and unknown.json()["recommendation"] is None
    assert unknown.json()["problem"]["code"] == "deal_not_found"
