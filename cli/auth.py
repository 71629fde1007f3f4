"""``crm-agents auth ...``: users, API keys and territories, from the terminal.

Secrets are printed once: a new key alone on the last line of standard output (so
``KEY=$(crm-agents auth create-key ...)`` captures just the key), a generated password the
same way; everything else goes to standard error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from identity.api_keys import ApiKey
    from identity.services import IdentityServices
    from identity.territories import TerritoryTree
    from identity.users import User

auth_app = typer.Typer(
    name="auth",
    help="Users, API keys and territories: who may sign in and what they see.",
    no_args_is_help=True,
)

_console = Console(stderr=True)
_T = TypeVar("_T")


@contextmanager
def _identity() -> Iterator[IdentityServices]:
    """The identity stores of the configured database (its part of the composition root)."""
    from composition.database import shared_database
    from core.settings import get_settings

    with shared_database(get_settings()) as database:
        yield database.identity


def _attempt(action: Callable[[], _T]) -> _T:
    """``action()``, with an identity error said plainly and exit code 1."""
    from identity.errors import IdentityError

    try:
        return action()
    except IdentityError as exc:
        _console.print(f"[red]{exc}[/]")
        raise typer.Exit(code=1) from None


Territories = Annotated[
    list[str] | None,
    typer.Option("--territory", help="A territory (repeatable); it covers those below it."),
]


@auth_app.command("create-user")
def create_user(
    name: Annotated[str, typer.Argument(help="Sign-in name, e.g. chen.jing.")],
    roles: Annotated[
        list[str],
        typer.Option(
            "--role", help="rep, manager, evaluator, privacy_officer or admin (repeatable)."
        ),
    ],
    territories: Territories = None,
    team: Annotated[str | None, typer.Option(help="The sales team, e.g. 'East China'.")] = None,
    rep: Annotated[
        str | None, typer.Option("--rep", help="The CRM rep this user is, e.g. REP-001.")
    ] = None,
    display_name: Annotated[str | None, typer.Option(help="Name shown on the pages.")] = None,
) -> None:
    """Add a user with a generated one-time password (printed once, alone on the last line)."""
    with _identity() as identity:
        created = _attempt(
            lambda: identity.users.create_user(
                name,
                roles,
                team=team,
                territories=territories or (),
                rep_id=rep,
                display_name=display_name,
            )
        )
    user = created.user
    _console.print(
        f"created user [bold]{user.name}[/] ({', '.join(user.roles)}); one-time password below,"
        " shown once: they choose their own with `crm-agents auth set-password`"
    )
    typer.echo(created.one_time_password)


@auth_app.command("create-key")
def create_key(
    name: Annotated[str, typer.Argument(help="What the key is for, e.g. 'chat front end'.")],
    role: Annotated[str, typer.Option(help="The role the key acts with.")] = "application",
    expires: Annotated[
        float | None, typer.Option(help="Days until the key stops working (default: never).")
    ] = None,
    territories: Territories = None,
    owner: Annotated[
        str | None, typer.Option(help="The user the key acts for (name or id).")
    ] = None,
) -> None:
    """Create an API key; the key is printed once, alone on the last line."""
    with _identity() as identity:
        created = _attempt(
            lambda: identity.api_keys.create(
                name, role, owner=owner, territories=territories or (), expires_days=expires
            )
        )
    record = created.record
    expiry = record.expires_at.isoformat(timespec="seconds") if record.expires_at else "never"
    _console.print(
        f"created API key [bold]{record.id}[/] ({record.role}, expires {expiry}); send it as"
        " x-api-key or Authorization: Bearer. It is shown once:"
    )
    typer.echo(created.plaintext)


@auth_app.command("revoke-key")
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="The key's id (from auth list).")],
) -> None:
    """Stop an API key from working, at once."""
    with _identity() as identity:
        record = _attempt(lambda: identity.api_keys.revoke(key_id))
    revoked = record.revoked_at.isoformat(timespec="seconds") if record.revoked_at else "?"
    _console.print(f"API key [bold]{record.id}[/] ({record.name}) revoked at {revoked}")


@auth_app.command("set-password")
def set_password(
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="The new password."
        ),
    ],
) -> None:
    """Give a user a password of their own (replaces a one-time password, unlocks)."""
    with _identity() as identity:
        user = _attempt(lambda: identity.users.set_password(name, password))
        identity.sessions.revoke_all(user.id)
        remaining = identity.users.any_first_run_passwords()
    _console.print(f"password of [bold]{user.name}[/] changed; their sessions were ended")
    _point_at_the_passwords_file(remaining)


def _point_at_the_passwords_file(remaining: bool) -> None:
    """Once no account has a one-time password left, the file of them has no use: say so."""
    from core.settings import get_settings
    from identity.demo_users import PASSWORDS_FILE

    path = get_settings().data_dir / PASSWORDS_FILE
    if not remaining and path.exists():
        # soft_wrap: a path broken over lines cannot be copied.
        _console.print(f"every account has chosen its password: delete {path}", soft_wrap=True)


@auth_app.command("disable-user")
def disable_user(name: Annotated[str, typer.Argument(help="The user's sign-in name.")]) -> None:
    """Stop a user from signing in; their sessions and keys stop working too."""
    with _identity() as identity:
        user = _attempt(lambda: identity.users.disable(name))
        identity.sessions.revoke_all(user.id)
    _console.print(f"user [bold]{user.name}[/] disabled")


@auth_app.command("add-territory")
def add_territory(
    name: Annotated[str, typer.Argument(help="The territory, as accounts name their region.")],
    parent: Annotated[str | None, typer.Option(help="The territory above it.")] = None,
) -> None:
    """Add a territory to the hierarchy (a manager of the parent sees it too)."""
    with _identity() as identity:
        _attempt(lambda: identity.territories.add(name, parent=parent))
    _console.print(f"territory [bold]{name}[/]" + (f" below {parent}" if parent else ""))


def _user_state(user: User) -> str:
    if user.disabled:
        return "disabled"
    return "one-time password" if user.first_run_password else "active"


def _key_state(key: ApiKey) -> str:
    if key.revoked_at:
        return "revoked " + key.revoked_at.isoformat(timespec="minutes")
    return (
        "used " + key.last_used_at.isoformat(timespec="minutes") if key.last_used_at else "unused"
    )


def _tree_line(tree: TerritoryTree) -> str:
    below = tree.children()
    tops = sorted(name for name, parent in tree.parents.items() if parent is None)
    parts = [f"{top} > {', '.join(sorted(below[top]))}" if top in below else top for top in tops]
    return "Territories: " + ("; ".join(parts) or "none")


@auth_app.command("list")
def list_identities() -> None:
    """List users, API keys and territories (never a password or a key)."""
    with _identity() as identity:
        users = identity.users.list()
        keys = identity.api_keys.list()
        tree = identity.territories.tree()
    out = Console()
    table = Table(title=f"Users ({len(users)})")
    for column in ("name", "roles", "team", "territories", "rep", "state"):
        table.add_column(column)
    for user in users:
        table.add_row(user.name, ", ".join(user.roles), user.team or "",
                      ", ".join(user.territories), user.rep_id or "", _user_state(user))  # fmt: skip
    out.print(table)
    table = Table(title=f"API keys ({len(keys)})")
    for column in ("id", "name", "role", "territories", "expires", "state"):
        table.add_column(column)
    for key in keys:
        expires = key.expires_at.isoformat(timespec="minutes") if key.expires_at else "never"
        table.add_row(
            key.id, key.name, key.role, ", ".join(key.territories), expires, _key_state(key)
        )
    out.print(table)
    out.print(_tree_line(tree))
