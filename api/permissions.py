"""What each route requires, declared on the route: ``dependencies=[permission("crm:read")]``.

Every route declares one of three: a permission of the policy table (``identity/policy.py``;
401 without credentials, 403 when no role of the caller grants it), ``signed_in()`` (any
signed-in user or application: ``/info``, ``/auth/me``), or ``anyone()`` (``/ok`` and the
sign-in API). ``tests/api/test_api_permissions.py`` reads these declarations from every route
and fails for a route that declares none, so a new route cannot be open by omission.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends

from api.deps import PrincipalDep
from api.errors import ApiError
from identity.policy import PERMISSIONS_ALL, UnknownPermission, permits
from identity.principal import Principal


class RequiredPermission:
    """The dependency a route's ``permission(name)`` declares; the test reads ``name``."""

    def __init__(self, name: str) -> None:
        if name not in PERMISSIONS_ALL:  # a typo must fail at import, not deny at run time
            raise UnknownPermission(name)
        self.name = name

    async def __call__(self, principal: PrincipalDep) -> Principal:
        if not permits(principal, self.name):
            roles = ", ".join(sorted(principal.roles)) or "none"
            raise ApiError(403, "forbidden", f"{self.name} is not allowed for the role(s) {roles}")
        return principal

    def __repr__(self) -> str:
        return f"permission({self.name!r})"


class SignedIn:
    """Any signed-in user or application may use the route."""

    async def __call__(self, principal: PrincipalDep) -> Principal:
        return principal


class Anyone:
    """The route answers without credentials (``/ok``, the sign-in API): declared, not
    forgotten."""

    async def __call__(self) -> None:
        return None


def permission(name: str) -> Any:
    """``dependencies=[permission("crm:read")]``: the route needs ``name``."""
    return Depends(RequiredPermission(name))


def signed_in() -> Any:
    """``dependencies=[signed_in()]``: any signed-in caller."""
    return Depends(SignedIn())


def anyone() -> Any:
    """``dependencies=[anyone()]``: no credentials needed."""
    return Depends(Anyone())
