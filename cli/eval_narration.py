"""``crm-agents eval narration``: every agent's model-written text, and how much of it stands.

Imported by ``cli.main`` to register the command on the ``eval`` group.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.evaluation import HashingOption, JsonOption, ModelOption, _embedding, _settings, eval_app


@eval_app.command("narration")
def narration(
    model: ModelOption = None,
    agent: Annotated[
        list[str] | None,
        typer.Option("--agent", help="Only this agent's narrations (repeatable); default all six."),
    ] = None,
    per_agent: Annotated[
        int, typer.Option("--per-agent", min=1, help="Narrations generated per agent.")
    ] = 20,
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many narrations in all.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the JSON report here.")
    ] = None,
    as_json: JsonOption = False,
    hashing: HashingOption = False,
) -> None:
    """Generate narrations with the model over a fresh demo CRM; count per agent how many
    passed the prose checks, were partly or wholly replaced by the deterministic wording, and
    how many shown texts fail a second, independent check (the suite fails unless none do).

    ``--model local/<name>`` picks one of the embedded models.
    """
    from eval.narration import AGENTS, narration_cases, run_narrations
    from eval.scenario_suite.demo import demo_services

    console = Console(stderr=True)
    agents = tuple(agent or AGENTS)
    unknown = sorted(set(agents) - set(AGENTS))
    if unknown:
        raise typer.BadParameter(
            f"unknown agent(s) {', '.join(unknown)}; known: {', '.join(AGENTS)}",
            param_hint="--agent",
        )
    settings = _settings(model)
    with (
        console.status("Building the demo CRM...") as status,
        demo_services(settings, embedding_function=_embedding(hashing)) as services,
    ):
        cases = narration_cases(services.crm, per_agent=per_agent, agents=agents)
        cases = cases[:limit] if limit is not None else cases

        def progress(done: int, total: int) -> None:
            status.update(f"Narration {done} of {total} ({settings.model})...")

        report = asyncio.run(run_narrations(cases, services=services, progress=progress))
    figures = report.as_dict()
    if output is not None:
        output.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    if as_json:
        typer.echo(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        _print(figures, report)
    if report.shown_failing or report.errors:
        raise typer.Exit(code=1)


def _print(figures: dict[str, Any], report: Any) -> None:
    out = Console(width=max(Console().width, 110))
    title = (
        f"Narrations, model {figures['model']}: {figures['narrations']} in "
        f"{figures['seconds']:.0f} s"
    )
    table = Table(title=title)
    columns = ("agent", "generated", "passed", "partial", "replaced", "no text", "errors")
    for column in (*columns, "pass rate", "shown failing"):
        table.add_column(column, justify="left" if column == "agent" else "right")
    for s in figures["agents"]:
        rate = "-" if s["pass_rate"] is None else f"{s['pass_rate']:.0%}"
        counts = (s["generated"], s["passed"], s["partial"], s["replaced"], s["none"], s["errors"])
        table.add_row(s["agent"], *map(str, counts), rate, str(s["shown_failing"]))
    out.print(table)
    out.print(
        "pass rate: narrations whose whole model text was shown, of those the model wrote. "
        "shown failing: shown model text failing the independent second check (must be 0)."
    )
    for result in report.results:
        if result.shown_problems:
            out.print(f"[red]{result.case_id}: {'; '.join(result.shown_problems)}[/]")
        if result.error:
            out.print(f"[red]{result.case_id}: {result.error}[/]")
