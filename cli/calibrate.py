"""``crm-agents calibrate ...``: the monthly human calibration cycle."""

from __future__ import annotations

import typer

calibrate_app = typer.Typer(
    name="calibrate",
    help="Sample recommendations for human review, measure agreement and calibration, report.",
    no_args_is_help=True,
)
