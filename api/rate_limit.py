"""Request rate limits: how often one client may call, with the ``limits`` library.

One client hammering the API (a runaway script, a password guesser, a scraper of contact
data) must not starve everyone else. Each request counts against its client's moving window
(``CRM_AGENTS_RATE_LIMIT``, e.g. ``600/minute``); over the limit the answer is 429 with
``Retry-After``. ``/ok`` (load balancers poll it) and the page's static files are not counted.

A request without credentials counts against its client's address here. One that carries
credentials (an API key, a bearer token, the session cookie) is counted by authentication
instead (``api/authentication.py``), against the user it proves, so two applications behind
one address get a limit each and one user cannot multiply theirs by spreading requests over
addresses; if the credentials prove no one, the request counts against its address. Sign-in attempts get
their own limiter, keyed by the sign-in name (``CRM_AGENTS_SIGN_IN_RATE_LIMIT``).

Counters live in this process's memory: behind a load balancer each replica counts on its
own. ``limits`` also stores them in Redis (``storage_from_string("async+redis://...")``),
the way to share them when replicas come.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from limits import parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response

UNCOUNTED = ("/ok", "/static/")
"""Paths no limit applies to: the health check and (a trailing ``/``: under it) the chat
page's files."""


def counted(path: str, uncounted: Sequence[str] = UNCOUNTED) -> bool:
    """Whether requests to ``path`` count against their client's limit."""
    return not any(
        path.startswith(entry) if entry.endswith("/") else path == entry for entry in uncounted
    )


class RateLimiter:
    """Moving-window counters per key for one rate such as ``"600/minute"`` (several rates
    may be joined with ``;``: ``"20/second;600/minute"``)."""

    def __init__(self, rate: str, *, storage: Storage | None = None) -> None:
        self.rate = rate
        self._items = parse_many(rate)
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())

    async def hit(self, key: str) -> float | None:
        """Count one request for ``key``: None when allowed, else the seconds to wait
        before the next one would be (what ``Retry-After`` says)."""
        wait = 0.0
        for item in self._items:
            if not await self._limiter.hit(item, key):
                stats = await self._limiter.get_window_stats(item, key)
                wait = max(wait, stats.reset_time - time.time())
                break
        else:
            return None
        return max(wait, 1.0)

    async def clear(self, key: str) -> None:
        """Forget ``key``'s counts (e.g. after a successful sign-in)."""
        for item in self._items:
            await self._limiter.clear(item, key)


def client_address(scope: Scope) -> str | None:
    """The key of an unauthenticated request: its client's address."""
    client = scope.get("client")
    return f"address:{client[0]}" if client else None


def address_without_credentials(session_cookie: str) -> Callable[[Scope], str | None]:
    """The middleware's key: the client's address for a request without credentials, None
    (counted later, by authentication, per user) for one that carries any."""
    cookie = f"{session_cookie}=".encode()

    def key(scope: Scope) -> str | None:
        for name, value in scope.get("headers", ()):
            if name in (b"x-api-key", b"authorization") or (name == b"cookie" and cookie in value):
                return None
        return client_address(scope)

    return key


def rate_limited(limiter: RateLimiter, wait: float, *, per: str) -> tuple[str, dict[str, str]]:
    """The detail and headers of a 429 after waiting ``wait`` seconds is needed."""
    seconds = math.ceil(wait)
    detail = (
        f"too many requests: this server accepts {limiter.rate} per {per} "
        f"(CRM_AGENTS_RATE_LIMIT); try again in {seconds} s"
    )
    return detail, {"Retry-After": str(seconds)}


class RateLimit:
    """ASGI middleware: 429 ``rate_limited`` with ``Retry-After`` once a client's requests
    exceed the limiter's rate."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        key: Callable[[Scope], str | None] = client_address,
        uncounted: Sequence[str] = UNCOUNTED,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.key = key
        self.uncounted = tuple(uncounted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and counted(scope["path"], self.uncounted):
            key = self.key(scope)
            wait = None if key is None else await self.limiter.hit(key)
            if wait is not None:
                detail, headers = rate_limited(self.limiter, wait, per="client")
                response = error_response(429, "rate_limited", detail, headers=headers)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
