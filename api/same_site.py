"""Refuse changes a browser sends on behalf of another site (cross-site request forgery).

A page on any site can make a rep's browser POST a form (``multipart/form-data``,
``text/plain``, ``application/x-www-form-urlencoded``) to this server without a CORS
preflight: a foreign score import, a thread created, a calibration batch closed. Browsers say
where such a request comes from: ``Sec-Fetch-Site`` and ``Origin``. So a state-changing
request (POST, PUT, PATCH, DELETE) is refused with 403 when the browser marks it cross-site,
or when its ``Origin`` is neither this server's own nor one of the configured CORS origins.
Requests without either header (SDKs, scripts, curl) are not from a browser page and pass;
authentication decides about them.

The server's own origin is read from the ``Host`` header, which the host check has already
limited to the configured names.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response

STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _origin_key(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


class SameSiteGuard:
    """ASGI middleware: 403 ``cross_site_request`` for browser changes from other sites."""

    def __init__(self, app: ASGIApp, *, trusted_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted_origins = frozenset(_origin_key(origin) for origin in trusted_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in STATE_CHANGING_METHODS:
            problem = self._problem(Headers(scope=scope))
            if problem is not None:
                response = error_response(
                    403,
                    "cross_site_request",
                    f"{problem}: changes are accepted only from this server's own pages or "
                    "the origins in CRM_AGENTS_CORS_ORIGINS",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _problem(self, headers: Headers) -> str | None:
        """Why the request is cross-site, or None when it is not (or not from a browser)."""
        origin = headers.get("origin")
        if origin is not None:
            if _origin_key(origin) in self.trusted_origins:
                return None
            parts = urlsplit(origin.strip())
            own = headers.get("host", "").lower()
            # Scheme is not compared: behind a TLS-terminating proxy the server sees http
            # while the page is https, and the host names one server either way.
            if parts.scheme in ("http", "https") and own and parts.netloc.lower() == own:
                return None
            return f"a request from origin {origin[:200]!r}, another site, was refused"
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            return "a request the browser marks as cross-site was refused"
        return None
