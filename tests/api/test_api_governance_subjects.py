"""``/governance/subjects``: consent read and recorded over HTTP, export and erasure, bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from crm.db import make_engine, migrate
from memory import HashingEmbeddingFunction, Memory
from server import create_app
from tests.support.canary_world import CANARY, COLLEAGUE, ECHO, CanaryServices, seed_canary_crm
from tests.support.credentials import admin_headers

pytestmark = pytest.mark.anyio
GRANT = {"action": "grant", "purpose": "model_training", "notice_version": "2026-11"}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    seed_canary_crm(engine)
    memory = Memory(
        path=settings.resolved_chroma_path, embedding_function=HashingEmbeddingFunction()
    )
    app = create_app(
        settings, graphs={"echo": ECHO}, services_factory=lambda _: CanaryServices(memory=memory)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://testserver"
        ) as c:
            yield c
    engine.dispose()


async def _consent(client: httpx.AsyncClient, contact_id: str = COLLEAGUE) -> dict[str, Any]:
    response = await client.get(f"/governance/subjects/{contact_id}/consent")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_consent_is_recorded_and_read_back(client: httpx.AsyncClient) -> None:
    before = await _consent(client)
    assert before["status"] == {"ai_processing": True, "model_training": False, "marketing": False}
    body = {**GRANT, "source": "web_form", "ip_address": "2001:db8::7",
            "device_fingerprint": "browser-abc"}  # fmt: skip
    response = await client.post(f"/governance/subjects/{COLLEAGUE}/consent", json=body)
    assert response.status_code == 201, response.text
    record = response.json()
    assert record["action"] == "grant" and record["source"] == "web_form"
    assert len(record["ip_hash"]) == 64 and "2001:db8::7" not in response.text
    assert "browser-abc" not in response.text
    after = await _consent(client)
    assert after["status"]["model_training"] is True
    assert [r["id"] for r in after["history"]][-1] == record["id"]

    revoke = {**GRANT, "action": "revoke"}
    assert (
        await client.post(f"/governance/subjects/{COLLEAGUE}/consent", json=revoke)
    ).status_code == 201
    assert (await _consent(client))["status"]["model_training"] is False
    assert len((await _consent(client))["history"]) == len(before["history"]) + 2


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"purpose": "profiling"}, "purpose"),
        ({"action": "maybe"}, "action"),
        ({"notice_version": ""}, "notice_version"),
        ({"notice_version": "v1; DROP TABLE"}, "notice_version"),
        ({"source": "Front Desk"}, "source"),
        ({"ip_address": "999.1.1.1"}, "ip_address"),
        ({"device_fingerprint": "x" * 501}, "device_fingerprint"),
        ({"extra": 1}, "extra"),
    ],
)
async def test_bad_consent_input_is_a_422_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, change: dict[str, Any], named: str
) -> None:
    before = await _consent(client)
    response = await client.post(
        f"/governance/subjects/{COLLEAGUE}/consent", json={**GRANT, **change}
    )
    assert response.status_code == 422
    assert named in response.json()["detail"] and response.json()["code"]
    assert await _consent(client) == before


async def test_a_body_without_fields_or_json_is_refused(client: httpx.AsyncClient) -> None:
    url = f"/governance/subjects/{COLLEAGUE}/consent"
    assert (await client.post(url, json={})).status_code == 422
    response = await client.post(
        url, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and response.json()["code"] == "malformed_json"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/governance/subjects/CON-00000/consent"),
        ("POST", "/governance/subjects/CON-00000/consent"),
        ("GET", "/governance/subjects/CON-00000/export"),
        ("DELETE", "/governance/subjects/CON-00000"),
    ],
)
async def test_an_unknown_contact_is_a_404(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json=GRANT if method == "POST" else None)
    assert response.status_code == 404
    assert response.json() == {
        "detail": "contact 'CON-00000' not found",
        "code": "contact_not_found",
    }


async def test_an_overlong_contact_id_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/governance/subjects/{'C' * 25}/export")
    assert response.status_code == 422 and "contact_id" in response.json()["detail"]


async def test_export_then_erase_over_http(client: httpx.AsyncClient) -> None:
    export = await client.get(f"/governance/subjects/{CANARY}/export")
    assert export.status_code == 200
    stores = export.json()["stores"]
    assert set(stores) == {"threads", "store", "memory", "calibration", "actions",
                           "recommendations", "consent", "crm"}  # fmt: skip
    assert stores["crm"]["contact"]["id"] == CANARY
    response = await client.delete(f"/governance/subjects/{CANARY}")
    assert response.status_code == 200
    receipt = response.json()
    assert receipt["complete"] and receipt["contact_id"] == CANARY and receipt["kept"]
    assert (await client.get(f"/governance/subjects/{CANARY}/consent")).status_code == 404
    again = await client.delete(f"/governance/subjects/{CANARY}")
    assert again.status_code == 404  # erased: there is nobody left to erase
    assert (await _consent(client))["status"]["ai_processing"] is True  # the colleague is kept


async def test_consent_export_and_erasure_name_who_did_them(client: httpx.AsyncClient) -> None:
    me = (await client.get("/auth/me")).json()["user_id"]
    recorded = await client.post(
        f"/governance/subjects/{COLLEAGUE}/consent", json={**GRANT, "source": "web_form"}
    )
    assert recorded.status_code == 201 and recorded.json()["actor_id"] == me
    assert (await _consent(client))["history"][-1]["actor_id"] == me
    assert (await client.get(f"/governance/subjects/{CANARY}/export")).status_code == 200
    assert (await client.delete(f"/governance/subjects/{CANARY}")).status_code == 200
    page = (await client.get("/governance/audit/entries", params={"actor": me})).json()
    kinds = [e["kind"] for e in page["entries"]]
    assert kinds == ["subject_exported", "subject_erased"] and page["total"] == 2
    for entry in page["entries"]:
        assert entry["actor"]["user_id"] == me and entry["actor"]["via"] == "api_key"
        assert entry["actor"]["credential_id"] and entry["payload"]["contact_ids"] == [CANARY]
    nobody = await client.get("/governance/audit/entries", params={"actor": "u-nobody"})
    assert nobody.json() == {"total": 0, "offset": 0, "limit": 100, "entries": []}
    assert (await client.get("/governance/audit/entries", params={"actor": ""})).status_code == 422
    assert (await client.get("/governance/audit/verify")).json()["ok"] is True
