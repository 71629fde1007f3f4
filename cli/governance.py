"""``crm-agents governance ...``: audit ledger, consent, data subject rights, fairness."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from composition.database import SharedDatabase

governance_app = typer.Typer(
    name="governance",
    help="Audit ledger verification, consent, data subject rights and the fairness scan.",
    no_args_is_help=True,
)

_console = Console(stderr=True)


def _database() -> AbstractContextManager[SharedDatabase]:
    """The database part of the composition root: the audit services without models."""
    from composition.database import shared_database
    from core.settings import get_settings

    return shared_database(get_settings())


@governance_app.command("verify")
def verify_audit_ledger(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Recompute the audit ledger's hashes and signatures; exit 1 naming the first bad entry."""
    with _database() as database:
        report = database.audit.verify()
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    elif report.ok:
        _console.print(
            f"[green]audit ledger verified[/]: {report.entries} entries, "
            f"{report.checkpoints} signed checkpoints, head {report.head_hash[:16]}"
        )
    else:
        _console.print(
            f"[red]audit ledger FAILED verification at entry {report.first_bad_seq}[/]: "
            f"{report.problem}"
        )
    if not report.ok:
        raise typer.Exit(code=1)


@governance_app.command("audit")
def list_audit_entries(
    actor: Annotated[
        str | None,
        typer.Option(help="Only entries by this actor: a user id, or system:<component>."),
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only entries of this kind.")] = None,
    offset: Annotated[int, typer.Option(min=0, help="Entries to skip.")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Entries to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entries as JSON.")] = False,
) -> None:
    """List audit ledger entries in sequence order, each with who acted (filtered in the
    query, like ``GET /governance/audit/entries``)."""
    with _database() as database:
        ledger = database.audit.ledger
        entries = ledger.entries(offset=offset, limit=limit, kind=kind, actor=actor)
        total = ledger.count(kind=kind, actor=actor)
    if as_json:
        typer.echo("[" + ",\n".join(e.model_dump_json() for e in entries) + "]")
        return
    # Tab-separated, one entry a line: readable, and ready for cut, grep and sort.
    typer.echo("seq\ttime\tkind\tactor\tvia\tcredential")
    for entry in entries:
        who = entry.actor or {}
        columns = (
            entry.seq,
            entry.created_at.isoformat(timespec="seconds"),
            entry.kind,
            who.get("user_id", "(before actors)"),
            who.get("via", ""),
            who.get("credential_id", ""),
        )
        typer.echo("\t".join(str(column) for column in columns))
    _console.print(f"{len(entries)} of {total} entries")


@governance_app.command("passport")
def show_passport(
    contact_id: Annotated[str, typer.Argument(help="The contact (person) id, e.g. CON-00001.")],
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the passport page to this file.")
    ] = None,
) -> None:
    """Print a person's data passport (JSON): which agents and models used which of their data."""
    from governance.audit_errors import ContactUnknown
    from governance.passport import render_passport_html

    with _database() as database:
        try:
            passport = database.audit.passport(contact_id=contact_id)
        except ContactUnknown as exc:
            _console.print(f"[red]{exc}[/]")
            raise typer.Exit(code=1) from None
    typer.echo(passport.model_dump_json(indent=2))
    if html is not None:
        html.write_text(render_passport_html(passport), encoding="utf-8")
        _console.print(f"passport page written to {html}")
