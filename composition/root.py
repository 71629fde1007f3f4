"""The composition root: everything one process uses, built once and closed as one unit.

``server.py`` opens it in its lifespan; the CLI opens it around a command (``serve=False``:
no run executor, so a command never touches the runs of a server working on the same data).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

from composition.agent_access import AgentAccess
from composition.database import SharedDatabase, open_shared_database
from composition.subject_rights import open_offline_subject_rights, served_subject_rights
from core.settings import Settings
from governance.subject_rights import SubjectRights
from graphs.registry import GraphSpec
from identity.langgraph_auth import LangGraphAuth, langgraph_auth_from_settings
from identity.sso import SSOVerifier, sso_verifier_from_settings
from runtime.agent_runtime import AgentRuntime, ServicesFactory, open_agent_runtime
from runtime.service_loader import ServicesLoader
from runtime.warmup import WarmStep


@dataclass(frozen=True)
class AppServices:
    """Every engine, ledger, store and service of one process (see docs/ARCHITECTURE.md).

    ``database`` holds the one engine and the stores over it (audit, consent,
    recommendations, calibration, account overviews, provenance); ``agents`` the agent
    services (CRM behind the consent gate, memory, model gateway), loaded in the background,
    and the event intake built over them; ``runtime`` the graphs, threads and runs (``None``
    when opened for a CLI command); ``subject_rights`` every store as data subject holders.
    """

    settings: Settings
    database: SharedDatabase
    agents: AgentAccess
    subject_rights: SubjectRights
    runtime: AgentRuntime | None = None
    # The identity providers the settings name, built at start so a wrong setting stops the
    # server then, naming the setting, instead of failing its first request.
    sso: SSOVerifier | None = None
    custom_auth: LangGraphAuth | None = None

    @property
    def served(self) -> AgentRuntime:
        """The runtime of a serving process (the API's routes run only there)."""
        if self.runtime is None:
            raise RuntimeError("these services were opened without a runtime (serve=False)")
        return self.runtime


def _default_graphs() -> dict[str, GraphSpec]:
    from graphs.registry import registered_graphs

    return registered_graphs()


def _agent_services(database: SharedDatabase) -> ServicesFactory:
    def build(settings: Settings) -> Any:
        # Imported when first needed: it pulls in the CRM store, Chroma and the model gateway.
        from composition.agents import create_services

        return create_services(settings, database)

    return build


@asynccontextmanager
async def open_app_services(
    settings: Settings,
    *,
    graphs: Mapping[str, GraphSpec] | None = None,
    services_factory: ServicesFactory | None = None,
    warm_steps: Sequence[WarmStep] | None = None,
    serve: bool = True,
    agents: bool = True,
) -> AsyncIterator[AppServices]:
    """Open the database (one engine, migrated once), the runtime and the agent services.

    Returns quickly: the agent services (models) load in a worker thread, so a server answers
    ``/ok`` at once. Tests inject ``graphs`` (default: the registry) and ``services_factory``
    (default: :func:`composition.agents.create_services` over the shared database).
    ``serve=False`` (the CLI) opens no runtime; ``agents=False`` does not start loading the
    models (a command that never needs them). On exit everything is closed, the engine last.
    A serving process also builds the SSO verifier and the custom ``langgraph_sdk.Auth``
    object the settings name, first: a bad setting raises before anything is opened.
    """
    sso = sso_verifier_from_settings(settings) if serve else None
    custom_auth = langgraph_auth_from_settings(settings) if serve else None
    database = await anyio.to_thread.run_sync(open_shared_database, settings)
    factory = services_factory or _agent_services(database)
    try:
        async with AsyncExitStack() as stack:
            runtime: AgentRuntime | None = None
            if serve:
                runtime = await stack.enter_async_context(
                    open_agent_runtime(
                        settings,
                        graphs=graphs if graphs is not None else _default_graphs(),
                        services_factory=factory,
                        warm_steps=warm_steps,
                        engine=database.write_locking,
                    )
                )
                loader = runtime.services
                rights = served_subject_rights(runtime, database)
            else:
                loader = ServicesLoader(lambda: factory(settings))
                stack.push_async_callback(loader.aclose)
                if agents:
                    loader.start()
                rights = await stack.enter_async_context(
                    open_offline_subject_rights(settings, database)
                )
            yield AppServices(
                settings=settings,
                database=database,
                agents=AgentAccess(loader),
                subject_rights=rights,
                runtime=runtime,
                sso=sso,
                custom_auth=custom_auth,
            )
    finally:
        await anyio.to_thread.run_sync(database.close)


def run_with_app_services(
    settings: Settings, work: Callable[[AppServices], Any], *, agents: bool = False
) -> Any:
    """Run ``work`` (a coroutine function) inside the root, from synchronous code (the CLI)."""
    import asyncio

    async def main() -> Any:
        async with open_app_services(settings, serve=False, agents=agents) as services:
            return await work(services)

    return asyncio.run(main())
