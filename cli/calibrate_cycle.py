"""``crm-agents calibrate report|export|refit|demo``: the back half of the monthly cycle.

Importing this module registers the commands on the ``calibrate`` group (``cli/calibrate.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.calibrate import calibrate_app

_console = Console(stderr=True)

BatchOption = Annotated[str, typer.Option("--batch", help="Calibration batch id.")]
OutOption = Annotated[Path, typer.Option("--out", help="Folder to write into (created).")]


@dataclass
class _Opened:
    settings: Any
    engine: Any
    store: Any
    maps: Any


@contextmanager
def _opened() -> Iterator[_Opened]:
    """The configured database, migrated, with the calibration store and maps on it."""
    from core.settings import get_settings
    from crm.calibration_maps import CalibrationMaps
    from crm.db import make_engine, migrate
    from eval.calibration.store import CalibrationStore

    settings = get_settings()
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        yield _Opened(settings, engine, CalibrationStore(engine), CalibrationMaps(engine))
    except Exception as exc:
        from eval.calibration.errors import CalibrationError

        if isinstance(exc, CalibrationError):
            _console.print(f"[red]{exc}[/]")
            raise typer.Exit(code=1) from None
        raise
    finally:
        engine.dispose()


@calibrate_app.command("report")
def report(batch: BatchOption, out: OutOption) -> None:
    """Write the batch's HTML report (plots inline) and its JSON summary into --out."""
    from eval.calibration.report import write_report
    from eval.calibration.report_summary import ALPHA_FLOOR, build_summary

    with _opened() as opened:
        summary = build_summary(opened.store, opened.maps, batch_id=batch)
        files = write_report(summary, out)
    _console.print(f"report: {files.html}\nsummary: {files.json}")
    _console.print(f"ECE raw {_fmt(summary.ece_raw)}, calibrated {_fmt(summary.ece_calibrated)}"
                   f" ({summary.overall.calibration.scope.replace('_', '-')})")  # fmt: skip
    for group, alpha in summary.low_agreement.items():
        _console.print(f"[red]low inter-rater agreement[/]: {group} Krippendorff's alpha"
                       f" {alpha:.3f} < {ALPHA_FLOOR}")  # fmt: skip
    if summary.previous_period is None:
        _console.print("drift: no previous month to compare")
    else:
        drifted = [p for p in summary.drift if p.drifted and p.period == summary.period]
        _console.print(f"drift against {summary.previous_period}: {len(drifted)} metric(s) moved")


@calibrate_app.command("export")
def export(batch: BatchOption, out: OutOption) -> None:
    """Export the batch's calibration dataset as JSONL and Parquet (model-training consent only)."""
    from eval.calibration.export import write_export
    from governance.consent import ConsentLedger, load_consent_key

    with _opened() as opened:
        items = opened.store.items_with_reviews(batch_id=batch)
        key = load_consent_key(opened.settings.resolved_governance_key_dir)
        result = write_export(
            batch, items, consent=ConsentLedger(opened.engine, key=key), out_dir=out
        )
    _console.print(f"{result.rows} rows: {result.jsonl}, {result.parquet}")
    _console.print(f"left out for lack of model-training consent: {result.excluded_items} items")


@calibrate_app.command("refit")
def refit(
    batch: BatchOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Fit a new calibration map per agent from the batch's reviews; index corrected answers."""
    from crm.store import CRMStore
    from eval.calibration.feedback import apply_feedback
    from memory import Memory

    with _opened() as opened:
        result = apply_feedback(opened.store, opened.maps, batch_id=batch, crm=CRMStore(opened.engine),
                                open_memory=lambda: Memory.from_settings(opened.settings))  # fmt: skip
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    for agent, fitted in result.refit.agents.items():
        if fitted.map_id is None:
            _console.print(f"{agent}: no map ({fitted.note})")
            continue
        held = fitted.heldout
        _console.print(f"{agent}: {fitted.method} map {fitted.map_id} on {fitted.n_train} reviews;"
                       f" held-out ECE {_fmt(held.ece_raw)} -> {_fmt(held.ece_calibrated)} (n={held.n})")  # fmt: skip
    _console.print(f"reviewed answers indexed: {result.answers.sections}")


class _RichCycleProgress:
    """Draws the cycle's steps as rich progress bars, one per step."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None

    def start(self, step: str, total: int | None = None) -> None:
        self.finish()
        self.task = self.progress.add_task(step, total=total)

    def advance(self, amount: int = 1) -> None:
        self.progress.advance(self.task, amount)

    def finish(self) -> None:
        """Show the current step as complete (steps without a total have an open-ended bar)."""
        if self.task is not None:
            total = self.progress.tasks[self.task].total or 1
            self.progress.update(self.task, total=total, completed=total)


@calibrate_app.command("demo")
def demo(
    out: OutOption,
    scale: Annotated[
        float, typer.Option(min=0.02, max=2.0, help="Demo CRM size (1.0 = 220 accounts).")
    ] = 0.5,
    runs: Annotated[
        int, typer.Option(min=1, max=10, help="Runs per account and agent in the month.")
    ] = 2,
    rate: Annotated[
        float,
        typer.Option(min=0.01, max=1.0, help="Share of the month's recommendations reviewed."),
    ] = 0.5,
    seed: Annotated[
        int, typer.Option(help="Seed of the data, the sample and the panel.")
    ] = 20261125,
) -> None:
    """Run the whole monthly cycle on a fresh demo CRM, offline, with every file under --out."""
    from eval.calibration.cycle import DemoOptions, run_demo_cycle

    options = DemoOptions(scale=scale, runs_per_account=runs, rate=rate, seed=seed)
    started = time.perf_counter()
    columns = (
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=_console) as bars:
            progress = _RichCycleProgress(bars)
            result = run_demo_cycle(out, options=options, progress=progress)
            progress.finish()
    except FileExistsError as exc:
        _console.print(f"[red]{exc}[/]")
        raise typer.Exit(code=1) from None
    elapsed = time.perf_counter() - started
    summary = result.as_dict() | {"total_seconds": round(elapsed, 1)}
    (out / "cycle.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    held = result.refit.heldout
    _console.print(f"{result.recommendations} recommendations; batch {result.batch_id}:"
                   f" {result.panel.reviews} reviews, {result.panel.skips} skips")  # fmt: skip
    _console.print("items per agent: " + ", ".join(
        f"{agent} {count}" for agent, count in result.items_per_agent.items()))  # fmt: skip
    drop = result.refit.ece_drop
    _console.print(f"held-out ECE {_fmt(held.ece_raw)} -> {_fmt(held.ece_calibrated)} (n={held.n}"
                   f"{'' if drop is None else f', {drop:.0%} lower'})")  # fmt: skip
    _console.print(
        f"report: {result.report.html}\nexport: {result.export.jsonl}, {result.export.parquet}"
    )
    _console.print(f"done in {elapsed:.1f} s")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
