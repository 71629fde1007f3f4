"""The signed-in user (or application) a request acts for.

One value travels from authentication to every place that must know who is asking: the
policy (what they may do), the stores' query filters (what they may see), each run's context
(what the agents' tools may read) and every ledger entry (who did it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["rep", "manager", "evaluator", "privacy_officer", "admin", "application"]
ROLES: tuple[Role, ...] = ("rep", "manager", "evaluator", "privacy_officer", "admin", "application")

# How the request proved who it is: a browser session, an API key, an SSO token, or a
# LangGraph ``Auth`` object the operator configured.
Via = Literal["session", "api_key", "sso", "custom"]


@dataclass(frozen=True)
class Principal:
    """Who is asking: identity, roles and the scope the policy derives filters from.

    ``territories`` are territory names (a territory covers its sub-territories); ``rep_id`` is
    the CRM rep this user is, when they are one (their own accounts are those it owns);
    ``credential_id`` names the API key or session used, never the secret itself.
    """

    user_id: str
    name: str
    roles: frozenset[Role]
    via: Via
    team: str | None = None
    territories: tuple[str, ...] = ()
    rep_id: str | None = None
    credential_id: str | None = None
    display_name: str | None = None
    # Claims a custom or SSO authenticator returned beyond the ones mapped above.
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def has_role(self, *roles: Role) -> bool:
        """Whether any of ``roles`` is one of this principal's."""
        return any(role in self.roles for role in roles)

    def actor(self) -> dict[str, object]:
        """What a ledger entry, a review or a decision records as its actor."""
        return {
            "user_id": self.user_id,
            "name": self.name,
            "roles": sorted(self.roles),
            "via": self.via,
            "credential_id": self.credential_id,
        }
