"""Realistic consent for the demo CRM: most people allow AI processing, fewer model training.

Per contact, deterministically from the seed: about 85% grant ``ai_processing`` (and 4% of
those revoke it later), about 45% grant ``model_training`` and 30% ``marketing``; the rest
gave no consent at all, so the agents never see them. IP addresses and devices are made up
and stored hashed, like real ones.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from crm import models as m
from governance.consent import ConsentLedger
from governance.consent_models import AI_PROCESSING, MARKETING, MODEL_TRAINING

NOTICES = ("2025-03", "2026-06")
SOURCES = ("web_form", "email", "event_badge", "phone")
# (purpose, share of contacts who granted it); model training and marketing need AI processing.
GRANT_SHARES = ((AI_PROCESSING, 0.85), (MODEL_TRAINING, 0.45 / 0.85), (MARKETING, 0.30 / 0.85))
REVOKED_SHARE = 0.04


def _records(rng: random.Random, contact_id: str, created_at: datetime) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    when = created_at + timedelta(days=rng.randint(0, 60))
    base = {
        "contact_id": contact_id,
        "notice_version": rng.choice(NOTICES),
        "source": rng.choice(SOURCES),
        "ip_address": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "device_fingerprint": f"demo-device-{rng.getrandbits(48):012x}",
    }
    for purpose, share in GRANT_SHARES:
        if rng.random() >= share:
            if purpose == AI_PROCESSING:
                return []  # no consent at all
            continue
        records.append({**base, "action": "grant", "purpose": purpose, "recorded_at": when})
    if rng.random() < REVOKED_SHARE:
        later = when + timedelta(days=rng.randint(30, 400))
        records.append({**base, "action": "revoke", "purpose": AI_PROCESSING, "recorded_at": later})
    return records


def seed_demo_consent(ledger: ConsentLedger, *, seed: int) -> dict[str, int]:
    """Record the demo's consent for every contact of the CRM; counts per kind of record."""
    with ledger.engine.connect() as connection:
        contacts = connection.execute(
            select(m.Contact.id, m.Contact.created_at).order_by(m.Contact.id)
        ).all()
    rng = random.Random(seed ^ 0xC0115E17)
    records = [r for contact_id, created in contacts for r in _records(rng, contact_id, created)]
    ledger.record_many(records)
    counts: dict[str, int] = {}
    for record in records:
        key = f"consent {record['action']}s: {record['purpose']}"
        counts[key] = counts.get(key, 0) + 1
    return counts
