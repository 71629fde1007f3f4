"""Which accounts a reader may see, as a SQL condition the CRM store adds to its queries.

The identity policy (``identity/policy.py``) builds one from the signed-in user's role,
territories, team and rep; the store applies it in the ``WHERE`` clause of every query that
reaches an account or what hangs off one (contacts, deals, activities, notes, quotes), so an
account outside the scope is exactly as absent as an account that does not exist. Nothing
fetches every row and drops some afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from crm import models as m


@dataclass(frozen=True)
class AccountScope:
    """Accounts of any of ``regions`` (territory names, already expanded to their
    sub-territories), owned by any of ``owner_ids`` (rep ids), or owned by a rep of any of
    ``teams``; every account when ``everything``; none when all are empty."""

    everything: bool = False
    regions: frozenset[str] = frozenset()
    owner_ids: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()

    @classmethod
    def unrestricted(cls) -> AccountScope:
        """Every account: admins, the privacy officer, and code that runs for no one user."""
        return cls(everything=True)

    @property
    def is_empty(self) -> bool:
        """Whether this scope lets no account through."""
        return not (self.everything or self.regions or self.owner_ids or self.teams)

    def account_condition(self) -> ColumnElement[bool]:
        """The condition on ``accounts`` rows this scope admits."""
        if self.everything:
            return true()
        terms: list[ColumnElement[bool]] = []
        if self.regions:
            terms.append(m.Account.region.in_(sorted(self.regions)))
        if self.owner_ids:
            terms.append(m.Account.owner_id.in_(sorted(self.owner_ids)))
        if self.teams:
            team_reps = select(m.Rep.id).where(m.Rep.team.in_(sorted(self.teams)))
            terms.append(m.Account.owner_id.in_(team_reps.scalar_subquery()))
        return or_(*terms) if terms else false()

    def account_ids(self) -> Select[tuple[str]]:
        """A subquery of the ids of the accounts this scope admits (for tables that hang off an
        account: ``Contact.account_id.in_(scope.account_ids())``)."""
        return select(m.Account.id).where(self.account_condition())
