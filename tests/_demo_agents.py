"""Fixtures of the agent and graph tests: a small demo CRM whose documentation is indexed into a
real embedded Chroma with MiniLM (registered by the suite's conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _consent import grant_everyone

from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.recommendations import RecommendationLog
from crm.store import CRMStore
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from memory import Memory
from tools.agent_services import AgentServices
from tools.indexing import index_documentation


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("demo")
    return Settings(_env_file=None, data_dir=data, model="scripted/test", model_max_retries=0)


@pytest.fixture(scope="module")
def services(demo_settings: Settings) -> Iterator[AgentServices]:
    register_providers()
    migrate(demo_settings.resolved_database_url)
    engine = make_engine(demo_settings.resolved_database_url)
    seed_demo(engine, seed=demo_settings.seed, scale=0.05)
    memory = Memory.from_settings(demo_settings)
    index_documentation(CRMStore(engine), memory)  # the Q&A agent reads no account notes
    bundle = AgentServices(
        settings=demo_settings,
        crm=CRMStore(engine),
        memory=memory,
        chat_model=chat_model(demo_settings),
        model_info=model_info(demo_settings),
        recommendations=RecommendationLog(engine),
        consent=grant_everyone(engine),  # agents read only contacts who consented
        _closers=[engine.dispose],
    )
    yield bundle
    bundle.close()


@pytest.fixture(scope="module")
def data_dir(demo_settings: Settings) -> Path:
    return demo_settings.data_dir
