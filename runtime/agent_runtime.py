"""Everything a server needs to run graphs, opened and closed as one unit."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine

from core.settings import Settings
from crm.db import migrate, session_factory
from graphs.registry import GraphSpec
from runtime.assistant_store import AssistantStore
from runtime.assistants import AssistantService
from runtime.broker import InMemoryStreamBroker
from runtime.checkpoints import open_checkpointer, open_graph_store
from runtime.database import make_records_engine, records_limiter
from runtime.executor import RunExecutor
from runtime.graph_catalog import GraphCatalog
from runtime.outbound_urls import OutboundPolicy
from runtime.records import utcnow
from runtime.run_store import RunStore
from runtime.service_loader import ServicesLoader
from runtime.thread_store import ThreadStore
from runtime.threads import ThreadService
from runtime.warmup import AgentWarmup, WarmStep, default_steps
from runtime.webhooks import WebhookSender

logger = logging.getLogger(__name__)

ServicesFactory = Callable[[Settings], Any]


@dataclass(frozen=True)
class AgentRuntime:
    """The graphs, threads, runs and services of one server process."""

    settings: Settings
    catalog: GraphCatalog
    threads: ThreadService
    runs: RunStore
    executor: RunExecutor
    services: ServicesLoader
    started_at: datetime
    assistants: AssistantService
    # The LangGraph BaseStore graphs receive; the store API reads and writes the same one.
    store: Any
    # The checkpointer graphs write to (data subject export and erasure read it too).
    checkpointer: Any = None
    # Compiles the graphs and loads the models in the background; /info reports it.
    warmup: AgentWarmup | None = None


@asynccontextmanager
async def open_agent_runtime(
    settings: Settings,
    *,
    graphs: Mapping[str, GraphSpec],
    services_factory: ServicesFactory,
    warm_steps: Sequence[WarmStep] | None = None,
    engine: Engine | None = None,
) -> AsyncIterator[AgentRuntime]:
    """Open checkpointer and store over the records, start loading the services.

    ``engine`` is the process's shared, migrated, write-locking engine
    (``composition.root.open_app_services`` passes it and disposes it); without one (the
    runtime's own tests, benchmarks) the database is migrated and an engine opened and closed
    here.

    Returns quickly: the services (models) load in a worker thread while requests are served,
    then the warm-up compiles the graphs and loads the memory and the local model
    (``warm_steps``, default :func:`runtime.warmup.default_steps`); runs wait for what they
    need. On exit, running runs are cancelled (``interrupted``) and everything is closed.
    """
    owned = engine is None
    if engine is None:
        url = settings.resolved_database_url
        await anyio.to_thread.run_sync(migrate, url)
        engine = await anyio.to_thread.run_sync(make_records_engine, url)
    try:
        async with open_checkpointer(settings) as checkpointer, open_graph_store(settings) as store:
            sessions = session_factory(engine)
            limiter = records_limiter(engine)
            thread_store = ThreadStore(sessions, limiter=limiter)
            run_store = RunStore(sessions, limiter=limiter)
            failed = await run_store.fail_unfinished()
            if failed:
                logger.warning("%d runs were cut off by the last shutdown; marked error", failed)
            services = ServicesLoader(lambda: services_factory(settings))
            services.start()
            assistant_store = AssistantStore(sessions, limiter=limiter)
            await assistant_store.sync_system(list(graphs.values()))
            catalog = GraphCatalog(
                graphs,
                services=services,
                checkpointer=checkpointer,
                store=store,
                assistants=assistant_store,
            )
            warmup = None
            if settings.warm_up:
                warmup = AgentWarmup(
                    services=services,
                    catalog=catalog,
                    steps=default_steps(settings) if warm_steps is None else warm_steps,
                )
                warmup.start()
            executor = RunExecutor(
                threads=thread_store,
                runs=run_store,
                catalog=catalog,
                broker=InMemoryStreamBroker(),
                checkpointer=checkpointer,
                webhooks=WebhookSender(outbound=OutboundPolicy(settings.outbound_allow)),
            )
            thread_service = ThreadService(
                store=thread_store,
                executor=executor,
                catalog=catalog,
                checkpointer=checkpointer,
            )
            runtime = AgentRuntime(
                settings=settings,
                catalog=catalog,
                threads=thread_service,
                runs=run_store,
                executor=executor,
                services=services,
                started_at=utcnow(),
                assistants=AssistantService(
                    store=assistant_store, catalog=catalog, threads=thread_service
                ),
                store=store,
                checkpointer=checkpointer,
                warmup=warmup,
            )
            try:
                yield runtime
            finally:
                if warmup is not None:
                    await warmup.aclose()
                await executor.aclose()
                await services.aclose()
    finally:
        if owned:
            await anyio.to_thread.run_sync(engine.dispose)
