"""The demo's users: one per role and territory, with one-time passwords in a file only the
owner can read.

``crm-agents seed`` creates a rep user for every rep of the CRM (their own accounts, their
team, their region), a manager of East, a national manager of China, an evaluator, a privacy
officer and an admin. Their generated passwords go to ``<data_dir>/first-run-passwords.txt``,
created with mode 0600 (never readable by others, not even for a moment) and appended to when
later seeds add users; the server refuses to listen beyond this machine until each of them
has chosen a password of their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from crm import models as m
from crm.db import session_factory
from identity.errors import IdentityNotFound
from identity.services import IdentityServices
from identity.territories import DEMO_COUNTRY, seed_demo_territories

PASSWORDS_FILE = "first-run-passwords.txt"


@dataclass(frozen=True)
class DemoUser:
    """A user the demo seeds."""

    name: str
    roles: tuple[str, ...]
    display_name: str
    team: str | None = None
    territories: tuple[str, ...] = ()
    rep_id: str | None = None


@dataclass(frozen=True)
class SeededUser:
    """A demo user created now, with the password shown once (in the file)."""

    user: DemoUser
    password: str


@dataclass
class DemoUsersReport:
    """What seeding the demo's users did."""

    created: list[SeededUser] = field(default_factory=list)
    passwords_file: Path | None = None


def _sign_in_name(rep_name: str) -> str:
    return ".".join(rep_name.lower().split())


def demo_users(engine: Engine) -> list[DemoUser]:
    """The demo's users: a rep user per CRM rep, then one of each other role."""
    with session_factory(engine)() as session:
        reps = session.scalars(select(m.Rep).order_by(m.Rep.id)).all()
    users = [
        DemoUser(
            name=_sign_in_name(rep.name),
            roles=("rep",),
            display_name=rep.name,
            team=rep.team,
            territories=(rep.region,),
            rep_id=rep.id,
        )
        for rep in reps
    ]
    east_team = next((rep.team for rep in reps if rep.region == "East"), None)
    return [
        *users,
        DemoUser("manager.east", ("manager",), "East region manager", east_team, ("East",)),
        DemoUser("manager.china", ("manager",), "National sales manager", None, (DEMO_COUNTRY,)),
        DemoUser("evaluator", ("evaluator",), "Calibration evaluator"),
        DemoUser("privacy.officer", ("privacy_officer",), "Privacy officer"),
        DemoUser("admin", ("admin",), "Administrator"),
    ]


def seed_demo_users(identity: IdentityServices, engine: Engine, data_dir: Path) -> DemoUsersReport:
    """Create the demo's territories and whichever demo users do not exist yet (so seeding
    again creates nothing), writing the new users' passwords to the passwords file."""
    seed_demo_territories(identity.territories)
    report = DemoUsersReport()
    for wanted in demo_users(engine):
        try:
            identity.users.get(wanted.name)
            continue
        except IdentityNotFound:
            pass
        created = identity.users.create_user(
            wanted.name,
            wanted.roles,
            team=wanted.team,
            territories=wanted.territories,
            rep_id=wanted.rep_id,
            display_name=wanted.display_name,
        )
        assert created.one_time_password is not None  # no password given: one was generated
        report.created.append(SeededUser(wanted, created.one_time_password))
    if report.created:
        report.passwords_file = write_first_run_passwords(data_dir / PASSWORDS_FILE, report.created)
    return report


def write_first_run_passwords(path: Path, seeded: Iterable[SeededUser]) -> Path:
    """Append the users' one-time passwords to ``path``, created with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_CREAT with 0600 creates the file private from its first moment (the umask can only
    # take bits away); fchmod closes a file an older version or a person left more open.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        if handle.tell() == 0:
            handle.write(
                "# One-time passwords of the demo users. Sign in and choose your own password\n"
                "# (or: crm-agents auth set-password NAME); delete this file afterwards.\n"
                "# name\troles\tterritories\tpassword\n"
            )
        for entry in seeded:
            user = entry.user
            territories = ",".join(user.territories) or "-"
            handle.write(f"{user.name}\t{','.join(user.roles)}\t{territories}\t{entry.password}\n")
    return path
