"""GET /calibration/batches/{id}/report: the HTML report, its JSON summary, and the errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from core.settings import Settings
from crm.calibration_maps import CalibrationMaps
from crm.db import make_engine, migrate
from eval.calibration.panel import review_batch
from eval.calibration.refit import refit_batch
from eval.calibration.store import CalibrationStore
from server import create_app
from tests.support.credentials import admin_headers
from tests.support.panel_world import NOVEMBER, OCTOBER, fill_month, truth_for

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, model="scripted/test")


@pytest.fixture
def engine(settings: Settings) -> Engine:
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def batch_id(engine: Engine) -> str:
    """A reviewed, refitted batch."""
    truth = truth_for(30)
    fill_month(engine, truth)
    store = CalibrationStore(engine)
    batch = store.draw_batch(period_start=OCTOBER, period_end=NOVEMBER, rate=0.5, seed=3)
    review_batch(store, batch_id=batch.id, truth=truth, seed=3)
    refit_batch(batch.id, store.items_with_reviews(batch_id=batch.id), maps=CalibrationMaps(engine))
    return batch.id


@pytest.fixture
async def client(settings: Settings, engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, graphs={}, services_factory=lambda s: None)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://test"
        ) as http:
            yield http


async def test_the_report_is_served_as_html(client: httpx.AsyncClient, batch_id: str) -> None:
    response = await client.get(f"/calibration/batches/{batch_id}/report")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    # reliability, per-agent bars, score distributions; a first month has no drift plot
    assert response.text.count("<svg") == 3 and batch_id in response.text
    assert "No previous month to compare" in response.text


async def test_the_summary_is_served_as_json(client: httpx.AsyncClient, batch_id: str) -> None:
    response = await client.get(
        f"/calibration/batches/{batch_id}/report", params={"format": "json"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    summary = response.json()
    assert summary["batch"]["id"] == batch_id
    assert summary["ece_raw"] > summary["ece_calibrated"]
    assert set(summary["per_agent"]) == {"lead_scoring", "budget", "relationships"}
    for group in summary["per_agent"].values():
        assert {"ece_raw", "ece_calibrated", "kappa", "accuracy"} <= set(group)


async def test_an_unknown_batch_is_a_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/calibration/batches/nope/report")
    assert response.status_code == 404
    assert response.json()["code"] == "batch_not_found"
    assert "nope" in response.json()["detail"]


async def test_an_unknown_format_is_a_422(client: httpx.AsyncClient, batch_id: str) -> None:
    response = await client.get(f"/calibration/batches/{batch_id}/report", params={"format": "pdf"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request" and "format" in body["detail"]
