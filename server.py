"""The FastAPI app: middleware, routers and a lifespan that opens the runtime. Nothing else.

Run it with ``uvicorn server:create_app --factory`` or ``python -m server``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

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
from api.authentication import SESSION_COOKIE
from api.body_guard import RequestBodyGuard
from api.errors import install_error_handlers
from api.host_check import HostCheck
from api.openapi_access import document_access_errors
from api.rate_limit import RateLimit, RateLimiter, address_without_credentials
from api.same_site import SameSiteGuard
from api.security_headers import SecurityHeaders, inline_script_hashes
from composition.root import open_app_services
from core.offline import apply_offline_defaults
from core.settings import Settings, get_settings
from graphs.registry import GraphSpec

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    graphs: Mapping[str, GraphSpec] | None = None,
    services_factory: Callable[[Settings], Any] | None = None,
) -> FastAPI:
    """The API app. Graphs default to the registry and the agent services to
    ``composition.agents``; tests inject their own. Nothing heavy happens here: the lifespan
    opens the composition root (``app.state.services``, the only state the app keeps) and the
    agent services load in the background, so ``/ok`` answers at once."""
    # Also reached as `uvicorn server:create_app --factory`: the offline switches must be set
    # before the services import litellm, Chroma and sentence-transformers.
    apply_offline_defaults()
    resolved = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_app_services(
            resolved, graphs=graphs, services_factory=services_factory
        ) as services:
            app.state.services = services
            yield

    app = FastAPI(
        title="CRM agents",
        description="LangGraph-server-compatible API over the CRM agents.",
        lifespan=lifespan,
    )
    # Starlette runs the last added outermost: headers on every answer, then the host check,
    # CORS (answers preflights; its headers let an allowed page read a 429), the rate limit,
    # the cross-site check, then the body guard.
    app.add_middleware(
        RequestBodyGuard,
        max_bytes=resolved.max_request_bytes,
        other_bodies=calibration.NON_JSON_BODIES,
    )
    app.add_middleware(SameSiteGuard, trusted_origins=resolved.cors_origins)
    # Requests with credentials are counted per user once authentication names them.
    app.state.rate_limiter = RateLimiter(resolved.rate_limit)
    app.add_middleware(
        RateLimit,
        limiter=app.state.rate_limiter,
        key=address_without_credentials(SESSION_COOKIE),
    )
    if resolved.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=resolved.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            allow_credentials=True,
        )
    app.add_middleware(HostCheck, allowed_hosts=resolved.resolved_allowed_hosts)
    app.add_middleware(
        SecurityHeaders,
        script_hashes=inline_script_hashes(calibration.REVIEW_PAGE),
        docs_paths=[path for path in (app.docs_url, app.redoc_url) if path],
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
    document_access_errors(app)
    return app


def main() -> None:
    """Serve on the configured host and port."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
