"""``crm-agents calibrate ...``: the monthly human calibration cycle."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from eval.calibration.store import CalibrationStore

calibrate_app = typer.Typer(
    name="calibrate",
    help="Sample recommendations for human review, measure agreement and calibration, report.",
    no_args_is_help=True,
)

_console = Console(stderr=True, soft_wrap=True)


def _store() -> CalibrationStore:
    from core.settings import get_settings
    from crm.db import make_engine, migrate
    from eval.calibration.store import CalibrationStore

    settings = get_settings()
    migrate(settings.resolved_database_url)
    return CalibrationStore(make_engine(settings.resolved_database_url))


def _fail(exc: Exception) -> typer.Exit:
    _console.print(f"[red]{exc}[/]")
    return typer.Exit(code=1)


@calibrate_app.command("sample")
def sample(
    period: Annotated[
        str | None, typer.Option(help="Month to sample, YYYY-MM (default: last calendar month).")
    ] = None,
    rate: Annotated[float, typer.Option(min=0.0001, max=1.0, help="Share of each stratum.")] = 0.05,
    seed: Annotated[int, typer.Option(help="Same seed over the same log, same batch.")] = 20261125,
    min_per_stratum: Annotated[
        int, typer.Option(min=0, help="Smallest sample of any (agent, confidence band) stratum.")
    ] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the batch as JSON.")] = False,
) -> None:
    """Draw a stratified sample of a month's recommendations into a new calibration batch."""
    from eval.calibration.errors import CalibrationError
    from eval.calibration.sampling import last_calendar_month, month_period

    store = _store()
    try:
        start, end = month_period(period) if period else last_calendar_month(datetime.now(UTC))
        batch = store.draw_batch(
            period_start=start,
            period_end=end,
            rate=rate,
            seed=seed,
            min_per_stratum=min_per_stratum,
        )
    except CalibrationError as exc:
        raise _fail(exc) from None
    finally:
        store.engine.dispose()
    if as_json:
        typer.echo(batch.model_dump_json(indent=2))
        return
    table = Table("stratum", "items", title=f"batch {batch.id}")
    for stratum, count in batch.strata.items():
        table.add_row(stratum, str(count))
    _console.print(table)
    _console.print(
        f"{batch.items} items sampled from {batch.population} recommendations "
        f"({batch.period_start:%Y-%m-%d} to {batch.period_end:%Y-%m-%d}, seed {batch.seed})"
    )
    typer.echo(batch.id)


@calibrate_app.command("import-scores")
def import_scores(
    batch: Annotated[str, typer.Argument(help="Batch id.")],
    file: Annotated[Path, typer.Argument(help="CSV of scores (see docs/calibration.md).")],
) -> None:
    """Import reviewers' scores from CSV; a file with any bad row imports nothing."""
    from eval.calibration.errors import CalibrationError, ScoresRejected

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(exc) from None
    store = _store()
    try:
        report = store.import_scores(batch_id=batch, text=text, file_name=file.name)
    except ScoresRejected as exc:
        for error in exc.errors:
            _console.print(f"[red]{error}[/]")
        _console.print(f"[red]{file}: nothing imported ({len(exc.errors)} bad rows)[/]")
        raise typer.Exit(code=1) from None
    except CalibrationError as exc:
        raise _fail(exc) from None
    finally:
        store.engine.dispose()
    _console.print(f"{file}: imported {report.reviews} scores and {report.skips} skips")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@calibrate_app.command("metrics")
def metrics(
    batch: Annotated[str, typer.Argument(help="Batch id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every metric as JSON.")] = False,
    resamples: Annotated[int, typer.Option(min=100, help="Bootstrap resamples.")] = 1000,
) -> None:
    """Agreement, calibration and drift of a batch, overall and per agent."""
    from core.settings import get_settings
    from eval.calibration.errors import CalibrationError
    from eval.calibration.judge import judge_from_settings
    from eval.calibration.measure import batch_report
    from eval.calibration.metrics import ALPHA_FLOOR

    store = _store()
    try:
        judge = judge_from_settings(get_settings())
        report = batch_report(store, batch_id=batch, resamples=resamples, judge=judge)
    except CalibrationError as exc:
        raise _fail(exc) from None
    finally:
        store.engine.dispose()
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    table = Table(
        "group",
        "scores",
        "mean score",
        "accuracy",
        "kappa",
        "spearman",
        "alpha",
        "ECE",
        "Brier",
        title=f"batch {batch} ({report.period})",
    )
    for name, group in {"overall": report.overall, **report.per_agent}.items():
        table.add_row(
            name,
            str(group.scores),
            _fmt(group.mean_score.value),
            _fmt(group.accuracy.value),
            _fmt(group.kappa.value),
            _fmt(group.spearman.value),
            _fmt(group.alpha),
            _fmt(group.ece.value),
            _fmt(group.brier.value),
        )
    typer.echo(_render(table))
    for group_name, alpha in report.low_agreement.items():
        typer.echo(
            f"low inter-rater agreement: {group_name} Krippendorff's alpha {alpha:.3f} < {ALPHA_FLOOR}"
        )
    if report.previous_period is None:
        typer.echo("drift: no previous month to compare")
    drifted = [p for p in report.drift if p.drifted and p.period == report.period]
    for point in drifted:
        typer.echo(
            f"drift: {point.group} {point.metric} {_fmt(point.previous)} -> {_fmt(point.value)}"
        )


def _render(table: Table) -> str:
    console = Console(width=120, record=True)
    with console.capture() as capture:
        console.print(table)
    return capture.get()
