"""The canary: a person seeded into every store is exported in full, then erased without trace.

Stores: CRM rows and activities, a lead score, recommendations and feedback, consent records
(SQL); account-note chunks (Chroma); a thread whose messages name her, with its runs and
checkpoints; a LangGraph store item. After erasure nothing names her (id, name, e-mail or
phone) outside the audit ledger, which keeps ids only and still verifies.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, inspect, text

from core.settings import Settings
from crm.db import make_engine, migrate
from crm.store import CRMStore
from memory import AccountNote, HashingEmbeddingFunction, Memory
from memory.models import ACCOUNT_NOTES
from runtime.serialization import dumps
from server import create_app
from tests.support.canary_world import (
    ABOUT_ACCOUNT,
    ABOUT_HER,
    ACCOUNT,
    CALIBRATION_ITEM,
    CANARY,
    COLLEAGUE,
    COLLEAGUE_TASK,
    ECHO,
    EMAIL,
    EMAIL_OUT,
    EVIDENCE,
    NAME,
    NOW,
    OWN_ACTIVITIES,
    OWN_TASK,
    PHONE,
    SHARED_ACTIVITY,
    TRACES,
    CanaryServices,
    seed_canary_crm,
)
from tests.support.credentials import admin_headers
from tools.indexing import index_account_notes

pytestmark = pytest.mark.anyio
NOTE = "NOTE-7777-1"
TRACE = re.compile("|".join(re.escape(t) for t in TRACES), re.IGNORECASE)
PERSONAL = re.compile("|".join(re.escape(t) for t in (NAME, EMAIL, PHONE)), re.IGNORECASE)


class World:
    def __init__(self, tmp: Path) -> None:
        self.settings = Settings(_env_file=None, data_dir=tmp / "data")
        url = self.settings.resolved_database_url
        migrate(url)
        self.engine: Engine = make_engine(url)
        self.seeded = seed_canary_crm(self.engine)
        self.memory = Memory(
            path=self.settings.resolved_chroma_path,
            embedding_function=HashingEmbeddingFunction(),
        )
        index_account_notes(CRMStore(self.engine), self.memory)
        self.memory.index_account_notes(
            [AccountNote(note_id=NOTE, account_id=ACCOUNT, occurred_at=NOW,
                         text=f"Rep's remark: {NAME} wants a demo in March.")]
        )  # fmt: skip
        self.services = CanaryServices(memory=self.memory)
        self.app: FastAPI = create_app(
            self.settings, graphs={"echo": ECHO}, services_factory=lambda _: self.services
        )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[World, httpx.AsyncClient]]:
    built = World(tmp_path)
    async with built.app.router.lifespan_context(built.app):
        transport = httpx.ASGITransport(app=built.app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(built.app), base_url="http://testserver"
        ) as client:
            yield built, client
    built.engine.dispose()


async def _chat(client: httpx.AsyncClient, message: str) -> str:
    thread_id = (await client.post("/threads", json={})).json()["thread_id"]
    body = {"assistant_id": "echo", "input": {"messages": [{"role": "user", "content": message}]}}
    response = await client.post(f"/threads/{thread_id}/runs/wait", json=body)
    assert response.status_code == 200, response.text
    return str(thread_id)


async def _seed_runtime(world: World, client: httpx.AsyncClient) -> tuple[str, str]:
    about_her = await _chat(client, f"What did {EMAIL} ask for last week?")
    world.services.reply = "Noted."
    unrelated = await _chat(client, "Which deals close this quarter?")
    for key, note in (("contact-pref", f"{NAME} prefers mornings"), ("account-pref", "Mondays")):
        put = {"namespace": ["prefs", ACCOUNT], "key": key, "value": {"note": note}}
        assert (await client.put("/store/items", json=put)).status_code == 204
    return about_her, unrelated


def _sql_rows(engine: Engine) -> dict[str, str]:
    """Every table's rows as text."""
    dumped = {}
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
            dumped[table] = " ".join(str(tuple(row)) for row in rows)
    return dumped


async def test_export_finds_everything_and_erasure_leaves_no_trace(
    world: tuple[World, httpx.AsyncClient],
) -> None:
    built, client = world
    about_her, unrelated = await _seed_runtime(built, client)
    runtime = built.app.state.services.served

    # -- export: recall of every seeded trace is 100% -----------------------------------------
    response = await client.get(f"/governance/subjects/{CANARY}/export")
    assert response.status_code == 200, response.text
    stores = response.json()["stores"]
    expected = {
        "contact": {CANARY},
        "activities": {*OWN_ACTIVITIES, SHARED_ACTIVITY},
        "recommendations": {ABOUT_HER, ABOUT_ACCOUNT},
        "feedback": set(built.seeded["feedback"]),
        "memory notes": {"EVT-770001", SHARED_ACTIVITY, NOTE},
        "threads": {about_her},
        "store": {"contact-pref"},
        "consent": {"grant", "revoke"},
        "calibration": {CALIBRATION_ITEM},
        "tasks": {OWN_TASK, COLLEAGUE_TASK},
        "emails": {EMAIL_OUT},
        "evidence": {EVIDENCE},
    }
    found = {
        "contact": {stores["crm"]["contact"]["id"]},
        "activities": {a["id"] for a in stores["crm"]["activities"]},
        "recommendations": {r["id"] for r in stores["recommendations"]["recommendations"]},
        "feedback": {f["id"] for f in stores["recommendations"]["feedback"]},
        "memory notes": {c["note_id"] for c in stores["memory"]},
        "threads": {t["thread_id"] for t in stores["threads"]},
        "store": {i["key"] for i in stores["store"]},
        "consent": {r["action"] for r in stores["consent"]},
        "calibration": {i["item_id"] for i in stores["calibration"]},
        "tasks": {t["id"] for t in stores["actions"]["tasks"]},
        "emails": {e["id"] for e in stores["actions"]["emails"]},
        "evidence": {e["id"] for e in stores["actions"]["evidence"]},
    }
    assert found == expected  # all of it, and nothing of anyone else
    assert len(stores["crm"]["lead_scores"]) == 1 and len(stores["consent"]) == 3
    assert stores["crm"]["direct_reports"] == [COLLEAGUE]
    assert NAME in str(stores["threads"][0]["checkpoints"])  # the messages themselves

    # -- erasure ------------------------------------------------------------------------------
    response = await client.delete(f"/governance/subjects/{CANARY}")
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["complete"] is True
    removed = {s["store"]: s["removed"] for s in receipt["stores"]}
    assert removed == {"threads": 1, "store": 1, "memory": 3, "calibration": 2, "actions": 4,
                       "recommendations": 3, "consent": 3, "crm": removed["crm"]}  # fmt: skip
    assert removed["crm"] >= 6  # 3 activities, a lead score, a colleague's manager, the contact
    assert [s["store"] for s in receipt["stores"]][-1] == "crm"  # the contact row goes last
    assert (await client.get(f"/governance/subjects/{CANARY}/export")).status_code == 404

    # SQL: no table names her, except the audit ledger, which holds her id and no more.
    for table, rows in _sql_rows(built.engine).items():
        pattern = PERSONAL if table.startswith("audit_") else TRACE
        assert not pattern.search(rows), f"{table} still names the canary"
    kept = _sql_rows(built.engine)
    assert COLLEAGUE in kept["contacts"] and "EVT-770004" in kept["activities"]
    assert SHARED_ACTIVITY in kept["activities"] and "[erased]" in kept["activities"]
    assert ABOUT_ACCOUNT in kept["recommendations"] and ABOUT_HER not in kept["recommendations"]
    assert kept["consent_records"].count("erased:") == 3  # kept, under a keyed hash
    assert COLLEAGUE_TASK in kept["crm_tasks"] and OWN_TASK not in kept["crm_tasks"]
    assert EMAIL_OUT not in kept["email_outbox"] and EVIDENCE not in kept["field_evidence"]

    # Chroma: metadata filters, document filters and similarity searches find nothing of hers.
    memory = built.memory
    assert memory.find_chunks(ACCOUNT_NOTES, where={"contact_id": CANARY}) == []
    for trace in TRACES:
        assert memory.find_chunks(ACCOUNT_NOTES, where_document={"$contains": trace}) == []
        hits = memory.search_account_notes(trace, k=20)
        assert hits and not any(TRACE.search(h.text) or h.contact_id == CANARY for h in hits)

    # Checkpoints and threads: only the unrelated thread is left, and it does not name her.
    checkpoints = [item async for item in runtime.checkpointer.alist(None)]
    assert {c.config["configurable"]["thread_id"] for c in checkpoints} == {unrelated}
    assert not TRACE.search(dumps([c.checkpoint for c in checkpoints], lenient=True).decode())
    assert (await client.get(f"/threads/{about_her}")).status_code == 404

    # Store: her item is gone, the account's stays.
    items = await runtime.store.asearch(("prefs",), limit=100)
    assert [i.key for i in items] == ["account-pref"]

    # The audit ledger recorded the erasure (ids and counts) and still verifies.
    audit = built.app.state.services.database.audit
    erased = audit.ledger.entries(kind="subject_erased")
    assert len(erased) == 1 and erased[0].payload["contact_ids"] == [CANARY]
    assert not PERSONAL.search(str(erased[0].payload))
    assert audit.verify().ok


async def test_a_failing_store_is_reported_and_the_contact_kept_for_a_retry(
    world: tuple[World, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    built, client = world
    await _seed_runtime(built, client)

    def broken(*args: Any, **kwargs: Any) -> int:
        raise ConnectionError("chroma went away")

    monkeypatch.setattr(built.memory, "delete_chunks", broken)
    receipt = (await client.delete(f"/governance/subjects/{CANARY}")).json()
    assert receipt["complete"] is False
    by_store = {s["store"]: s for s in receipt["stores"]}
    assert "chroma went away" in by_store["memory"]["error"]
    assert by_store["threads"]["removed"] == 1  # the others ran
    assert by_store["crm"]["removed"] is None and "skipped" in by_store["crm"]["error"]
    assert (await client.get(f"/governance/subjects/{CANARY}/export")).status_code == 200

    monkeypatch.undo()
    retry = (await client.delete(f"/governance/subjects/{CANARY}")).json()
    assert retry["complete"] is True
    assert {s["store"]: s["removed"] for s in retry["stores"]}["memory"] == 3
    assert not TRACE.search(" ".join(_sql_rows(built.engine)["contacts"]))
