"""``crm-agents eval ...``: the agents' scenario suite and ground-truth scores."""

from __future__ import annotations

import typer

eval_app = typer.Typer(
    name="eval",
    help="Run the labelled scenario suite and score the agents against the demo's ground truth.",
    no_args_is_help=True,
)
