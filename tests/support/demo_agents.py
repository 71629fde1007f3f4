"""The agent services over a small demo CRM whose documentation is indexed into a real embedded
Chroma with MiniLM: what the agent and graph tests run on (their fixtures build it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.settings import Settings
from crm.db import make_engine
from crm.recommendations import RecommendationLog
from crm.scope import AccountScope
from crm.store import CRMStore
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from memory import Memory
from tests.support.consent import grant_everyone
from tests.support.demo_template import copy_demo_data
from tools.agent_services import AgentServices


def demo_settings_in(data_dir: Path) -> Settings:
    """Settings on ``data_dir`` with the scripted model and no retries."""
    return Settings(_env_file=None, data_dir=data_dir, model="scripted/test", model_max_retries=0)


@contextmanager
def open_demo_services(settings: Settings) -> Iterator[AgentServices]:
    """The demo at scale 0.05 seeded into ``settings``' database, its documentation indexed,
    every contact consenting; the services are closed on leaving."""
    register_providers()
    copy_demo_data(settings)  # seeded and indexed once per test process
    engine = make_engine(settings.resolved_database_url)
    memory = Memory.from_settings(settings)
    bundle = AgentServices(
        settings=settings,
        crm=CRMStore(engine),
        # These graphs run for no user: every account, in runs and out of them.
        crm_scope_outside_runs=AccountScope.unrestricted(),
        crm_scope_unscoped_runs=AccountScope.unrestricted(),
        memory=memory,
        chat_model=chat_model(settings),
        model_info=model_info(settings),
        recommendations=RecommendationLog(engine),
        consent=grant_everyone(engine),  # agents read only contacts who consented
        _closers=[engine.dispose],
    )
    try:
        yield bundle
    finally:
        bundle.close()
