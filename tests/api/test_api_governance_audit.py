"""The governance audit API: ledger verification and entries, text verification, manifests,
evidence of CRM fields and the data passport, happy and unhappy paths."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from core.recommendation import Fact, ModelInfo, Recommendation
from core.settings import Settings
from crm.db import session_factory
from governance.audit_models import AuditEntryRow
from governance.audit_services import AuditServices
from governance.recorder import SignedAuditedRecorder
from server import create_app
from tests.support.audit_world import ACCOUNT, ANNA, ANNA_MEETING, BEN, BEN_CALL, seed_two_people
from tests.support.credentials import admin_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
async def app(settings: Settings, services: object) -> AsyncIterator[FastAPI]:
    application = create_app(settings, graphs={}, services_factory=lambda _: services)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, headers=admin_headers(app), base_url="http://testserver"
    ) as client:
        yield client


def _audit(app: FastAPI) -> AuditServices:
    audit: AuditServices = app.state.services.database.audit
    return audit


async def test_verify_and_page_through_entries(app: FastAPI, api: httpx.AsyncClient) -> None:
    assert (await api.get("/governance/audit/verify")).json()["ok"] is True
    for i in range(12):
        _audit(app).ledger.append("model_call", {"call_id": f"c{i}", "output_sha256": "0" * 64})
    page = (await api.get("/governance/audit/entries", params={"offset": 10, "limit": 5})).json()
    assert page["total"] == 12 and [e["seq"] for e in page["entries"]] == [11, 12]
    only = (await api.get("/governance/audit/entries", params={"kind": "recommendation"})).json()
    assert only["entries"] == []
    report = (await api.get("/governance/audit/verify")).json()
    assert report["ok"] is True and report["entries"] == 12 and report["first_bad_seq"] is None
    head = (await api.get("/governance/audit/head")).json()
    assert head["count"] == 12 and head["signature"] and base64.b64decode(head["public_key"])

    with session_factory(_audit(app).engine)() as session:
        session.execute(
            update(AuditEntryRow).where(AuditEntryRow.seq == 7).values(payload={"call_id": "x"})
        )
        session.commit()
    report = (await api.get("/governance/audit/verify")).json()
    assert report["ok"] is False and report["first_bad_seq"] == 7 and "7" in report["problem"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": 0}, "invalid_request"),
        ({"offset": -1}, "invalid_request"),
        ({"limit": "x"}, "invalid_request"),
    ],
)
async def test_bad_paging_is_a_422(
    api: httpx.AsyncClient, params: dict[str, object], code: str
) -> None:
    response = await api.get("/governance/audit/entries", params=params)
    assert response.status_code == 422 and response.json()["code"] == code


async def test_verify_text_and_manifests(app: FastAPI, api: httpx.AsyncClient) -> None:
    text = "Dear Dr. Müller, thank you for the meeting; the CT-9000 brochure follows."
    marked, signed = _audit(app).signed_output.sign_text(
        text, text_kind="email_draft", model="scripted/test", recommendation_id="rec-1"
    )
    ok = (await api.post("/governance/verify-text", json={"text": marked})).json()
    assert ok["ours"] and ok["unmodified"] and ok["manifest_id"] == signed.manifest.id
    pasted = (await api.post("/governance/verify-text", json={"text": f"  {text}\n"})).json()
    assert pasted["ours"] and pasted["unmodified"] and not pasted["marker_found"]
    edited = (
        await api.post(
            "/governance/verify-text", json={"text": marked.replace("CT-9000", "CT-9001")}
        )
    ).json()
    assert (
        edited["ours"] and not edited["unmodified"] and edited["manifest_id"] == signed.manifest.id
    )
    manifest = await api.get(f"/governance/manifests/{signed.manifest.id}")
    assert manifest.status_code == 200
    assert (
        manifest.json()["signature_valid"]
        and manifest.json()["manifest"]["recommendation_id"] == "rec-1"
    )

    missing = await api.get("/governance/manifests/ffffffffffffffffffffffff")
    assert missing.status_code == 404 and missing.json()["code"] == "manifest_not_found"
    for body in ({"text": ""}, {}, {"text": "x", "extra": 1}, {"text": 5}):
        response = await api.post("/governance/verify-text", json=body)
        assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    response = await api.post(
        "/governance/verify-text", content=b"text", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415


async def test_evidence_attach_list_and_verify(app: FastAPI, api: httpx.AsyncClient) -> None:
    seed_two_people(_audit(app).engine)
    card = b"\x89PNG\r\n" + bytes(range(200))
    created = await api.post(
        "/governance/evidence",
        json={
            "entity": "contacts",
            "record_id": ANNA,
            "field": "title",
            "content_base64": base64.b64encode(card).decode(),
            "filename": "card.png",
            "media_type": "image/png",
            "author": "rep-7",
        },
    )
    assert created.status_code == 201, created.text
    evidence = created.json()
    assert (
        evidence["kind"] == "file" and evidence["size"] == len(card) and "content" not in evidence
    )
    reference = await api.post(
        "/governance/evidence",
        json={
            "entity": "accounts",
            "record_id": ACCOUNT,
            "field": "beds",
            "reference": "Annual report p. 4",
        },
    )
    assert reference.status_code == 201
    listed = (
        await api.get("/governance/evidence", params={"entity": "contacts", "record_id": ANNA})
    ).json()
    assert [e["id"] for e in listed] == [evidence["id"]]
    assert (await api.get(f"/governance/evidence/{evidence['id']}")).json()[
        "evidence_sha256"
    ] == evidence["evidence_sha256"]

    verified = (await api.post(f"/governance/evidence/{evidence['id']}/verify")).json()
    assert verified["ok"] and verified["presented_matches"] is None
    changed = card[:-1] + b"\x00"
    differs = (
        await api.post(
            f"/governance/evidence/{evidence['id']}/verify",
            json={"content_base64": base64.b64encode(changed).decode()},
        )
    ).json()
    assert not differs["ok"] and differs["presented_matches"] is False


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"entity": "contacts", "record_id": ANNA, "field": "shoe_size", "reference": "x"},
            422,
            "unknown_field",
        ),
        (
            {"entity": "runs", "record_id": "r", "field": "status", "reference": "x"},
            422,
            "unknown_field",
        ),
        (
            {"entity": "contacts", "record_id": "CON-00000", "field": "title", "reference": "x"},
            404,
            "record_not_found",
        ),
        ({"entity": "contacts", "record_id": ANNA, "field": "title"}, 422, "unknown_field"),
        (
            {"entity": "contacts", "record_id": ANNA, "field": "title", "content_base64": "%%%"},
            422,
            "invalid_base64",
        ),
        (
            {"entity": "contacts", "record_id": ANNA, "field": "title", "reference": "x", "x": 1},
            422,
            "invalid_request",
        ),
    ],
)
async def test_bad_evidence_requests(
    app: FastAPI, api: httpx.AsyncClient, body: dict[str, object], status: int, code: str
) -> None:
    seed_two_people(_audit(app).engine)
    response = await api.post("/governance/evidence", json=body)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert (
        await api.get("/governance/evidence", params={"entity": "contacts", "record_id": ANNA})
    ).json() == []


async def test_unknown_evidence_is_a_404(api: httpx.AsyncClient) -> None:
    for response in (
        await api.get("/governance/evidence/nope"),
        await api.post("/governance/evidence/nope/verify"),
    ):
        assert response.status_code == 404 and response.json()["code"] == "evidence_not_found"


async def test_passport_json_and_page(app: FastAPI, api: httpx.AsyncClient) -> None:
    audit = _audit(app)
    seed_two_people(audit.engine)
    recorder = SignedAuditedRecorder(
        None, ledger=audit.ledger, signed_output=audit.signed_output, crm_engine=audit.engine
    )
    rec = recorder.record(
        Recommendation(
            kind="next_action",
            agent="next_action",
            subject={"account_id": ACCOUNT, "contact_id": ANNA},
            content="Call Anna about the CT-9000 service plan.",
            confidence=0.7,
            model=ModelInfo(name="scripted/test", version="scripted-1"),
            provenance=[
                Fact(source="contacts", record_id=ANNA, field="title", value="Head of Radiology"),
                Fact(source="activities", record_id=ANNA_MEETING, field="subject", value="meeting"),
                Fact(source="activities", record_id=BEN_CALL, field="subject", value="call"),
                Fact(source="accounts", record_id=ACCOUNT, field="tier", value="strategic"),
            ],
        )
    )
    audit.ledger.append(  # as tools.actions writes a rep's decision on a proposed action
        "action_decision",
        {"recommendation_id": rec.id, "action_index": 0, "decision": "approve",
         "kind": "send_email", "reviewer": "rep-7", "payload_sha256": "0" * 64},
    )  # fmt: skip
    anna = (await api.get(f"/governance/subjects/{ANNA}/passport")).json()
    assert [u["recommendation_id"] for u in anna["uses"]] == [rec.id]
    decisions = anna["uses"][0]["decisions"]
    assert [(d["decision"], d["decided_by"], d["action_kind"]) for d in decisions] == [
        ("approve", "rep-7", "send_email")
    ]
    assert {(d["source"], d["record_id"]) for d in anna["uses"][0]["data_used"]} == {
        ("contacts", ANNA),
        ("activities", ANNA_MEETING),
    }
    ben = (await api.get(f"/governance/subjects/{BEN}/passport")).json()
    assert [(d["source"], d["record_id"]) for d in ben["uses"][0]["data_used"]] == [
        ("activities", BEN_CALL)
    ]
    page = await api.get(f"/governance/subjects/{ANNA}/passport.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "next_action" in page.text and "<script" not in page.text
    for path in (
        "/governance/subjects/CON-00000/passport",
        "/governance/subjects/CON-00000/passport.html",
    ):
        response = await api.get(path)
        assert response.status_code == 404 and response.json()["code"] == "contact_not_found"
