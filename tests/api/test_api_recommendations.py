"""GET /recommendations and feedback over HTTP, with the one error shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from core.recommendation import Fact, Recommendation
from core.settings import Settings
from crm.db import make_engine, migrate
from crm.recommendations import RecommendationLog
from server import create_app
from tests.support.credentials import admin_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, model="scripted/test")


@pytest.fixture
def stored(settings: Settings) -> list[Recommendation]:
    migrate(settings.resolved_database_url)
    log = RecommendationLog(make_engine(settings.resolved_database_url))
    recs = [
        Recommendation(
            kind="answer",
            agent=agent,
            subject={"account_id": account},
            content="x",
            confidence=0.6,
            created_at=datetime(2026, 11, day, tzinfo=UTC),
            provenance=[Fact(source="accounts", record_id=account, field="name", value="A")],
        )
        for agent, account, day in [
            ("technical_qa", "ACC-1", 1),
            ("budget", "ACC-1", 2),
            ("budget", "ACC-2", 3),
        ]
    ]
    return [log.record(rec) for rec in recs]


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, graphs={}, services_factory=lambda s: None)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://test"
        ) as http:
            yield http


async def test_list_filters_and_get_with_feedback(client, stored) -> None:
    listed = (await client.get("/recommendations")).json()
    assert [r["id"] for r in listed] == [r.id for r in reversed(stored)]
    by_agent = (
        await client.get("/recommendations", params={"agent": "budget", "account_id": "ACC-1"})
    ).json()
    assert [r["id"] for r in by_agent] == [stored[1].id]
    window = await client.get(
        "/recommendations",
        params={"since": "2026-11-02T00:00:00Z", "until": "2026-11-03T00:00:00Z"},
    )
    assert [r["id"] for r in window.json()] == [stored[1].id]

    target = stored[0].id
    created = await client.post(
        f"/recommendations/{target}/feedback",
        json={"verdict": "reject", "comment": "wrong product"},
    )
    assert created.status_code == 201 and created.json()["verdict"] == "reject"
    detail = (await client.get(f"/recommendations/{target}")).json()
    assert detail["status"] == "final" and detail["provenance"][0]["record_id"] == "ACC-1"
    assert [f["comment"] for f in detail["feedback"]] == ["wrong product"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "needle"),
    [
        ("get", "/recommendations/nope", None, 404, "nope"),
        ("post", "/recommendations/nope/feedback", {"verdict": "accept"}, 404, "nope"),
        ("get", "/recommendations?limit=0", None, 422, "limit"),
        ("get", "/recommendations?since=yesterday", None, 422, "since"),
        (
            "get",
            "/recommendations?since=2026-11-03T00:00:00Z&until=2026-11-01T00:00:00Z",
            None,
            422,
            "since",
        ),
    ],
)
async def test_bad_requests_name_the_problem(
    client, stored, method, path, body, status, needle
) -> None:
    response = await client.request(method, path, json=body)
    assert response.status_code == status
    payload = response.json()
    assert set(payload) == {"detail", "code"} and needle in payload["detail"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"verdict": "maybe"}, "verdict"),
        ({"verdict": "modify"}, "modified_content"),
        ({"verdict": "accept", "extra": 1}, "extra"),
    ],
)
async def test_bad_feedback_is_refused_and_nothing_is_stored(client, stored, body, needle) -> None:
    target = stored[0].id
    response = await client.post(f"/recommendations/{target}/feedback", json=body)
    assert response.status_code == 422 and needle in response.json()["detail"]
    assert (await client.get(f"/recommendations/{target}")).json()["feedback"] == []


async def test_feedback_is_the_signed_in_users_and_names_nobody_else(client, stored) -> None:
    me = (await client.get("/auth/me")).json()["user_id"]
    target = stored[0].id
    url = f"/recommendations/{target}/feedback"
    created = await client.post(url, json={"verdict": "accept"})
    assert created.status_code == 201 and created.json()["author"] == me
    forged = await client.post(url, json={"verdict": "reject", "author": "u-someone-else"})
    assert forged.status_code == 403
    assert "author: you act as yourself" in forged.json()["detail"]
    assert [
        f["author"] for f in (await client.get(f"/recommendations/{target}")).json()["feedback"]
    ] == [me]
