"""A small real demo CRM plus three hand-made accounts for the relationships agent's tests.

- ACC-9001 "Lonely Test Clinic": no contacts at all.
- ACC-9002 "Loop Test Hospital": a reporting cycle (A -> C -> B -> A), one person reporting
  into it, and notes whose wording says who signs off, who thanks us and who objects.
- ACC-9003 "Memory Test Lab": no activities in the CRM; a note only in the memory names the
  decision maker.

Everything goes in through the real importer and the real memory (hashing embeddings, so no
model loads).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.importers import import_file
from crm.store import CRMStore
from governance.consent_gate import ConsentGatedCRM
from memory import AccountNote, HashingEmbeddingFunction, Memory
from tests.support.consent import grant_everyone
from tools.indexing import index_account_notes
from tools.stakeholders import StakeholderTools

AS_OF = "2026-11-01T00:00:00+00:00"
LONELY, LOOP, MEMORY_LAB = "ACC-9001", "ACC-9002", "ACC-9003"
ANN, BEN, CAI, DAN = "CON-90001", "CON-90002", "CON-90003", "CON-90004"
LAB_HEAD, LAB_QUALITY = "CON-90011", "CON-90012"
MEMORY_NOTE_ID = "NOTE-9003-1"


@dataclass
class World:
    settings: Settings
    engine: Engine
    crm: CRMStore
    memory: Memory
    tools: StakeholderTools


def _account(account_id: str, name: str, industry: str) -> dict[str, object]:
    return {
        "id": account_id,
        "name": name,
        "industry": industry,
        "city": "Chengdu",
        "region": "Southwest",
        "tier": "standard",
        "beds": 0,
        "created_at": "2024-01-01T00:00:00+00:00",
    }


def _contact(
    cid: str, account: str, first: str, last: str, title: str, seniority: str, boss: str | None
) -> dict[str, object]:
    return {
        "id": cid,
        "account_id": account,
        "first_name": first,
        "last_name": last,
        "title": title,
        "department": "Administration",
        "seniority": seniority,
        "reports_to": boss,
        "created_at": "2024-01-02T00:00:00+00:00",
    }


ACCOUNTS = [
    _account(LONELY, "Lonely Test Clinic", "clinic"),
    _account(LOOP, "Loop Test Hospital", "hospital"),
    _account(MEMORY_LAB, "Memory Test Lab", "lab"),
]
CONTACTS = [
    _contact(ANN, LOOP, "Ann", "Loop", "President", "executive", CAI),
    _contact(BEN, LOOP, "Ben", "Loop", "Director of Operations", "director", ANN),
    _contact(CAI, LOOP, "Cai", "Loop", "Procurement Manager", "manager", BEN),
    _contact(DAN, LOOP, "Dan", "Loop", "Biomedical Engineer", "staff", BEN),
    _contact(LAB_HEAD, MEMORY_LAB, "Lia", "Head", "Laboratory Director", "executive", None),
    _contact(LAB_QUALITY, MEMORY_LAB, "Yan", "Quality", "Quality Manager", "director", LAB_HEAD),
]
ACTIVITIES = [
    {
        "id": "EVT-990001",
        "account_id": LOOP,
        "contact_id": CAI,
        "kind": "meeting",
        "occurred_at": "2026-09-01T02:00:00+00:00",
        "subject": "Pricing review",
        "body": (
            "Reviewed the quotation with Cai Loop (Procurement Manager). "
            "Ben Loop attended; they will sign off on any purchase. "
            "Cai Loop raised concerns about the service contract and objected to the delivery terms."
        ),
        "metadata": {"attendees": [CAI, BEN]},
    },
    {
        "id": "EVT-990002",
        "account_id": LOOP,
        "contact_id": DAN,
        "kind": "email_in",
        "occurred_at": "2026-09-10T02:00:00+00:00",
        "subject": "Thanks",
        "body": "Thanks for the demo, we are impressed with the unit. Dan Loop",
        "metadata": {"direction": "in"},
    },
    {
        "id": "EVT-990003",
        "account_id": LOOP,
        "contact_id": DAN,
        "kind": "call_answered",
        "occurred_at": "2026-09-12T02:00:00+00:00",
        "subject": "Call with Dan Loop",
        "duration_s": 600,
        "metadata": {"direction": "outbound"},
    },
    {
        "id": "EVT-990004",
        "account_id": LOOP,
        "contact_id": ANN,
        "kind": "email_out",
        "occurred_at": "2026-10-01T02:00:00+00:00",
        "subject": "Newsletter October 2026",
        "metadata": {"direction": "out", "campaign": "NL-2026-10"},
    },
    {
        "id": "EVT-990005",
        "account_id": LOOP,
        "contact_id": ANN,
        "kind": "call_missed",
        "occurred_at": "2026-10-05T02:00:00+00:00",
        "subject": "Missed call: Ann Loop",
        "duration_s": 0,
        "metadata": {"direction": "outbound"},
    },
    {
        "id": "EVT-990006",
        "account_id": LOOP,
        "contact_id": BEN,
        "kind": "meeting",
        "occurred_at": "2027-01-01T02:00:00+00:00",  # after AS_OF: must not count
        "subject": "Future meeting",
        "body": "Ann Loop will make the final call.",
        "metadata": {"attendees": [BEN, ANN]},
    },
]


def build_world(folder: Path) -> World:
    """Seed the demo (5% scale), import the hand-made accounts and index their notes."""
    settings = Settings(_env_file=None, data_dir=folder, model="scripted/test", model_max_retries=0)
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    seed_demo(engine, seed=settings.seed, scale=0.05)
    for name, rows in (("accounts", ACCOUNTS), ("contacts", CONTACTS), ("activities", ACTIVITIES)):
        path = folder / f"{name}.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        import_file(engine, path, entity=name)
    # Agents read through the consent gate: every contact of this world consented.
    crm = ConsentGatedCRM(engine, consent=grant_everyone(engine))
    memory = Memory(path=folder / "chroma", embedding_function=HashingEmbeddingFunction())
    index_account_notes(crm, memory)
    memory.index_account_notes(
        [
            AccountNote(
                note_id=MEMORY_NOTE_ID,
                account_id=MEMORY_LAB,
                contact_id=LAB_QUALITY,
                kind="note",
                occurred_at=datetime(2026, 8, 1, tzinfo=UTC),
                text="Rep's remark: Yan Quality has the final decision on the analyser purchase.",
            )
        ]
    )
    return World(settings, engine, crm, memory, StakeholderTools(crm, memory))
