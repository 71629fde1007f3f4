"""``crm-agents``: serve the API, seed the demo CRM, ask an agent from the terminal."""

from __future__ import annotations

from core.offline import apply_offline_defaults

apply_offline_defaults()

import asyncio
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from core.actor import acting_as, system_actor
from core.settings import Settings, get_settings

app = typer.Typer(
    name="crm-agents",
    help="AI-native CRM agent server: LangGraph sales agents over your CRM, offline by default.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to listen on.")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Start the API server (http://127.0.0.1:8000 by default)."""
    import uvicorn

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    _check_listen_address(settings, host)
    console.print(
        f"[bold]CRM agents[/] serving on [link]http://{host}:{port}/[/link]  (Ctrl+C stops)"
    )
    # The options override the settings for this process: the app uvicorn builds reads the
    # same settings object and answers to the address it listens on (CRM_AGENTS_ALLOWED_HOSTS
    # plus the host).
    settings.host, settings.port = host, port
    uvicorn.run("server:create_app", factory=True, host=host, port=port, log_level="info")


def _check_listen_address(settings: Settings, host: str) -> None:
    """Warn before listening beyond this machine; refuse while demo passwords remain."""
    from identity.first_run import FirstRunPasswordsRemain, check_listen_address, is_loopback

    if is_loopback(host):
        return
    console.print(
        f"[yellow]Listening on {host}: the server is reachable from other machines.[/] "
        "Only signed-in users and API keys get in; the host names it answers to are "
        "CRM_AGENTS_ALLOWED_HOSTS."
    )
    from composition.database import shared_database

    with shared_database(settings) as database:
        try:
            check_listen_address(host, database.identity.users)
        except FirstRunPasswordsRemain as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(code=1) from None


@app.command()
def seed(
    if_absent: Annotated[
        bool, typer.Option("--if-absent", help="Do nothing when the database already holds data.")
    ] = False,
    scale: Annotated[
        float, typer.Option(min=0.01, max=10.0, help="Size relative to the full demo dataset.")
    ] = 1.0,
    seed_value: Annotated[
        Optional[int], typer.Option("--seed", help="Generator seed (default from settings).")
    ] = None,
) -> None:
    """Build the demo CRM (a medical-device distributor) and index it into the memory."""
    from cli.seeding import seed_demo_crm

    settings = get_settings()
    # The lead scores and recommendations seeding records are the system's own work.
    with acting_as(system_actor("seed")):
        report = seed_demo_crm(
            settings, scale=scale, seed=seed_value, if_absent=if_absent, console=console
        )
    if report is None:
        console.print(
            f"Demo CRM already present in {settings.resolved_database_url}; nothing to do."
        )
        return
    console.print(report.render())
    if report.passwords_file is not None:
        console.print(
            f"Demo users' one-time passwords (readable only by you): [bold]{report.passwords_file}[/]",
            soft_wrap=True,
        )


@app.command("import")
def import_(
    files: Annotated[
        list[Path], typer.Argument(help="CSV, JSON or JSONL files, e.g. accounts.csv.")
    ],
    entity: Annotated[
        Optional[str], typer.Option(help="Entity of every file (default: from the file name).")
    ] = None,
) -> None:
    """Import CRM records from CSV/JSON files; a file with any bad row imports nothing."""
    from crm.db import make_engine, migrate
    from crm.errors import CRMError
    from crm.importers import ImportFailed, import_file

    settings = get_settings()
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    failed = False
    for path in files:
        try:
            report = import_file(engine, path, entity=entity)
        except ImportFailed as exc:
            failed = True
            for error in exc.errors:
                console.print(f"[red]{error}[/]")
            console.print(f"[red]{path}: nothing imported ({len(exc.errors)} bad rows)[/]")
            continue
        except (CRMError, OSError) as exc:
            failed = True
            console.print(f"[red]{path}: nothing imported: {exc}[/]")
            continue
        console.print(f"{path}: imported {report.inserted} {report.entity}")
    if failed:
        raise typer.Exit(code=1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    graph: Annotated[str, typer.Option(help="Graph (agent) to ask.")] = "technical_qa",
) -> None:
    """Ask an agent a question and stream its answer into the terminal."""
    from cli.asking import ask_graph

    settings = get_settings()
    started = time.perf_counter()
    with acting_as(system_actor("cli")):  # whoever runs it has the server's data folder
        code = asyncio.run(ask_graph(settings, graph_id=graph, question=question, console=console))
    console.print(f"[dim]({time.perf_counter() - started:.1f} s, model {settings.model})[/]")
    raise typer.Exit(code=code)


# Command groups live in their own modules; importing a module registers its commands.
from cli import (
    calibrate_cycle,  # noqa: F401  (registers calibrate report, export, refit, demo)
    eval_narration,  # noqa: F401  (registers eval narration)
    governance_fairness,  # noqa: F401  (registers the fairness scan)
    governance_subjects,  # noqa: F401  (registers consent, export and erase)
)
from cli.auth import auth_app
from cli.calibrate import calibrate_app
from cli.evaluation import eval_app
from cli.governance import governance_app
from cli.models import model_app

app.add_typer(governance_app, name="governance")
app.add_typer(calibrate_app, name="calibrate")
app.add_typer(eval_app, name="eval")
app.add_typer(model_app, name="model")
app.add_typer(auth_app, name="auth")
