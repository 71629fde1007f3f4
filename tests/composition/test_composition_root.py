"""The composition root builds each shared resource once per process and closes all of it:
one engine per database URL (the records, the ledger and the CRM share its pool), migrations
once, one audit ledger, one consent ledger, one recommendation log, the agent services built
over them, and every engine disposed when the root closes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import Engine

import crm.db
from composition.root import AppServices, open_app_services
from core.settings import Settings
from crm.recommendations import RecommendationLog
from governance.consent import ConsentLedger
from governance.ledger import AuditLedger
from identity.langgraph_auth import CustomAuthConfigurationError
from identity.sso import SSOConfigurationError
from tools.agent_services import AgentServices

pytestmark = pytest.mark.anyio


@dataclass
class Opened:
    """What the process opened while the root was built, counted by spies."""

    engines: list[Engine] = field(default_factory=list)
    disposed: list[Engine] = field(default_factory=list)
    migrations: int = 0
    built: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[Opened]:
    seen = Opened()
    create_engine = crm.db.create_engine

    def counting_create_engine(*args: Any, **kwargs: Any) -> Engine:
        engine = create_engine(*args, **kwargs)
        seen.engines.append(engine)
        return engine

    monkeypatch.setattr(crm.db, "create_engine", counting_create_engine)
    dispose = sqlalchemy.engine.Engine.dispose

    def counting_dispose(engine: Engine, close: bool = True) -> None:
        seen.disposed.append(engine)
        dispose(engine, close)

    monkeypatch.setattr(sqlalchemy.engine.Engine, "dispose", counting_dispose)
    from alembic import command

    upgrade = command.upgrade

    def counting_upgrade(*args: Any, **kwargs: Any) -> None:
        seen.migrations += 1
        upgrade(*args, **kwargs)

    monkeypatch.setattr(command, "upgrade", counting_upgrade)
    for cls in (AuditLedger, ConsentLedger, RecommendationLog):
        _count_instances(monkeypatch, cls, seen.built)
    yield seen


def _count_instances(monkeypatch: pytest.MonkeyPatch, cls: type, counts: dict[str, int]) -> None:
    init = cls.__init__

    def counting_init(self: Any, *args: Any, **kwargs: Any) -> None:
        counts[cls.__name__] = counts.get(cls.__name__, 0) + 1
        init(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__init__", counting_init)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None, data_dir=tmp_path / "data", model="scripted/test", warm_up=False
    )


def _pools(engines: list[Engine]) -> set[int]:
    return {id(engine.pool) for engine in engines}


async def test_a_served_process_opens_each_shared_resource_once(
    settings: Settings, opened: Opened
) -> None:
    async with open_app_services(settings, graphs={}) as services:
        agents = await services.agents.services()
        assert isinstance(agents, AgentServices)

        assert len(opened.engines) == 1, "one engine per database URL"
        assert opened.migrations == 1
        assert opened.built == {"AuditLedger": 1, "ConsentLedger": 1, "RecommendationLog": 1}
        _assert_shared(services, agents)
    assert opened.engines[0] in opened.disposed, "closing the root disposes the engine"
    assert services.agents.loader.state == "ready"


def _assert_shared(services: AppServices, agents: AgentServices) -> None:
    database = services.database
    engine = database.engine
    # The write-locking view (records, ledger) shares the engine's pool and connections.
    assert database.write_locking.pool is engine.pool
    assert database.audit.engine.pool is engine.pool
    assert agents.audit is database.audit.ledger
    assert agents.consent is database.consent


async def test_a_cli_command_opens_the_same_root_without_runs_or_models(
    settings: Settings, opened: Opened
) -> None:
    async with open_app_services(settings, serve=False, agents=False) as services:
        assert services.runtime is None
        assert services.agents.loader.state == "idle", "the models are not loaded"
        with pytest.raises(RuntimeError):
            services.served  # noqa: B018 - the API's runtime is not there
        assert len(opened.engines) == 1 and opened.migrations == 1
        assert opened.built == {"AuditLedger": 1, "ConsentLedger": 1, "RecommendationLog": 1}
    assert opened.engines[0] in opened.disposed


async def test_an_injected_services_factory_is_used_instead_of_the_models(
    settings: Settings, opened: Opened
) -> None:
    marker = object()
    async with open_app_services(settings, graphs={}, services_factory=lambda _: marker) as root:
        assert await root.agents.services() is marker
        assert await root.agents.event_intake() is None  # no CRM store: the API answers 503
    assert len(opened.engines) == 1 and opened.engines[0] in opened.disposed


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ({"auth_path": "tests.support.no_such_module:auth"}, "CRM_AGENTS_AUTH_PATH"),
        ({"sso_jwks_path": "keys.json"}, "CRM_AGENTS_SSO_ISSUER"),
    ],
)
async def test_a_bad_identity_setting_stops_the_server_at_start_naming_it(
    tmp_path: Path, setting: dict[str, Any], named: str
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, **setting)
    with pytest.raises((CustomAuthConfigurationError, SSOConfigurationError), match=named):
        async with open_app_services(settings, graphs={}, services_factory=lambda _: None):
            pass  # pragma: no cover - never opened
