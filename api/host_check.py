"""Answer only to the configured host names: Starlette's ``TrustedHostMiddleware`` with the
API's error shape.

A web page a rep opens can point its own domain name at 127.0.0.1 (DNS rebinding) and then
read this server through the rep's browser as if it were same-origin. The browser still sends
that page's name in the ``Host`` header, so refusing unknown names stops it.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response

_ADMITTED = "crm_agents.host_admitted"


class HostCheck(TrustedHostMiddleware):
    """400 ``host_not_allowed`` for a ``Host`` header outside ``allowed_hosts``.

    Starlette decides; its plain-text refusal is replaced by the error body every other
    client error has. A request it lets through is marked in its scope, so only the
    middleware's own refusals are replaced, never a 400 of a route.
    """

    def __init__(self, app: ASGIApp, *, allowed_hosts: Sequence[str]) -> None:
        async def admitted(scope: Scope, receive: Receive, send: Send) -> None:
            scope[_ADMITTED] = True
            await app(scope, receive, send)

        super().__init__(
            admitted,
            allowed_hosts=[_as_in_host_header(h) for h in allowed_hosts],
            www_redirect=False,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        replaced = False

        async def send_or_replace(message: Message) -> None:
            nonlocal replaced
            if scope.get(_ADMITTED):
                await send(message)
            elif message["type"] == "http.response.start":
                replaced = True
                host = _host_header(scope)
                response = error_response(
                    400,
                    "host_not_allowed",
                    f"host {host!r} is not served here; the server answers to the names in "
                    "CRM_AGENTS_ALLOWED_HOSTS",
                )
                await response(scope, receive, send)
            elif not replaced:
                await send(message)

        await super().__call__(scope, receive, send_or_replace)


def _as_in_host_header(host: str) -> str:
    """IPv6 addresses are written in brackets in a Host header (``[::1]:8000``), and
    Starlette compares them with their brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _host_header(scope: Scope) -> str:
    for key, value in scope["headers"]:
        if key == b"host":
            return str(value.decode("latin-1"))[:200]
    return ""
