"""Data subject rights: export everything held about a person, or erase it from every store.

Each store is a :class:`SubjectDataHolder` (SQL CRM rows, the recommendation log, the consent
ledger, the Chroma memory here in ``governance``; threads, checkpoints and the LangGraph store
in ``runtime.subject_data``; calibration data in ``eval.calibration.subject_data``). A holder
exports what it holds about the person and erases it in one transaction of its own.
:class:`SubjectRights` composes them: erasure visits the holders in order, records what each
removed or why it failed, and always ends with the CRM rows, so that a failed erasure can be
run again (the contact is still found) and finishes what was left.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, partial
from typing import Any, Protocol

import anyio.to_thread
from pydantic import BaseModel, Field

from core.audit import AuditSink

logger = logging.getLogger(__name__)

REDACTED = "[erased]"


@dataclass(frozen=True)
class DataSubject:
    """The person a request is about, and the forms in which data can name them."""

    contact_id: str
    account_id: str
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Id, full name, e-mail and phone: what "mentions them" looks for (longest first)."""
        forms = {self.contact_id, self.full_name, self.email or "", self.phone or ""}
        return tuple(
            sorted((f.strip() for f in forms if len(f.strip()) >= 3), key=len, reverse=True)
        )

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        alternatives = "|".join(re.escape(form) for form in self.identifiers)
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def mentioned_in(self, text: str | None) -> bool:
        """Whether ``text`` names them (any identifier, ignoring case, as a whole word)."""
        return bool(text) and self._pattern.search(text or "") is not None

    def redact(self, text: str) -> str:
        """``text`` with every identifier replaced by ``[erased]``."""
        return self._pattern.sub(REDACTED, text)


class SubjectDataHolder(Protocol):
    """A store that can export and erase one person's data (sync or async methods)."""

    name: str

    def export(self, *, contact: DataSubject) -> Any:
        """Everything the store holds about ``contact``, as JSON-ready data."""
        ...

    def erase(self, *, contact: DataSubject) -> int | Awaitable[int]:
        """Remove it in one transaction; how many records were removed or redacted."""
        ...


class ContactIdHolder:
    """Adapts a holder whose methods take ``contact_id=`` (e.g. the calibration data)."""

    def __init__(self, name: str, target: Any) -> None:
        self.name = name
        self._target = target

    def export(self, *, contact: DataSubject) -> Any:
        return self._target.export(contact_id=contact.contact_id)

    def erase(self, *, contact: DataSubject) -> int:
        return int(self._target.erase(contact_id=contact.contact_id))


class SubjectExport(BaseModel):
    """Everything held about one person, by store."""

    contact_id: str
    exported_at: datetime
    stores: dict[str, Any] = Field(description="What each store holds about the person.")


class StoreErasure(BaseModel):
    """What one store removed, or why it could not."""

    store: str
    removed: int | None = Field(None, description="Records removed or redacted; None on failure.")
    error: str | None = None


class ErasureReceipt(BaseModel):
    """What was removed where; ``complete`` is false when any store failed (run it again)."""

    contact_id: str
    erased_at: datetime
    complete: bool
    stores: list[StoreErasure]
    kept: list[str] = Field(
        default_factory=list, description="What is deliberately kept, and in which form."
    )


KEPT = [
    "audit ledger: entries name ids and hashes only, so it stays intact and verifiable",
    "consent records: kept as proof of past consent, the contact id replaced by a keyed hash",
]


class SubjectRights:
    """Export and erasure over every holder; ``find`` turns a contact id into a subject."""

    def __init__(
        self,
        *,
        find: Callable[[str], DataSubject],
        holders: Sequence[SubjectDataHolder],
        audit: AuditSink | None = None,
    ) -> None:
        self._find = find
        self.holders = list(holders)
        self.audit = audit

    async def subject(self, contact_id: str) -> DataSubject:
        """The person; raises ``crm.errors.NotFound`` for an unknown contact."""
        return await anyio.to_thread.run_sync(self._find, contact_id)

    async def export(
        self, contact_id: str, *, actor: Mapping[str, Any] | None = None
    ) -> SubjectExport:
        """Everything every store holds about the contact, as one document; the ledger records
        that ``actor`` (default: the actor of the surrounding work) exported it."""
        contact = await self.subject(contact_id)
        stores: dict[str, Any] = {}
        for holder in self.holders:
            stores[holder.name] = await _call(holder.export, contact)
        exported = SubjectExport(
            contact_id=contact_id, exported_at=datetime.now(UTC), stores=stores
        )
        if self.audit is not None:
            payload = {"contact_ids": [contact_id], "stores": sorted(stores)}
            await anyio.to_thread.run_sync(
                partial(self.audit.append, "subject_exported", payload, actor=actor)
            )
        return exported

    async def erase(
        self, contact_id: str, *, actor: Mapping[str, Any] | None = None
    ) -> ErasureReceipt:
        """Erase the contact from every store, in order; a failing store is reported and the
        others still run (the CRM rows last, and only when all the others succeeded). The
        ledger records that ``actor`` (default: the actor of the surrounding work) did it."""
        contact = await self.subject(contact_id)
        results: list[StoreErasure] = []
        for holder in self.holders:
            if results and getattr(holder, "last", False) and any(r.error for r in results):
                results.append(StoreErasure(store=holder.name, error="skipped: a store failed"))
                continue
            try:
                removed = await _call(holder.erase, contact)
            except Exception as exc:  # reported in the receipt; the next attempt retries
                logger.error("erasing %s from %s failed", contact_id, holder.name, exc_info=exc)
                results.append(
                    StoreErasure(store=holder.name, error=f"{type(exc).__name__}: {exc}")
                )
            else:
                results.append(StoreErasure(store=holder.name, removed=int(removed)))
        receipt = ErasureReceipt(
            contact_id=contact_id,
            erased_at=datetime.now(UTC),
            complete=not any(r.error for r in results),
            stores=results,
            kept=list(KEPT),
        )
        if self.audit is not None:
            payload = {
                "contact_ids": [contact_id],  # the ledger indexes entries by the people named
                "complete": receipt.complete,
                "removed": {r.store: r.removed for r in results if r.removed is not None},
                "failed": [r.store for r in results if r.error],
            }
            await anyio.to_thread.run_sync(
                partial(self.audit.append, "subject_erased", payload, actor=actor)
            )
        return receipt


async def _call(method: Callable[..., Any], contact: DataSubject) -> Any:
    """Await an async holder method; run a blocking one in a worker thread."""
    if inspect.iscoroutinefunction(method):
        return await method(contact=contact)
    return await anyio.to_thread.run_sync(partial(method, contact=contact))
