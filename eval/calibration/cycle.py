"""The monthly calibration cycle on the demo CRM, end to end, offline, in one folder.

``run_demo_cycle(out_dir)`` builds a fresh demo CRM in ``out_dir/data`` (its own SQLite file,
keys and consent; nothing outside ``out_dir`` is touched), runs the deterministic agents (lead
scoring, budget, relationships) over every account at moments spread across the month, so the
recommendation log holds a month of work, then: samples a batch, has the simulated panel review
it, measures it, refits the calibration maps, and writes the report and the export.

The memory is an empty embedded Chroma with the hashing embedding: these agents read the CRM,
not the memory, so the cycle does not pay for embedding the documentation.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from core.recommendation import Recommendation, RecommendationRecorder
from core.settings import Settings
from crm.calibration_maps import CalibrationMaps
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.recommendations import RecommendationLog
from crm.store import CRMStore
from crm.truth import read_ground_truth
from eval.calibration.export import ExportResult, write_export
from eval.calibration.feedback import apply_feedback
from eval.calibration.panel import PanelReport, review_batch
from eval.calibration.refit import RefitResult
from eval.calibration.report import ReportFiles, write_report
from eval.calibration.report_summary import build_summary
from eval.calibration.sampling import month_period
from eval.calibration.store import CalibrationStore
from governance.consent import ConsentLedger, load_consent_key
from governance.consent_demo import seed_demo_consent
from tools.calibration import CalibratingRecorder

DEMO_AGENTS: tuple[str, ...] = ("lead_scoring", "budget", "relationships")
DEMO_PERIOD = "2026-10"  # the month before the demo data's "today" (2026-11-01)
DEMO_MODEL = "scripted/calibration-demo"
RUN_CONCURRENCY = 2
DEMO_NAMESPACE = uuid.UUID("5b0f1f5e-8f5d-4c0b-9a57-6f1e2c7d9a10")


class CycleProgress(Protocol):
    """Progress of the cycle's steps (the CLI draws rich progress bars from it)."""

    def start(self, step: str, total: int | None = None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class _Silent:
    def start(self, step: str, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass


@dataclass(frozen=True)
class DemoOptions:
    """Size and seeds of a demo cycle."""

    scale: float = 0.5
    seed: int = 20261125
    period: str = DEMO_PERIOD
    runs_per_account: int = 2
    rate: float = 0.5
    min_per_stratum: int = 3
    second_opinion_share: float = 0.3
    agents: Sequence[str] = DEMO_AGENTS


@dataclass
class CycleResult:
    """What a cycle produced and how long each step took."""

    out_dir: Path
    batch_id: str
    recommendations: int
    panel: PanelReport
    refit: RefitResult
    report: ReportFiles
    export: ExportResult
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "batch_id": self.batch_id,
            "recommendations": self.recommendations,
            "panel": self.panel.model_dump(),
            "refit": self.refit.model_dump(),
            "heldout_ece_drop": self.refit.ece_drop,
            "report": {"html": str(self.report.html), "json": str(self.report.json)},
            "export": {
                "jsonl": str(self.export.jsonl),
                "parquet": str(self.export.parquet),
                "rows": self.export.rows,
                "excluded_items": self.export.excluded_items,
            },
            "seconds": {step: round(value, 2) for step, value in self.seconds.items()},
        }


class DatedRecorder:
    """Stamps each recommendation with the simulated moment it was made, then records it.

    The demo compresses a month of work into seconds; the log must still show it spread over
    the month, or the month's sample would be empty. The moment is a context variable, so runs
    executing concurrently each stamp their own. The id is derived from the moment, agent and
    subject (the log is fresh, so they are unique), making the demo reproducible.
    """

    def __init__(self, inner: RecommendationRecorder) -> None:
        self.inner = inner
        self.moment: ContextVar[datetime | None] = ContextVar("demo_moment", default=None)

    def record(self, recommendation: Recommendation) -> Recommendation:
        moment = self.moment.get()
        if moment is not None:
            # A stable id too, so the same seed samples the same batch on every run.
            key = f"{moment.isoformat()}:{recommendation.agent}:{sorted(recommendation.subject.items())}"
            recommendation = recommendation.model_copy(
                update={"created_at": moment, "id": str(uuid.uuid5(DEMO_NAMESPACE, key))}
            )
        return self.inner.record(recommendation)


def month_moments(
    account_ids: Sequence[str], *, start: datetime, end: datetime, runs: int, seed: int
) -> list[tuple[datetime, str]]:
    """``runs`` seeded moments inside ``[start, end)`` per account, in time order."""
    rng = random.Random(f"moments:{seed}")
    span = (end - start).total_seconds()
    moments = [
        (start + timedelta(seconds=int(rng.random() * span)), account_id)
        for account_id in account_ids
        for _ in range(runs)
    ]
    return sorted(moments)


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def step(self, name: str, started: float) -> None:
        self.seconds[name] = time.perf_counter() - started


def _services(
    settings: Settings, engine: Any, recorder: RecommendationRecorder, consent: Any
) -> Any:
    from llm.gateway import chat_model, model_info
    from llm.providers import register_providers
    from memory import HashingEmbeddingFunction, Memory
    from tools.services import AgentServices

    register_providers()
    return AgentServices(
        settings=settings,
        crm=CRMStore(engine),
        memory=Memory(
            path=settings.resolved_chroma_path, embedding_function=HashingEmbeddingFunction()
        ),
        chat_model=chat_model(settings),
        model_info=model_info(settings),
        recommendations=recorder,
        consent=consent,
    )


async def generate_month(
    services: Any,
    dated: DatedRecorder,
    *,
    agents: Sequence[str],
    moments: Sequence[tuple[datetime, str]],
    advance: Callable[[int], None],
    concurrency: int = RUN_CONCURRENCY,
) -> int:
    """Run each agent for each (moment, account); returns how many recommendations were made.

    A few runs go at once: most of a run's time is spent in worker threads reading SQLite,
    which overlap.
    """
    from graphs.registry import registered_graphs

    specs = registered_graphs()
    graphs = {agent: specs[agent].build(services=services) for agent in agents}
    slots = asyncio.Semaphore(concurrency)

    async def run(moment: datetime, account_id: str, agent: str) -> bool:
        async with slots:
            dated.moment.set(moment)  # this task's own context
            state = await graphs[agent].ainvoke(
                {"account_id": account_id, "as_of": moment.isoformat(), "narrate": False}
            )
            advance(1)
            return state.get("recommendation") is not None

    runs = [
        run(moment + timedelta(seconds=offset), account_id, agent)
        for moment, account_id in moments
        for offset, agent in enumerate(agents)
    ]
    return sum(await asyncio.gather(*runs))


def run_demo_cycle(
    out_dir: Path, *, options: DemoOptions = DemoOptions(), progress: CycleProgress | None = None
) -> CycleResult:
    """Run the whole monthly cycle on a fresh demo CRM under ``out_dir``; blocking."""
    progress = progress or _Silent()
    timer = _Timer()
    data_dir = out_dir / "data"
    if (data_dir / "crm.db").exists():
        raise FileExistsError(f"{data_dir / 'crm.db'} exists: the demo needs an empty folder")
    settings = Settings(_env_file=None, data_dir=data_dir, model=DEMO_MODEL, model_max_retries=0,
                        seed=options.seed)  # fmt: skip

    started = time.perf_counter()
    progress.start("demo CRM", None)
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        seed_demo(engine, seed=options.seed, scale=options.scale)
        ledger = ConsentLedger(engine, key=load_consent_key(settings.resolved_governance_key_dir))
        seed_demo_consent(ledger, seed=options.seed)
        timer.step("demo CRM", started)

        started = time.perf_counter()
        maps = CalibrationMaps(engine)
        dated = DatedRecorder(RecommendationLog(engine))
        services = _services(settings, engine, CalibratingRecorder(dated, maps), ledger)
        start, end = month_period(options.period)
        accounts = sorted(read_ground_truth(engine))
        moments = month_moments(accounts, start=start, end=end, runs=options.runs_per_account,
                                seed=options.seed)  # fmt: skip
        progress.start("agents' month", len(moments) * len(options.agents))
        made = asyncio.run(
            generate_month(
                services, dated, agents=options.agents, moments=moments, advance=progress.advance
            )  # fmt: skip
        )
        timer.step("agents' month", started)

        started = time.perf_counter()
        store = CalibrationStore(engine)
        batch = store.draw_batch(period_start=start, period_end=end, rate=options.rate,
                                 seed=options.seed, min_per_stratum=options.min_per_stratum)  # fmt: skip
        progress.start("panel review", batch.items)
        panel = review_batch(store, batch_id=batch.id, truth=read_ground_truth(engine),
                             second_opinion_share=options.second_opinion_share, seed=options.seed,
                             progress=progress.advance)  # fmt: skip
        timer.step("sample and review", started)

        started = time.perf_counter()
        progress.start("refit", None)
        feedback = apply_feedback(store, maps, batch_id=batch.id, crm=services.crm,
                                  open_memory=lambda: services.memory, seed=options.seed)  # fmt: skip
        refit = feedback.refit
        timer.step("refit", started)

        started = time.perf_counter()
        progress.start("metrics and report", None)
        summary = build_summary(store, maps, batch_id=batch.id)
        report = write_report(summary, out_dir / "report")
        timer.step("metrics and report", started)

        started = time.perf_counter()
        progress.start("export", None)
        items = store.items_with_reviews(batch_id=batch.id)
        export = write_export(batch.id, items, consent=ledger, out_dir=out_dir / "export")
        timer.step("export", started)
    finally:
        engine.dispose()
    return CycleResult(
        out_dir=out_dir,
        batch_id=batch.id,
        recommendations=made,
        panel=panel,
        refit=refit,
        report=report,
        export=export,
        seconds=timer.seconds,
    )
