"""The monthly calibration cycle on the demo CRM, end to end, offline, in one folder.

``run_demo_cycle(out_dir)`` builds a fresh demo CRM in ``out_dir/data`` (its own SQLite file,
keys and consent; nothing outside ``out_dir`` is touched), runs the six agents (lead scoring,
budget, relationships, technical Q&A, next action and the supervisor) at moments spread across
the month (``eval.calibration.demo_month``), so the recommendation log holds a month of work,
then: samples a batch, has the simulated panel review it, measures it, refits the calibration
maps, and writes the report and the export.

The memory is an embedded Chroma holding the product documentation under the hashing embedding
(no model to load; technical Q&A retrieves from it, the other agents read the CRM).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from core.recommendation import RecommendationRecorder
from core.settings import Settings
from crm.calibration_maps import CalibrationMaps
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.recommendations import RecommendationLog
from crm.scope import AccountScope
from crm.store import CRMStore
from crm.truth import read_ground_truth
from eval.calibration.calibrating_recorder import CalibratingRecorder
from eval.calibration.demo_month import (
    SIX_AGENTS,
    DatedRecorder,
    build_graphs,
    case_for,
    month_moments,
    plan_runs,
    run_month,
)
from eval.calibration.export import ExportResult, write_export
from eval.calibration.feedback import apply_feedback
from eval.calibration.panel import Labels, PanelReport, review_batch
from eval.calibration.refit import RefitResult
from eval.calibration.report import ReportFiles, write_report
from eval.calibration.report_summary import build_summary
from eval.calibration.sampling import month_period
from eval.calibration.store import CalibrationStore
from governance.consent import ConsentLedger, load_consent_key
from governance.consent_demo import seed_demo_consent
from tools.indexing import index_documentation

DEMO_AGENTS: tuple[str, ...] = SIX_AGENTS
DEMO_PERIOD = "2026-10"  # the month before the demo data's "today" (2026-11-01)
DEMO_MODEL = "scripted/calibration-demo"


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
    items_per_agent: dict[str, int]
    refit: RefitResult
    report: ReportFiles
    export: ExportResult
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "batch_id": self.batch_id,
            "recommendations": self.recommendations,
            "items_per_agent": self.items_per_agent,
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


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def step(self, name: str, started: float) -> None:
        self.seconds[name] = time.perf_counter() - started


def items_per_agent(strata: dict[str, int]) -> dict[str, int]:
    """Sampled items per agent, from the batch's items per ``agent/band-N`` stratum."""
    counts: dict[str, int] = {}
    for stratum, count in strata.items():
        agent = stratum.split("/", 1)[0]
        counts[agent] = counts.get(agent, 0) + count
    return dict(sorted(counts.items()))


def _services(
    settings: Settings, crm: CRMStore, recorder: RecommendationRecorder, consent: Any
) -> Any:
    from llm.gateway import chat_model, model_info
    from llm.providers import register_providers
    from memory import HashingEmbeddingFunction, Memory
    from tools.agent_services import AgentServices

    register_providers()
    return AgentServices(
        settings=settings,
        crm=crm,
        # Eval runs for no user: every account, in runs and out of them.
        crm_scope_outside_runs=AccountScope.unrestricted(),
        crm_scope_unscoped_runs=AccountScope.unrestricted(),
        memory=Memory(
            path=settings.resolved_chroma_path, embedding_function=HashingEmbeddingFunction()
        ),
        chat_model=chat_model(settings),
        model_info=model_info(settings),
        recommendations=recorder,
        consent=consent,
    )


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
        crm = CRMStore(engine)
        dated = DatedRecorder(RecommendationLog(engine), label=case_for(crm))
        services = _services(settings, crm, CalibratingRecorder(dated, maps), ledger)
        index_documentation(crm, services.memory)  # technical Q&A answers from it
        start, end = month_period(options.period)
        accounts = sorted(read_ground_truth(engine))
        moments = month_moments(accounts, start=start, end=end, runs=options.runs_per_account,
                                seed=options.seed)  # fmt: skip
        runs = plan_runs(crm, moments, agents=options.agents)
        progress.start("agents' month", len(runs))
        graphs = build_graphs(services, options.agents)
        made = asyncio.run(run_month(graphs, dated, runs, advance=progress.advance))
        timer.step("agents' month", started)

        started = time.perf_counter()
        store = CalibrationStore(engine)
        batch = store.draw_batch(period_start=start, period_end=end, rate=options.rate,
                                 seed=options.seed, min_per_stratum=options.min_per_stratum)  # fmt: skip
        progress.start("panel review", batch.items)
        labels = Labels(cases=dated.labels.cases, recommendations=dated.labels.recommendations)
        panel = review_batch(store, batch_id=batch.id, truth=read_ground_truth(engine), labels=labels,
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
        items_per_agent=items_per_agent(batch.strata),
        panel=panel,
        refit=refit,
        report=report,
        export=export,
        seconds=timer.seconds,
    )
