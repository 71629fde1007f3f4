"""``crm-agents governance fairness``: replay the budget agent with only the region changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.governance import governance_app
from core.settings import get_settings

if TYPE_CHECKING:
    from eval.fairness_models import FairnessReport

console = Console(stderr=True)

DEFAULT_SAMPLE = 200
EXIT_CODES = {"no_bias_detected": 0, "bias_detected": 1, "insufficient_data": 3}


@governance_app.command("fairness")
def fairness(
    sample: Annotated[
        int, typer.Option(min=1, max=100_000, help="Deals to replay (all when fewer exist).")
    ] = DEFAULT_SAMPLE,
    seed: Annotated[int, typer.Option(help="Seed of the deal sample and the bootstrap.")] = 0,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Price as of this ISO date (default: today, like the agent)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder to write fairness.json and fairness.html into.", file_okay=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Replay the budget agent over a sample of deals in every region and compare the prices.

    Exit status: 0 no bias detected, 1 bias detected, 3 insufficient data for a verdict.
    """
    from crm.db import make_engine, migrate
    from crm.store import CRMStore
    from eval.fairness import scan_fairness
    from eval.fairness_report import render_page
    from tools.pricing import PricingTools

    when = _as_of(as_of)
    settings = get_settings()
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        crm = CRMStore(engine)
        with console.status(f"replaying up to {sample} deals in every region..."):
            report = scan_fairness(crm, PricingTools(crm), sample=sample, seed=seed, as_of=when)
    finally:
        engine.dispose()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "fairness.json").write_text(report.model_dump_json(indent=2) + "\n", "utf-8")
        (out / "fairness.html").write_text(render_page(report), "utf-8")
        console.print(f"wrote {out / 'fairness.json'} and {out / 'fairness.html'}")
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        console.print(_summary(report))
    if report.verdict != "no_bias_detected":
        raise typer.Exit(code=EXIT_CODES[report.verdict])


def _as_of(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO date (YYYY-MM-DD)", param_hint="--as-of"
        ) from None


def _summary(report: FairnessReport) -> Table:
    table = Table(
        title=f"Fairness scan: {report.verdict.replace('_', ' ')} "
        f"({report.deals_scanned} deals, as of {report.as_of}, {report.seconds:.1f} s)"
    )
    for column in (
        "region",
        "deals",
        "approval",
        "price ratio",
        "95% CI",
        "mean change %",
        "status",
    ):
        table.add_column(column, justify="left" if column in {"region", "status"} else "right")
    for r in report.regions:
        ci = f"{r.price_ratio_ci[0]:.3f}-{r.price_ratio_ci[1]:.3f}" if r.price_ratio_ci else "-"
        table.add_row(
            r.region,
            str(r.deals),
            f"{r.approval_rate:.1%}" if r.approval_rate is not None else "-",
            f"{r.price_ratio:.4f}" if r.price_ratio is not None else "-",
            ci,
            f"{r.mean_change_pct:+.3f}" if r.mean_change_pct is not None else "-",
            r.status.replace("_", " "),
        )
    table.caption = "; ".join(report.findings) or "no findings"
    return table
