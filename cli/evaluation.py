"""``crm-agents eval ...``: the agents' scenario suite and ground-truth scores."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from core.settings import Settings, get_settings

eval_app = typer.Typer(
    name="eval",
    help="Run the labelled scenario suite and score the agents against the demo's ground truth.",
    no_args_is_help=True,
)

ModelOption = Annotated[
    str | None,
    typer.Option("--model", help="litellm model string (default: the configured one)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")]
HashingOption = Annotated[
    bool,
    typer.Option(
        "--hashing-embeddings",
        help="Index the demo memory with the hashing embedding (fast, weaker retrieval).",
    ),
]


@eval_app.command("scenarios")
def scenarios(
    agent: Annotated[
        list[str] | None,
        typer.Option("--agent", help="Only this agent's cases (repeatable); default all."),
    ] = None,
    model: ModelOption = None,
    as_json: JsonOption = False,
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many cases per agent.")
    ] = None,
    hashing: HashingOption = False,
    scale: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            max=10.0,
            help="Generate the cases from a demo of this size instead of reading the "
            "checked-in suite (more accounts: more cases, so a firmer confidence AUROC).",
        ),
    ] = None,
    demo_consent: Annotated[
        bool,
        typer.Option(
            "--demo-consent",
            help="Seed the demo's consent records and read through the consent gate "
            "(some people never allowed AI processing); default: everyone consented.",
        ),
    ] = False,
) -> None:
    """Run the scenario suite over a fresh demo CRM and print per-agent scores.

    Exits non-zero only when a case raised an error, never for low scores.
    """
    from eval.scenario_suite import load_suite
    from eval.scenario_suite.demo import demo_services
    from eval.scenario_suite.generate import SUITE_SCALE, generated_suite
    from eval.scenario_suite.runner import run_suite

    console = Console(stderr=True)
    try:
        cases = load_suite(agents=agent)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--agent") from exc
    settings = _settings(model)
    with (
        console.status("Building the demo CRM and running the cases..."),
        demo_services(
            settings,
            scale=scale or SUITE_SCALE,
            embedding_function=_embedding(hashing),
            demo_consent=demo_consent,
        ) as services,
    ):
        if scale is not None:
            cases = generated_suite(services.crm.engine, agents=agent)
        if limit is not None:
            cases = _first_per_agent(cases, limit)
        report = asyncio.run(run_suite(cases, services=services))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _print_scenarios(report)
    if report.errors:
        raise typer.Exit(code=1)


@eval_app.command("ground-truth")
def ground_truth(
    model: ModelOption = None,
    as_json: JsonOption = False,
    scale: Annotated[
        float | None,
        typer.Option(min=0.01, max=10.0, help="Demo size (default: the suite's scale)."),
    ] = None,
) -> None:
    """Score buying stage, decision maker and budget band against the demo's hidden truth."""
    from eval.ground_truth import score_against_truth
    from eval.scenario_suite.demo import demo_services
    from eval.scenario_suite.generate import SUITE_SCALE
    from graphs.registry import registered_graphs

    console = Console(stderr=True)
    specs = registered_graphs()
    with (
        console.status("Building the demo CRM and scoring every account..."),
        demo_services(
            _settings(model), scale=scale or SUITE_SCALE, embedding_function=_embedding(True)
        ) as services,
    ):
        report = asyncio.run(
            score_against_truth(
                services.crm.engine,
                relationships_graph=specs["relationships"].build(services=services),
                budget_graph=specs["budget"].build(services=services),
            )
        )
    figures = report.as_dict()
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    table = Table(title=f"Against the demo's hidden truth ({report.accounts} accounts)")
    table.add_column("measure")
    table.add_column("score", justify="right")
    for key in (
        "stage_accuracy",
        "decision_maker_top1",
        "budget_band_accuracy",
        "budget_band_coverage",
    ):
        table.add_row(key.replace("_", " "), f"{figures[key]:.1%}")
    Console().print(table)


def _settings(model: str | None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"model": model}) if model else settings


def _embedding(hashing: bool) -> Any:
    # None: the memory's default (MiniLM). The hashing embedding needs no model load.
    from memory import HashingEmbeddingFunction

    return HashingEmbeddingFunction() if hashing else None


def _first_per_agent(cases: list[Any], limit: int) -> list[Any]:
    taken: dict[str, int] = {}
    kept = []
    for case in cases:
        if taken.get(case.agent, 0) < limit:
            taken[case.agent] = taken.get(case.agent, 0) + 1
            kept.append(case)
    return kept


def _print_scenarios(report: Any) -> None:
    out = Console()
    table = Table(title=f"Scenario suite, model {report.model} ({report.seconds:.1f} s)")
    for column in (
        "agent",
        "cases",
        "passed",
        "routes",
        "cited",
        "ranges",
        "errors",
        "violations",
    ):
        left = column == "agent"
        table.add_column(column, justify="left" if left else "right", no_wrap=left)
    for s in report.scores():
        table.add_row(
            s.agent,
            str(s.cases),
            _pct(s.pass_rate),
            _pct(s.route_accuracy),
            _pct(s.citation_recall),
            _pct(s.range_hits),
            str(s.errors),
            str(s.violations),
        )
    out.print(table)
    out.print(_confidence_table(report))
    out.print(
        "AUROC: area under the ROC curve of each case's confidence against the case passing "
        "its labels (0.5 = confidence says nothing about correctness; 1 = it ranks every right "
        "answer above every wrong one)."
    )
    for violation in report.violations():
        out.print(
            f"[yellow]{violation.agent} {violation.recommendation_id}: "
            f"{violation.rule}: {violation.detail}[/]"
        )
    for result in report.results:
        if result.error:
            out.print(f"[red]{result.case_id}: {result.error}[/]")


def _confidence_table(report: Any) -> Table:
    """Per agent: right and wrong cases, those without a confidence, and the AUROC (or why it
    is undefined)."""
    table = Table(title="Confidence against correctness")
    for column in ("agent", "right", "wrong", "no confidence", "AUROC"):
        left = column in ("agent", "AUROC")
        table.add_column(column, justify="left" if left else "right", no_wrap=column == "agent")
    for s in report.scores():
        auroc = s.auroc
        if auroc is None:
            table.add_row(s.agent, "-", "-", "-", "-")
            continue
        value = f"{auroc.value:.3f}" if auroc.value is not None else f"n/a: {_why(auroc)}"
        table.add_row(
            s.agent,
            str(auroc.correct),
            str(auroc.incorrect),
            str(auroc.without_confidence),
            value,
        )
    return table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _why(auroc: Any) -> str:
    return str(auroc.reason).removeprefix("undefined: ")
