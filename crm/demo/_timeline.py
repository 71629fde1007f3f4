"""Lay each account's buying phases on the calendar and fill them with behaviour."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from crm.demo._behaviour import HISTORY_DAYS, INTENSITY, PHASE_DAYS, PHASES, size_factor
from crm.demo._conversations import EventWriter
from crm.demo._world import NOW, AccountPlan

Window = tuple[str, datetime, datetime]


def phase_windows(rng: random.Random, plan: AccountPlan) -> list[Window]:
    """(phase, start, end) from the first phase to the account's current (or last) one."""
    if plan.stage == "dormant":
        last = rng.choice(("research", "research", "evaluation", "negotiation"))
        end = NOW - timedelta(days=rng.randint(240, 540))
        plan.dormant_since = end
    else:
        last = plan.stage
        end = NOW
    windows: list[Window] = []
    for phase in reversed(PHASES[: PHASES.index(last) + 1]):
        start = end - timedelta(
            days=rng.randint(*PHASE_DAYS[phase]), seconds=rng.randint(0, 86_399)
        )
        windows.append((phase, start, end))
        end = start
    return list(reversed(windows))


def _count(rng: random.Random, bounds: tuple[int, int], factor: float) -> int:
    return max(0, round(rng.randint(*bounds) * factor))


def fill_account(
    writer: EventWriter, plan: AccountPlan, catalogue: list[Any], windows: list[Window]
) -> None:
    """Every behaviour event of one account outside its deals."""
    rng = writer.rng
    factor = size_factor(plan)
    quiet_after = plan.dormant_since or NOW
    history_start = NOW - timedelta(days=HISTORY_DAYS)
    # Background: stray visits to generic pages, and the monthly newsletter nobody answers.
    for _ in range(_count(rng, (6, 18), factor)):
        writer.web_session(plan, "background", history_start, quiet_after, catalogue)
    readers = rng.sample(plan.contacts, k=min(2, len(plan.contacts)))
    for month in range(HISTORY_DAYS // 30):
        sent = history_start + timedelta(days=30 * month + rng.randint(0, 5), hours=2)
        for reader in readers:
            if rng.random() < 0.5:
                writer.add(
                    plan,
                    "email_out",
                    sent.replace(microsecond=0),
                    contact_id=reader["id"],
                    subject=f"Newsletter {sent:%B %Y}: product news and events",
                    meta={"direction": "out", "campaign": f"NL-{sent:%Y-%m}"},
                )
    for phase, start, end in windows:
        sessions, downloads, e_in, e_out, answered, missed, meetings = INTENSITY[phase]
        for _ in range(_count(rng, sessions, factor)):
            writer.web_session(plan, phase, start, end, catalogue)
        for _ in range(_count(rng, downloads, factor)):
            writer.download(plan, phase, start, end, catalogue)
        for _ in range(_count(rng, e_in, factor)):
            writer.email(plan, phase, "in", start, end)
        for _ in range(_count(rng, e_out, factor)):
            writer.email(plan, phase, "out", start, end)
        for _ in range(_count(rng, answered, factor)):
            writer.call(plan, True, start, end)
        for _ in range(_count(rng, missed, factor)):
            writer.call(plan, False, start, end)
        for _ in range(max(_count(rng, meetings, factor), 1 if phase == "evaluation" else 0)):
            writer.meeting(plan, phase, start, end)
        if phase == "purchase":
            # Tenders are published within the last weeks of a purchase.
            for product in plan.interest[: rng.randint(1, 2)]:
                writer.tender(plan, product, max(start, end - timedelta(days=45)), end)
    if plan.stage == "dormant":
        # Our side keeps trying; nobody answers.
        recent = NOW - timedelta(days=120)
        for _ in range(rng.randint(1, 3)):
            writer.email(plan, "dormant", "out", recent, NOW)
        for _ in range(rng.randint(1, 3)):
            writer.call(plan, False, recent, NOW)
