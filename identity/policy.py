"""Who may do what, and which accounts and resources they see: a table and three functions.

The table is the whole policy of roles: a permission is a plain name, a role holds a set of
them, a principal with several roles holds their union. The API asks :func:`permits` before
acting (403 when it says no) and applies :func:`account_scope` and :func:`resource_scope` as
filters in its queries (404 for what lies outside them), never by fetching everything and
dropping rows. Kept as data so a test can print and pin it, and docs/IDENTITY.md shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from core.settings import Settings
from crm.scope import AccountScope
from identity.principal import ROLES, Principal, Role
from identity.territories import TerritoryTree

RepSharing = Literal["owned", "team"]

# Every permission, with what it allows.
PERMISSION_MEANINGS: dict[str, str] = {
    "crm:read": "read accounts, contacts, deals and activities (within the account scope)",
    "agents:run": "start runs of the agents (the run sees what its user sees)",
    "threads:read": "read threads and runs (their own, and their reports' as a manager)",
    "threads:write": "create, update and delete threads and runs",
    "assistants:read": "list and read assistants (agent configurations)",
    "assistants:write": "create, version and delete assistants",
    "store:read": "read the long-term memory store (their own namespace)",
    "store:write": "write the long-term memory store (their own namespace)",
    "recommendations:read": "read recommendations about accounts within the scope",
    "recommendations:feedback": "give feedback on a recommendation",
    "approvals:decide": "approve, edit or reject an action an agent proposed",
    "events:write": "send behaviour events and CRM webhooks in",
    "calibration:review": "score the calibration items of one's own batches",
    "calibration:manage": "draw samples, import scores, close batches, refit calibration",
    "subjects:export": "export everything held about a person",
    "subjects:erase": "erase a person's data",
    "consent:write": "record and revoke a person's consent",
    "audit:read": "read and verify the audit ledger and data passports",
    "fairness:read": "run and read fairness reports",
    "identity:manage": "create and disable users, create and revoke API keys, add territories",
}
PERMISSIONS_ALL = frozenset(PERMISSION_MEANINGS)

_SALES = frozenset(
    {
        "crm:read",
        "agents:run",
        "threads:read",
        "threads:write",
        "assistants:read",
        "store:read",
        "store:write",
        "recommendations:read",
        "recommendations:feedback",
        "approvals:decide",
    }
)

PERMISSIONS: dict[Role, frozenset[str]] = {
    # A rep works their accounts with the agents and decides on what the agents propose.
    "rep": _SALES,
    # A manager does what a rep does over a territory, and reads the fairness reports.
    "manager": _SALES | {"fairness:read"},
    # An evaluator scores calibration items and runs the monthly calibration cycle; they see no
    # account outside the items of their batches (their account scope is empty).
    "evaluator": frozenset({"assistants:read", "calibration:review", "calibration:manage"}),
    # The privacy officer answers data subjects: consent, export, erasure, passport, ledger.
    "privacy_officer": frozenset(
        {
            "crm:read",
            "subjects:export",
            "subjects:erase",
            "consent:write",
            "audit:read",
            "fairness:read",
        }
    ),
    "admin": PERMISSIONS_ALL,
    # An application (a chat front end, an integration) runs agents and relays its users'
    # decisions; it sends events in; it manages assistants, like a LangGraph deployment's
    # clients do. It never administers people or data subjects.
    "application": _SALES | {"assistants:write", "events:write"},
}


class UnknownPermission(KeyError):
    """A permission name that is not in the table: a typo must fail loudly, not deny quietly."""


def permissions_of(principal: Principal) -> frozenset[str]:
    """Every permission ``principal``'s roles hold (what a run's context carries)."""
    return frozenset().union(*(PERMISSIONS[role] for role in principal.roles))


def permits(principal: Principal, permission: str) -> bool:
    """Whether any of ``principal``'s roles holds ``permission``."""
    if permission not in PERMISSIONS_ALL:
        raise UnknownPermission(permission)
    return any(permission in PERMISSIONS[role] for role in principal.roles)


def account_scope(
    principal: Principal,
    territories: TerritoryTree,
    *,
    rep_sharing: RepSharing | None = None,
    settings: Settings | None = None,
) -> AccountScope:
    """The accounts ``principal`` may see, as the filter the CRM store adds to its queries.

    Admins and the privacy officer see every account; a manager their territories (with every
    territory below them); a rep the accounts they own, and their team's when ``rep_sharing``
    is ``"team"``; an evaluator none; an application its key's territories, or every account
    when the key names none. Several roles see the union of what each sees. ``rep_sharing``
    defaults to ``settings.rep_sharing`` (``"team"`` without settings).
    """
    sharing = rep_sharing or (settings.rep_sharing if settings is not None else "team")
    if principal.has_role("admin", "privacy_officer"):
        return AccountScope.unrestricted()
    if principal.has_role("application") and not principal.territories:
        return AccountScope.unrestricted()
    regions: frozenset[str] = frozenset()
    owners: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    if principal.has_role("manager", "application"):
        regions = territories.expand(principal.territories)
    if principal.has_role("rep"):
        if principal.rep_id:
            owners = frozenset({principal.rep_id})
        if sharing == "team" and principal.team:
            teams = frozenset({principal.team})
    return AccountScope(regions=regions, owner_ids=owners, teams=teams)


class UserTerritories(Protocol):
    """What :func:`resource_scope` needs of the user directory: each user's territories."""

    def territories_by_user(self) -> dict[str, tuple[str, ...]]: ...


@dataclass(frozen=True)
class ResourceScope:
    """Whose threads, runs, store items and interrupts a principal sees: everyone's, or those
    created by one of ``owner_ids``."""

    everything: bool = False
    owner_ids: frozenset[str] = frozenset()

    def admits(self, owner_user_id: str | None) -> bool:
        """Whether a resource created by ``owner_user_id`` is visible (one without an owner,
        made before sign-in existed, only to everyone-scopes)."""
        return self.everything or (owner_user_id is not None and owner_user_id in self.owner_ids)


def resource_scope(
    principal: Principal, territories: TerritoryTree, users: UserTerritories
) -> ResourceScope:
    """Resources belong to their creator; a manager also sees those of every user whose
    territories all lie within the manager's (their reports); admins see all."""
    if principal.has_role("admin"):
        return ResourceScope(everything=True)
    owners = {principal.user_id}
    if principal.has_role("manager") and principal.territories:
        covering = territories.expand(principal.territories)
        owners.update(
            user_id
            for user_id, theirs in users.territories_by_user().items()
            if territories.within(theirs, covering)
        )
    return ResourceScope(owner_ids=frozenset(owners))


def owns_resource(
    principal: Principal,
    *,
    owner_user_id: str | None,
    owner_territories: Iterable[str],
    territories: TerritoryTree,
) -> bool:
    """Whether ``principal`` may see one resource created by ``owner_user_id`` (whose
    territories are ``owner_territories``): :func:`resource_scope` for a single resource."""
    if principal.has_role("admin") or (
        owner_user_id is not None and owner_user_id == principal.user_id
    ):
        return True
    return (
        owner_user_id is not None
        and principal.has_role("manager")
        and bool(principal.territories)
        and territories.within(owner_territories, territories.expand(principal.territories))
    )


def permissions_markdown_table() -> str:
    """The permission table of docs/IDENTITY.md: a row per permission, a column per role."""
    rows = [
        "| permission | what it allows | " + " | ".join(ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for permission, meaning in PERMISSION_MEANINGS.items():
        marks = " | ".join("yes" if permission in PERMISSIONS[role] else "" for role in ROLES)
        rows.append(f"| `{permission}` | {meaning} | {marks} |")
    return "\n".join(rows)
