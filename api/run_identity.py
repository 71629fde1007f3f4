"""Who a run acts for: the signed-in principal and the accounts they may see, written into the
run's config where the LangGraph server puts its user, so graphs and tools read it there.

``configurable`` gets ``langgraph_auth_user`` (the user as data: identity, display name,
permissions, roles, team, territories, rep id, how they signed in), ``langgraph_auth_user_id``
and ``langgraph_auth_permissions`` (the LangGraph server's keys), ``crm_scope`` (the account
scope the agents' CRM reader applies, ``tools/run_scope.py``) and, for a rep, ``rep_id``: a
rep's "my accounts" are their own. A client cannot choose any of these: whatever it sends under
those keys is replaced, so a run never acts for someone the request did not prove to be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends

from api.deps import AppServicesDep, PrincipalDep
from api.errors import ApiError
from api.schemas import RunCreate
from crm.scope import AccountScope
from identity.policy import PERMISSIONS, account_scope, permits
from identity.principal import Principal
from tools.run_scope import CRM_SCOPE, scope_configurable

AUTH_USER = "langgraph_auth_user"
AUTH_USER_ID = "langgraph_auth_user_id"
AUTH_PERMISSIONS = "langgraph_auth_permissions"
REP_ID = "rep_id"
# Keys only the server writes; a client's values for them are dropped.
SERVER_KEYS = frozenset({AUTH_USER, AUTH_USER_ID, AUTH_PERMISSIONS, CRM_SCOPE})


@dataclass(frozen=True)
class RunActor:
    """The principal a run acts for and the account scope the policy gives them."""

    principal: Principal
    scope: AccountScope

    def configurable(self) -> dict[str, Any]:
        """The entries this actor puts into a run's ``configurable``."""
        principal = self.principal
        permissions = sorted(set().union(*(PERMISSIONS[role] for role in principal.roles)))
        entries: dict[str, Any] = {
            AUTH_USER: {
                "identity": principal.user_id,
                "display_name": principal.display_name or principal.name,
                "is_authenticated": True,
                "permissions": permissions,
                "name": principal.name,
                "roles": sorted(principal.roles),
                "team": principal.team,
                "territories": list(principal.territories),
                "rep_id": principal.rep_id,
                "via": principal.via,
                "credential_id": principal.credential_id,
            },
            AUTH_USER_ID: principal.user_id,
            AUTH_PERMISSIONS: permissions,
            **scope_configurable(self.scope),
        }
        if principal.rep_id:
            entries[REP_ID] = principal.rep_id
        return entries

    def apply(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``config`` with this actor in its ``configurable`` (the client's other keys kept)."""
        sent = config.get("configurable") or {}
        configurable = {key: value for key, value in sent.items() if key not in SERVER_KEYS}
        configurable.update(self.configurable())
        return {**config, "configurable": configurable}


async def run_actor(principal: PrincipalDep, services: AppServicesDep) -> RunActor:
    """The caller and the accounts they may see: for the config of a run this request
    creates, and for the API's own CRM reads (the territory tree read once per request)."""
    territories = services.database.identity.territories
    tree = await anyio.to_thread.run_sync(territories.tree)
    scope = account_scope(principal, tree, rep_sharing=services.settings.rep_sharing)
    return RunActor(principal=principal, scope=scope)


RunActorDep = Annotated[RunActor, Depends(run_actor)]


def check_resume_allowed(actor: RunActor, body: RunCreate) -> None:
    """Answering an interrupt (approving or rejecting a proposed action) needs
    ``approvals:decide``; starting a run does not."""
    if body.command is not None and body.command.resume is not None:
        if not permits(actor.principal, "approvals:decide"):
            raise ApiError(
                403,
                "forbidden",
                "approvals:decide is not allowed for the role(s) "
                + ", ".join(sorted(actor.principal.roles)),
            )
