"""``crm-agents governance ...``: audit ledger, consent, data subject rights, fairness."""

from __future__ import annotations

import typer

governance_app = typer.Typer(
    name="governance",
    help="Audit ledger verification, consent, data subject rights and the fairness scan.",
    no_args_is_help=True,
)
