"""The FastAPI app: middleware, routers and a lifespan that opens the runtime. Nothing else.

Run it with ``uvicorn server:create_app --factory`` or ``python -m server``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI

from api import (
    assistants,
    calibration,
    calibration_reports,
    crm,
    events,
    governance_audit,
    governance_fairness,
    governance_subjects,
    openai_compat,
    recommendations,
    runs,
    store,
    system,
    threads,
    web,
)
from api.body_guard import RequestBodyGuard
from api.errors import install_error_handlers
from core.offline import apply_offline_defaults
from core.settings import Settings, get_settings
from crm.account_overview import AccountOverviews
from crm.db import make_engine
from crm.provenance import ProvenanceRecords
from crm.recommendations import RecommendationLog
from eval.calibration.store import CalibrationStore
from eval.calibration.subject_data import CalibrationSubjectData
from governance.audit_services import open_audit_services
from governance.consent import ConsentLedger, load_consent_key
from governance.subject_rights import ContactIdHolder
from graphs.registry import GraphSpec
from runtime.agent_runtime import open_agent_runtime
from runtime.subject_data import subject_rights_for

logger = logging.getLogger(__name__)


def _default_services(settings: Settings) -> Any:
    # Imported when first needed: it pulls in the CRM store, Chroma and the model gateway.
    from composition.agents import create_services

    return create_services(settings)


def _default_graphs() -> dict[str, GraphSpec]:
    from graphs.registry import registered_graphs

    return registered_graphs()


def create_app(
    settings: Settings | None = None,
    *,
    graphs: Mapping[str, GraphSpec] | None = None,
    services_factory: Callable[[Settings], Any] | None = None,
) -> FastAPI:
    """The API app. Graphs default to the registry and services to ``tools.agent_services``; tests
    inject their own. Nothing heavy happens here: the lifespan opens the runtime and the
    services load in the background, so ``/ok`` answers at once."""
    # Also reached as `uvicorn server:create_app --factory`: the offline switches must be set
    # before the services import litellm, Chroma and sentence-transformers.
    apply_offline_defaults()
    resolved = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_agent_runtime(
            resolved,
            graphs=graphs if graphs is not None else _default_graphs(),
            services_factory=services_factory or _default_services,
        ) as runtime:
            app.state.runtime = runtime
            # The recommendation log answers without waiting for the models to load.
            engine = make_engine(resolved.resolved_database_url)
            app.state.recommendation_log = RecommendationLog(engine)
            app.state.calibration_store = CalibrationStore(engine)
            audit = await anyio.to_thread.run_sync(open_audit_services, resolved)
            app.state.audit_services = audit
            app.state.audit_ledger = audit.ledger
            app.state.account_overviews = AccountOverviews(engine)
            app.state.provenance_records = ProvenanceRecords(engine)
            app.state.consent_ledger = ConsentLedger(
                engine, key=load_consent_key(resolved.resolved_governance_key_dir)
            )
            app.state.subject_rights = subject_rights_for(
                runtime,
                engine=engine,
                consent=app.state.consent_ledger,
                extra_holders=[ContactIdHolder("calibration", CalibrationSubjectData(engine))],
                audit=audit.ledger,  # each erasure leaves a subject_erased entry
            )
            try:
                yield
            finally:
                audit.close()
                engine.dispose()

    app = FastAPI(
        title="CRM agents",
        description="LangGraph-server-compatible API over the CRM agents.",
        lifespan=lifespan,
    )
    app.state.settings = resolved
    app.add_middleware(
        RequestBodyGuard,
        max_bytes=resolved.max_request_bytes,
        other_bodies=calibration.NON_JSON_BODIES,
    )
    install_error_handlers(app)
    for router in (system.router, assistants.router, threads.router, runs.router):
        app.include_router(router)
    app.include_router(store.router)
    app.include_router(openai_compat.router)
    app.include_router(recommendations.router)
    app.include_router(events.router)
    app.include_router(calibration.router)
    app.include_router(calibration_reports.router)
    app.include_router(governance_audit.router)
    app.include_router(governance_fairness.router)
    app.include_router(governance_subjects.router)
    app.include_router(crm.router)
    app.include_router(web.router)
    app.mount("/static", web.static_files, name="static")
    return app


def main() -> None:
    """Serve on the configured host and port."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
