"""The server as an attacker probes it: a foreign Host header (DNS rebinding), changes another
site makes a rep's browser send (no preflight needed), CORS, the pages' security headers and
the request rate limit; each refused with the API's error shape, and the same requests from
the server's own pages, SDKs and allowed origins still served. Everything goes through the
real app (``httpx.ASGITransport``)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.calibration import REVIEW_PAGE
from api.rate_limit import RateLimiter
from api.security_headers import inline_script_hashes
from core.settings import Settings
from tests.support.apps import make_app
from tests.support.credentials import admin_headers, create_key
from tests.support.fake_graphs import FakeServices

pytestmark = pytest.mark.anyio

ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
ATTACKER = "https://attacker.example"


@pytest.fixture
def open_client(tmp_path: Path) -> ClientFactory:
    """``async with open_client(**settings) as client``: the app with those settings, the
    admin key presented (credentials never get a refused request through)."""

    @asynccontextmanager
    async def start(
        client_address: str = "127.0.0.1", **overrides: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(data_dir=tmp_path / "data", _env_file=None, **overrides)  # type: ignore[call-arg]
        app = make_app(settings, FakeServices())
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=(client_address, 50000))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://localhost:8000", headers=admin_headers(app)
            ) as client:
                yield client

    return start


# -- Host header: DNS rebinding -------------------------------------------------------------


async def test_a_foreign_host_header_reads_nothing(open_client: ClientFactory) -> None:
    async with open_client() as client:
        for path in ("/crm/accounts", "/threads/search", "/", "/static/app.js"):
            method = "POST" if path == "/threads/search" else "GET"
            answer = await client.request(
                method,
                path,
                headers={"Host": "attacker.example"},
                json={} if method == "POST" else None,
            )
            assert answer.status_code == 400, (path, answer.text)
            assert answer.json()["code"] == "host_not_allowed"
            assert "'attacker.example'" in answer.json()["detail"]
            assert "CRM_AGENTS_ALLOWED_HOSTS" in answer.json()["detail"]
            # Refusals carry the security headers too.
            assert answer.headers["x-frame-options"] == "DENY"
        missing = await client.get("/crm/accounts", headers={"Host": ""})
        assert missing.status_code == 400 and missing.json()["code"] == "host_not_allowed"


async def test_loopback_names_are_answered_with_or_without_a_port(
    open_client: ClientFactory,
) -> None:
    async with open_client() as client:
        for host in ("localhost:8000", "127.0.0.1", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"):
            answer = await client.get("/crm/accounts", headers={"Host": host})
            assert answer.status_code == 200, (host, answer.text)


async def test_configured_names_and_the_listening_address_are_answered(
    open_client: ClientFactory,
) -> None:
    async with open_client(allowed_hosts="crm.example.com,*.crm.example.com", host="10.0.0.5") as c:
        for host in ("crm.example.com", "eu.crm.example.com:443", "10.0.0.5:8000"):
            assert (await c.get("/crm/accounts", headers={"Host": host})).status_code == 200, host
        for host in ("localhost", "crm.example.com.attacker.example", "example.com"):
            assert (await c.get("/crm/accounts", headers={"Host": host})).status_code == 400, host
    # A wildcard listening address names no host: it is not answered as one.
    async with open_client(host="0.0.0.0") as client:
        assert (await client.get("/ok", headers={"Host": "0.0.0.0:8000"})).status_code == 400
        assert (await client.get("/ok")).status_code == 200


# -- Cross-site requests (CSRF without preflight) -------------------------------------------


async def test_a_foreign_page_cannot_import_scores_create_threads_or_close_a_batch(
    open_client: ClientFactory,
) -> None:
    async with open_client() as client:
        attacks = [
            # A multipart form another site posts: a score import in the rep's name.
            client.post(
                "/calibration/batches/b-1/scores",
                files={"file": ("scores.csv", b"item_id,reviewer,score\n")},
                headers={"Origin": ATTACKER},
            ),
            # Empty text/plain POSTs need no preflight either.
            client.post(
                "/threads", content=b"", headers={"Origin": ATTACKER, "Content-Type": "text/plain"}
            ),
            client.post(
                "/calibration/batches/b-1/close",
                content=b"",
                headers={"Origin": ATTACKER, "Content-Type": "text/plain"},
            ),
            # A browser that sends no Origin still says the request is cross-site.
            client.post("/threads", json={}, headers={"Sec-Fetch-Site": "cross-site"}),
            # Sandboxed frames and local files send the opaque origin "null".
            client.post("/threads", json={}, headers={"Origin": "null"}),
            # Same host name, another port: another origin.
            client.delete("/threads/t-1", headers={"Origin": "http://localhost:9999"}),
            client.patch("/threads/t-1", json={}, headers={"Origin": ATTACKER}),
        ]
        for attack in attacks:
            answer = await attack
            assert answer.status_code == 403, answer.text
            assert answer.json()["code"] == "cross_site_request"
            assert "CRM_AGENTS_CORS_ORIGINS" in answer.json()["detail"]
        assert ATTACKER in (await client.post("/threads", headers={"Origin": ATTACKER})).text
        # Nothing was created.
        listed = await client.post("/threads/search", json={})
        assert listed.status_code == 200 and listed.json() == []


async def test_the_servers_own_pages_sdks_and_reads_pass(open_client: ClientFactory) -> None:
    async with open_client() as client:
        own = {"Origin": "http://localhost:8000", "Sec-Fetch-Site": "same-origin"}
        assert (await client.post("/threads", json={}, headers=own)).status_code == 200
        # Behind a TLS-terminating proxy the page is https while the server sees http.
        behind_proxy = {"Origin": "https://localhost:8000"}
        assert (await client.post("/threads", json={}, headers=behind_proxy)).status_code == 200
        # SDKs and scripts send no Origin.
        assert (await client.post("/threads", json={})).status_code == 200
        imported = await client.post(
            "/calibration/batches/b-1/scores",
            files={"file": ("scores.csv", b"item_id,reviewer,score\n")},
            headers=own,
        )
        assert imported.status_code == 404, imported.text  # past the guard: no such batch
        # Reads change nothing: CORS keeps their answers from foreign pages.
        read = await client.get("/crm/accounts", headers={"Origin": ATTACKER})
        assert read.status_code == 200
        assert "access-control-allow-origin" not in read.headers


# -- CORS -----------------------------------------------------------------------------------


async def test_cors_is_off_by_default(open_client: ClientFactory) -> None:
    async with open_client() as client:
        preflight = await client.options(
            "/threads",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in preflight.headers


async def test_configured_origins_may_call_the_api_from_a_browser(
    open_client: ClientFactory,
) -> None:
    async with open_client(cors_origins="https://app.example, https://other.example") as client:
        preflight = await client.options(
            "/threads",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "x-api-key, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        created = await client.post(
            "/threads",
            json={},
            headers={"Origin": "https://app.example", "Sec-Fetch-Site": "cross-site"},
        )
        assert created.status_code == 200, created.text
        assert created.headers["access-control-allow-origin"] == "https://app.example"
        refused = await client.post("/threads", json={}, headers={"Origin": ATTACKER})
        assert refused.status_code == 403
        assert "access-control-allow-origin" not in refused.headers


# -- Security headers -----------------------------------------------------------------------


async def test_every_answer_carries_the_security_headers(open_client: ClientFactory) -> None:
    async with open_client() as client:
        for path in ("/", "/sign-in", "/static/app.js", "/ok", "/no-such-route", "/crm/accounts"):
            answer = await client.get(path)
            csp = answer.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
            assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split(";")[1]
            assert answer.headers["x-frame-options"] == "DENY"
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["referrer-policy"] == "no-referrer"
            assert answer.headers["cross-origin-opener-policy"] == "same-origin"
        # The review page's one inline script is allowed by its hash, nothing else inline.
        review_hashes = inline_script_hashes(REVIEW_PAGE)
        csp = (await client.get("/ok")).headers["content-security-policy"]
        assert all(f"'{digest}'" in csp for digest in review_hashes)
        # FastAPI's API docs load Swagger UI from its CDN.
        docs = await client.get("/docs")
        assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]


def test_inline_script_hashes_are_those_browsers_compute(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    script = '\n"use strict";\nconst a = "</p>";\n'
    page.write_text(f'<script src="/x.js"></script><p>hi</p><script>{script}</script>')
    expected = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert inline_script_hashes(page) == [f"sha256-{expected}"]


# -- Rate limits ----------------------------------------------------------------------------


async def test_a_client_over_its_rate_gets_429_with_retry_after(
    open_client: ClientFactory,
) -> None:
    async with open_client(rate_limit="3/minute") as client:
        for _ in range(3):
            assert (await client.get("/crm/accounts")).status_code == 200
        limited = await client.get("/crm/accounts")
        assert limited.status_code == 429
        assert limited.json()["code"] == "rate_limited"
        assert "3/minute" in limited.json()["detail"]
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # The health check and the page's files are never limited.
        for _ in range(5):
            assert (await client.get("/ok")).status_code == 200
            assert (await client.get("/static/app.js")).status_code == 200


async def test_clients_are_counted_apart(open_client: ClientFactory) -> None:
    async with open_client(rate_limit="1/minute", client_address="10.0.0.7") as client:
        assert (await client.get("/crm/accounts")).status_code == 200
        assert (await client.get("/crm/accounts")).status_code == 429
    async with open_client(rate_limit="1/minute", client_address="10.0.0.8") as client:
        assert (await client.get("/crm/accounts")).status_code == 200


async def test_signed_in_callers_are_counted_per_user_not_per_address(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None, rate_limit="2/minute")  # type: ignore[call-arg]
    app = make_app(settings, FakeServices())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
            first, second = admin_headers(app), {"x-api-key": create_key(app, "rep")}
            for headers in (first, second):  # two applications behind one address
                for _ in range(2):
                    assert (await c.get("/crm/accounts", headers=headers)).status_code == 200
            limited = await c.get("/crm/accounts", headers=first)
            assert limited.status_code == 429 and "per user or API key" in limited.json()["detail"]
            # Refused credentials and none at all count against the address.
            for _ in range(2):
                assert (
                    await c.get("/crm/accounts", headers={"x-api-key": "crm_x_y"})
                ).status_code == 401
            assert (await c.get("/crm/accounts")).status_code == 429


async def test_the_limiter_counts_per_key_in_a_moving_window() -> None:
    limiter = RateLimiter("2/minute;3/hour")
    assert await limiter.hit("ana") is None
    assert await limiter.hit("ana") is None
    wait = await limiter.hit("ana")
    assert wait is not None and 1 <= wait <= 60
    assert await limiter.hit("ben") is None
    await limiter.clear("ana")
    assert await limiter.hit("ana") is None


def test_settings_that_would_open_the_server_are_refused_at_start() -> None:
    with pytest.raises(ValueError, match="'often' is not a rate"):
        Settings(rate_limit="often", _env_file=None)  # type: ignore[call-arg]
    # A wildcard would let every site read the API with a signed-in rep's cookie.
    for origin in ("*", "app.example", "https://app.example/path"):
        with pytest.raises(ValueError, match="is not an origin"):
            Settings(cors_origins=origin, _env_file=None)  # type: ignore[call-arg]
    assert Settings(cors_origins="https://a.example/", _env_file=None).cors_origins == [  # type: ignore[call-arg]
        "https://a.example"
    ]
