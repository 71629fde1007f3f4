"""The role policy: the permission table, account scope per role, resource ownership."""

from __future__ import annotations

import pytest

from core.settings import Settings
from crm.scope import AccountScope
from identity.policy import (
    PERMISSION_MEANINGS,
    PERMISSIONS,
    UnknownPermission,
    account_scope,
    owns_resource,
    permissions_of,
    permits,
    resource_scope,
)
from identity.principal import ROLES, Principal, Role
from identity.territories import TerritoryTree

TREE = TerritoryTree(
    {"China": None, "East": "China", "North": "China", "West": "China", "Shanghai": "East"}
)


def _who(*roles: Role, **fields: object) -> Principal:
    return Principal(
        user_id=str(fields.pop("user_id", "u-1")), name="someone", roles=frozenset(roles),
        via="session", **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def test_every_role_has_a_row_and_every_permission_a_meaning() -> None:
    assert set(PERMISSIONS) == set(ROLES)
    for role, granted in PERMISSIONS.items():
        assert granted <= set(PERMISSION_MEANINGS), role
    assert PERMISSIONS["admin"] == set(PERMISSION_MEANINGS)


# The table as the product promises it (docs/IDENTITY.md): a change here is a visible diff.
@pytest.mark.parametrize(
    ("role", "allowed", "denied"),
    [
        ("rep", ["crm:read", "agents:run", "approvals:decide", "recommendations:feedback"],
         ["audit:read", "subjects:erase", "identity:manage", "calibration:review",
          "events:write", "assistants:write"]),
        ("manager", ["crm:read", "fairness:read", "approvals:decide"],
         ["audit:read", "subjects:export", "identity:manage"]),
        ("evaluator", ["calibration:review", "calibration:manage"],
         ["crm:read", "agents:run", "subjects:export", "identity:manage"]),
        ("privacy_officer", ["subjects:export", "subjects:erase", "consent:write", "audit:read"],
         ["agents:run", "approvals:decide", "identity:manage", "calibration:review"]),
        ("admin", list(PERMISSION_MEANINGS), []),
        ("application", ["agents:run", "events:write", "assistants:write", "threads:write"],
         ["identity:manage", "audit:read", "subjects:erase", "calibration:review"]),
    ],
)  # fmt: skip
def test_permission_table(role: Role, allowed: list[str], denied: list[str]) -> None:
    principal = _who(role)
    assert [p for p in allowed if not permits(principal, p)] == []
    assert [p for p in denied if permits(principal, p)] == []


def test_several_roles_hold_the_union_and_typos_fail_loudly() -> None:
    both = _who("rep", "evaluator")
    assert permits(both, "agents:run") and permits(both, "calibration:review")
    assert permissions_of(both) == PERMISSIONS["rep"] | PERMISSIONS["evaluator"]
    assert permissions_of(_who()) == frozenset() and not permits(_who(), "crm:read")
    with pytest.raises(UnknownPermission):
        permits(both, "crm:raed")


def test_admin_and_privacy_officer_see_every_account() -> None:
    assert account_scope(_who("admin"), TREE) == AccountScope.unrestricted()
    assert account_scope(_who("privacy_officer"), TREE).everything


def test_a_manager_sees_their_territory_and_everything_below_it() -> None:
    scope = account_scope(_who("manager", territories=("East",)), TREE)
    assert scope == AccountScope(regions=frozenset({"East", "Shanghai"}))
    national = account_scope(_who("manager", territories=("China",)), TREE)
    assert national.regions == {"China", "East", "North", "West", "Shanghai"}
    assert account_scope(_who("manager"), TREE).is_empty  # no territory: nothing


def test_a_rep_sees_their_own_and_their_teams_accounts_as_sharing_says() -> None:
    rep = _who("rep", rep_id="REP-001", team="East China", territories=("East",))
    assert account_scope(rep, TREE) == AccountScope(
        owner_ids=frozenset({"REP-001"}), teams=frozenset({"East China"})
    )
    owned = account_scope(rep, TREE, rep_sharing="owned")
    assert owned == AccountScope(owner_ids=frozenset({"REP-001"}))
    from_settings = account_scope(rep, TREE, settings=Settings(rep_sharing="owned"))
    assert from_settings == owned
    assert account_scope(_who("rep"), TREE).is_empty  # a rep who is no CRM rep owns nothing


def test_an_evaluator_sees_no_account() -> None:
    assert account_scope(_who("evaluator", territories=("China",)), TREE).is_empty


def test_an_application_sees_its_keys_territories_or_everything() -> None:
    assert account_scope(_who("application"), TREE).everything
    limited = account_scope(_who("application", territories=("East",)), TREE)
    assert limited == AccountScope(regions=frozenset({"East", "Shanghai"}))


def test_several_roles_see_the_union() -> None:
    both = _who("rep", "manager", rep_id="REP-003", territories=("North",))
    scope = account_scope(both, TREE, rep_sharing="owned")
    assert scope == AccountScope(regions=frozenset({"North"}), owner_ids=frozenset({"REP-003"}))


class _Directory:
    def territories_by_user(self) -> dict[str, tuple[str, ...]]:
        return {"east-rep": ("East",), "shanghai-rep": ("Shanghai",), "north-rep": ("North",),
                "nowhere": (), "east-manager": ("East",)}  # fmt: skip


def test_resources_belong_to_their_creator_and_their_manager() -> None:
    manager = _who("manager", user_id="east-manager", territories=("East",))
    scope = resource_scope(manager, TREE, _Directory())
    assert scope.owner_ids == {"east-manager", "east-rep", "shanghai-rep"}
    assert scope.admits("shanghai-rep") and not scope.admits("north-rep")
    assert not scope.admits(None)
    rep = _who("rep", user_id="east-rep", territories=("East",))
    assert resource_scope(rep, TREE, _Directory()).owner_ids == {"east-rep"}
    admin = resource_scope(_who("admin", user_id="root"), TREE, _Directory())
    assert admin.everything and admin.admits(None)


@pytest.mark.parametrize(
    ("principal", "owner", "owner_territories", "visible"),
    [
        (_who("rep", user_id="a"), "a", (), True),
        (_who("rep", user_id="a", territories=("East",)), "b", ("East",), False),
        (_who("manager", user_id="m", territories=("East",)), "b", ("Shanghai",), True),
        (_who("manager", user_id="m", territories=("East",)), "b", ("North",), False),
        (_who("manager", user_id="m", territories=("East",)), "b", (), False),
        (_who("manager", user_id="m", territories=("East",)), None, ("East",), False),
        (_who("admin", user_id="r"), None, (), True),
    ],
)
def test_owns_resource(
    principal: Principal, owner: str | None, owner_territories: tuple[str, ...], visible: bool
) -> None:
    assert owns_resource(principal, owner_user_id=owner, owner_territories=owner_territories,
                         territories=TREE) is visible  # fmt: skip


def test_the_docs_show_the_current_table() -> None:
    from pathlib import Path

    from identity.policy import permissions_markdown_table

    docs = (Path(__file__).resolve().parents[2] / "docs" / "IDENTITY.md").read_text("utf-8")
    shown = docs.split("<!-- permissions:start -->\n", 1)[1].split("\n<!-- permissions:end -->")[0]
    assert shown == permissions_markdown_table(), "docs/IDENTITY.md permission table is stale"
