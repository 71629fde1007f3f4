"""The app serving the budget agent alone over a given CRM, as an in-process HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine

from core.settings import Settings
from crm.recommendations import RecommendationLog
from crm.store import CRMStore
from graphs.registry import registered_graphs
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from server import create_app
from tests.support.credentials import admin_headers
from tools.agent_services import AgentServices


@asynccontextmanager
async def budget_client(
    data_dir: Path, crm: CRMStore, engine: Engine
) -> AsyncIterator[httpx.AsyncClient]:
    """An ASGI client of the app with the budget graph over ``crm`` and the scripted model."""
    register_providers()
    settings = Settings(
        _env_file=None, data_dir=data_dir, model="scripted/test", model_max_retries=0
    )
    services = AgentServices(
        settings=settings,
        crm=crm,
        memory=None,  # type: ignore[arg-type]  # the budget agent reads no memory
        chat_model=chat_model(settings),
        model_info=model_info(settings),
        recommendations=RecommendationLog(engine),
    )
    app = create_app(
        settings,
        graphs={"budget": registered_graphs()["budget"]},
        services_factory=lambda _: services,
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://test"
        ) as http:
            yield http
