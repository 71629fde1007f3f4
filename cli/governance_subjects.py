"""``crm-agents governance consent|export|erase``: a person's consent and data subject rights."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console

from cli.governance import governance_app
from core.actor import system_actor
from core.settings import get_settings

if TYPE_CHECKING:
    from composition.database import SharedDatabase

console = Console(stderr=True)

consent_app = typer.Typer(
    name="consent",
    help="Record and show a person's consent (ai_processing, model_training, marketing).",
    no_args_is_help=True,
)
governance_app.add_typer(consent_app, name="consent")

ContactArgument = Annotated[str, typer.Argument(help="The contact (person) id, e.g. CON-00001.")]
PurposeOption = Annotated[
    str, typer.Option(help="ai_processing, model_training or marketing.", show_default=False)
]
NoticeOption = Annotated[
    str, typer.Option("--notice-version", help="Privacy notice version the person saw.")
]
SourceOption = Annotated[str, typer.Option(help="Where the person gave it (web_form, email...).")]


# Who runs a command on the server's machine is known only as someone with its data folder.
CLI_ACTOR = system_actor("cli")


def _database() -> AbstractContextManager[SharedDatabase]:
    """The database part of the composition root: the consent ledger without models."""
    from composition.database import shared_database

    return shared_database(get_settings())


def _record(
    action: Literal["grant", "revoke"], contact_id: str, purpose: str, notice: str, source: str
) -> None:
    from crm.errors import NotFound
    from governance.consent import InvalidConsent

    with _database() as database:
        try:
            record = database.consent.record(
                action,
                contact_id=contact_id,
                purpose=purpose,
                notice_version=notice,
                source=source,
                actor=CLI_ACTOR,
            )
        except (NotFound, InvalidConsent) as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(code=1) from None
    typer.echo(record.model_dump_json(indent=2))


@consent_app.command("grant")
def grant_consent(
    contact_id: ContactArgument,
    purpose: PurposeOption,
    notice_version: NoticeOption,
    source: SourceOption = "cli",
) -> None:
    """Record that the person consented to a purpose."""
    _record("grant", contact_id, purpose, notice_version, source)


@consent_app.command("revoke")
def revoke_consent(
    contact_id: ContactArgument,
    purpose: PurposeOption,
    notice_version: NoticeOption,
    source: SourceOption = "cli",
) -> None:
    """Record that the person withdrew consent; agents stop using their data at once."""
    _record("revoke", contact_id, purpose, notice_version, source)


@consent_app.command("show")
def show_consent(contact_id: ContactArgument) -> None:
    """Print the person's current status per purpose and every record behind it (JSON)."""
    with _database() as database:
        status = database.consent.status(contact_id)
        history = database.consent.history(contact_id)
    body = {
        "contact_id": contact_id,
        "status": status,
        "history": [record.model_dump(mode="json") for record in history],
    }
    typer.echo(json.dumps(body, indent=2))


def _with_rights(action: str, contact_id: str) -> Any:
    """Run export or erase over every store, through the composition root opened for the CLI
    (no runtime: a server's runs are not stopped; its models load only if memory is read)."""
    from composition.root import AppServices, run_with_app_services
    from crm.errors import NotFound

    async def work(services: AppServices) -> Any:
        if action == "erase":
            return await services.subject_rights.erase(contact_id, actor=CLI_ACTOR)
        return await services.subject_rights.export(contact_id, actor=CLI_ACTOR)

    try:
        return run_with_app_services(get_settings(), work)
    except NotFound as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(code=1) from None


@governance_app.command("export")
def export_subject(
    contact_id: ContactArgument,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Export everything held about a person, from every store, as one JSON document."""
    document = _with_rights("export", contact_id).model_dump_json(indent=2)
    if output is None:
        typer.echo(document)
    else:
        output.write_text(document, encoding="utf-8")
        console.print(f"export of {contact_id} written to {output}")


@governance_app.command("erase")
def erase_subject(
    contact_id: ContactArgument,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: erasure cannot be undone.")] = False,
) -> None:
    """Erase a person from every store and print the receipt; exit 1 if any store failed."""
    if not yes:
        console.print("[red]erasure cannot be undone: pass --yes to confirm[/]")
        raise typer.Exit(code=2)
    receipt = _with_rights("erase", contact_id)
    typer.echo(receipt.model_dump_json(indent=2))
    if not receipt.complete:
        raise typer.Exit(code=1)
