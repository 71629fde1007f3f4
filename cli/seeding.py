"""``crm-agents seed``: build the demo CRM, then index its documents and notes into the memory."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from core.settings import Settings


@dataclass
class SeedSummary:
    """What the seed built and how long each part took."""

    database_url: str
    counts: dict[str, int] = field(default_factory=dict)
    chunks: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    # Where the new demo users' one-time passwords were written (None: no user was created).
    passwords_file: Path | None = None

    def render(self) -> Table:
        table = Table(title=f"Demo CRM in {self.database_url}")
        table.add_column("what")
        table.add_column("count", justify="right")
        for name, count in self.counts.items():
            table.add_row(name, f"{count:,}")
        for name, count in self.chunks.items():
            table.add_row(f"memory: {name} chunks", f"{count:,}")
        for name, seconds in self.seconds.items():
            table.add_row(f"time: {name}", f"{seconds:.1f} s")
        return table


def seed_demo_crm(
    settings: Settings,
    *,
    scale: float = 1.0,
    seed: int | None = None,
    if_absent: bool = False,
    console: Console | None = None,
) -> SeedSummary | None:
    """Seed the CRM database and the memory; ``None`` when ``if_absent`` and both are there.

    A database seeded by an earlier version is completed rather than refused: the demo's reps
    become the owners of its accounts, and accounts without a lead score are scored.
    """
    from crm.db import make_engine, migrate
    from crm.demo import assign_demo_owners, is_seeded, seed_demo
    from crm.errors import AlreadySeeded
    from crm.store import CRMStore
    from memory import Memory
    from tools.indexing import index_crm_into_memory, memory_is_indexed

    url = settings.resolved_database_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(url)
    engine = make_engine(url)
    summary = SeedSummary(database_url=url)
    memory = Memory.from_settings(settings)
    crm_present = is_seeded(engine)
    if crm_present:
        summary.counts["accounts given an owner"] = assign_demo_owners(engine)
        summary.counts["demo users"] = _seed_users(settings, engine, summary)
        started = time.perf_counter()
        summary.counts["accounts scored"] = _score_leads(settings, engine, progress=None)
        summary.seconds["lead scores"] = time.perf_counter() - started
        completed = any(summary.counts.values())
        if memory_is_indexed(memory):
            if completed:
                summary.counts.update(CRMStore(engine).counts())
            engine.dispose()
            if completed:
                return summary
            if if_absent:
                return None
            raise AlreadySeeded(f"{url} already holds a CRM; remove {settings.data_dir} to reseed")

    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        if not crm_present:
            started = time.perf_counter()
            seeded = seed_demo(
                engine, seed=settings.seed if seed is None else seed, scale=scale, progress=report
            )
            summary.seconds["CRM data"] = time.perf_counter() - started
            summary.counts.update(seeded.counts)
            summary.counts.update(_seed_consent(settings, engine, seed=seed))
            summary.counts["demo users"] = _seed_users(settings, engine, summary)
            started = time.perf_counter()
            summary.counts["lead scores"] = _score_leads(settings, engine, progress=report)
            summary.seconds["lead scores"] = time.perf_counter() - started
        else:
            summary.counts.update(CRMStore(engine).counts())
        started = time.perf_counter()
        summary.chunks.update(index_crm_into_memory(CRMStore(engine), memory, progress=report))
        summary.seconds["embeddings"] = time.perf_counter() - started
    engine.dispose()
    return summary


def _score_leads(settings: Settings, engine: Any, *, progress: Any) -> int:
    """Score every account without a lead score, as the agents see it (consent applied)."""
    from crm.lead_scores import LeadScoreStore
    from governance.consent import ConsentLedger, load_consent_key
    from governance.consent_gate import ConsentGatedCRM
    from intake.lead_refresh import score_unscored_accounts

    ledger = ConsentLedger(engine, key=load_consent_key(settings.resolved_governance_key_dir))
    crm = ConsentGatedCRM(engine, consent=ledger)
    return score_unscored_accounts(crm, LeadScoreStore(engine), progress=progress)


def _seed_consent(settings: Settings, engine: Any, *, seed: int | None) -> dict[str, int]:
    """The demo people's consent (most allow AI processing; some never did, a few revoked)."""
    from governance.consent import ConsentLedger, load_consent_key
    from governance.consent_demo import seed_demo_consent

    ledger = ConsentLedger(engine, key=load_consent_key(settings.resolved_governance_key_dir))
    return seed_demo_consent(ledger, seed=settings.seed if seed is None else seed)


def _seed_users(settings: Settings, engine: Any, summary: SeedSummary) -> int:
    """A user per role and territory (one per rep), one-time passwords in a 0600 file."""
    from identity.demo_users import seed_demo_users
    from identity.services import open_identity_services

    identity = open_identity_services(settings, engine=engine)
    report = seed_demo_users(identity, engine, settings.data_dir)
    summary.passwords_file = report.passwords_file
    return len(report.created)
