"""The next best action graph served by the app: a thread pauses for approval over HTTP, and a
restarted app resumes it from the same SQLite checkpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.recommendations import RecommendationLog
from crm.store import CRMStore
from graphs.registry import registered_graphs
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from llm.scripted import scripted_model
from server import create_app
from tests.support.consent import grant_everyone
from tests.support.credentials import admin_headers
from tools.agent_services import AgentServices

pytestmark = pytest.mark.anyio
ACCOUNT = "ACC-0004"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """One server process' lifetime over the data directory."""
    engine = make_engine(settings.resolved_database_url)
    services = AgentServices(
        settings=settings,
        crm=CRMStore(engine),
        memory=None,  # type: ignore[arg-type]  # the next action agent reads no memory
        chat_model=chat_model(settings),
        model_info=model_info(settings),
        recommendations=RecommendationLog(engine),
        consent=grant_everyone(engine),  # agents read only contacts who consented
    )
    app = create_app(
        settings,
        graphs={"next_action": registered_graphs()["next_action"]},
        services_factory=lambda _: services,
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://test"
        ) as http:
            yield http
    engine.dispose()


async def test_approval_survives_a_server_restart(tmp_path: Path) -> None:
    register_providers()
    settings = Settings(_env_file=None, data_dir=tmp_path, model="scripted/test")
    migrate(settings.resolved_database_url)
    seeding = make_engine(settings.resolved_database_url)
    seed_demo(seeding, seed=settings.seed, scale=0.05)
    seeding.dispose()
    async with serve(settings) as client:
        thread = (await client.post("/threads", json={})).json()["thread_id"]
        with scripted_model(rule=lambda _: "Thank you, let us review the next steps."):
            paused = await client.post(
                f"/threads/{thread}/runs/wait",
                json={"assistant_id": "next_action", "input": {"account_id": ACCOUNT}},
                timeout=60,
            )
        assert paused.status_code == 200, paused.text
        assert paused.json()["__interrupt__"] and paused.json()["outbox"] == []
        state = (await client.get(f"/threads/{thread}")).json()
        assert state["status"] == "interrupted"
    async with serve(settings) as client:  # a new app over the same database: a restart
        resumed = await client.post(
            f"/threads/{thread}/runs/wait",
            json={"assistant_id": "next_action", "command": {"resume": {"decision": "approve"}}},
            timeout=60,
        )
        assert resumed.status_code == 200, resumed.text
        values = resumed.json()
        assert [m["kind"] for m in values["outbox"]] == ["send_email"]
        assert values["executed"] == [] and values["__interrupt__"]
