"""Threads, runs, interrupts and store items belong to the user who created them.

As the LangGraph server's auth examples do, a thread is stamped with ``metadata.owner`` (the
creator's user id) when it is created, and every read, search, update and delete of a thread,
of its runs and of its interrupts filters by it in the query. What a caller may not see is
404, like something that does not exist: whether another rep has a thread is not revealed.
Managers also see their reports' (``identity.policy.resource_scope``), admins everyone's.

Store items live in namespaces whose first label is their owner's user id (the convention of
the LangGraph server's store auth example: ``namespace[0] == ctx.user.identity``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends

from api.deps import AppServicesDep, PrincipalDep
from api.errors import ApiError
from identity.policy import resource_scope
from identity.principal import Principal
from runtime.errors import ThreadNotFound
from runtime.thread_store import OWNER_KEY, Owners, ThreadStore


@dataclass(frozen=True)
class Ownership:
    """Who is asking, and whose threads, runs and store items they may see (``owners`` is
    None for an admin: everyone's)."""

    principal: Principal
    owners: Owners

    @property
    def user_id(self) -> str:
        """The id stamped on what this caller creates."""
        return self.principal.user_id

    def sees(self, owner: str | None) -> bool:
        """Whether a thing owned by ``owner`` is visible to this caller."""
        return self.owners is None or (owner is not None and owner in self.owners)

    def stamped(self, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
        """``metadata`` with this caller as its owner; naming anyone else is a 403 (an owner
        is never taken from a client)."""
        given = dict(metadata or {})
        named = given.get(OWNER_KEY)
        if named is not None and named != self.user_id:
            raise ApiError(
                403,
                "forbidden",
                f"metadata.owner: a thread belongs to whoever creates it ({self.user_id}), "
                f"not {named!r}",
            )
        given[OWNER_KEY] = self.user_id
        return given

    async def visible_thread(self, threads: ThreadStore, thread_id: str) -> None:
        """404 unless the thread exists and this caller may see it (before touching its runs)."""
        await threads.get(thread_id, owners=self.owners)

    async def may_run_on(self, threads: ThreadStore, thread_id: str, *, creates: bool) -> None:
        """404 for a thread this caller may not see; with ``creates`` (``if_not_exists:
        create``) an id nobody has taken yet is fine, one another user took is not."""
        try:
            await self.visible_thread(threads, thread_id)
        except ThreadNotFound:
            if not creates or await threads.exists(thread_id):
                raise

    def item_namespace(self, labels: Sequence[str], *, writing: bool) -> tuple[str, ...]:
        """The namespace of one store item, checked: its first label must be the caller's user
        id (or a report's, to read, for a manager); an admin reaches every namespace."""
        namespace = tuple(labels)
        owner = namespace[0] if namespace else None
        allowed = self.owners is None or (owner == self.user_id if writing else self.sees(owner))
        if not allowed:
            raise ApiError(
                403 if writing else 404,
                "forbidden" if writing else "not_found",
                f"namespace: store items live under their owner's user id; yours begin with "
                f"[{self.user_id!r}, ...]",
            )
        return namespace

    def search_prefix(self, prefix: Sequence[str] | None) -> tuple[str, ...]:
        """The namespace prefix a store search or listing may cover: the caller's own items
        when none is given (an admin's: everything), else a checked one."""
        if not prefix:
            return () if self.owners is None else (self.user_id,)
        return self.item_namespace(prefix, writing=False)


async def ownership(principal: PrincipalDep, services: AppServicesDep) -> Ownership:
    """The caller's :class:`Ownership` (territories and users read in a worker thread, since a
    manager's reports are the users within their territories)."""
    identity = services.database.identity

    def scope() -> Owners:
        found = resource_scope(principal, identity.territories.tree(), identity.users)
        return None if found.everything else found.owner_ids

    return Ownership(principal=principal, owners=await anyio.to_thread.run_sync(scope))


OwnershipDep = Annotated[Ownership, Depends(ownership)]
