"""Every store of the process as one :class:`governance.subject_rights.SubjectRights`: the
server's (threads through its running runtime) and the CLI's (threads read directly)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread

from composition.database import SharedDatabase
from core.settings import Settings
from crm.db import session_factory
from eval.calibration.subject_data import CalibrationSubjectData
from governance.subject_actions import ActionSubjectData
from governance.subject_memory import MemorySource, MemorySubjectData
from governance.subject_rights import ContactIdHolder, SubjectDataHolder, SubjectRights
from governance.subject_sql import (
    ConsentSubjectData,
    CRMSubjectData,
    RecommendationSubjectData,
    find_subject,
)
from memory import Memory
from runtime.agent_runtime import AgentRuntime
from runtime.checkpoints import open_checkpointer, open_graph_store
from runtime.run_store import RunStore
from runtime.subject_data import StoreSubjectData, ThreadSubjectData
from runtime.thread_store import ThreadStore


def _subject_rights(
    threads: ThreadSubjectData,
    *,
    store: object,
    memory: MemorySource,
    database: SharedDatabase,
) -> SubjectRights:
    engine = database.engine
    # The CRM rows come last: until they go, a failed erasure can be found and run again.
    holders: list[SubjectDataHolder] = [
        threads,
        StoreSubjectData(store),
        MemorySubjectData(memory),
        ContactIdHolder("calibration", CalibrationSubjectData(engine)),
        ActionSubjectData(engine),
        RecommendationSubjectData(engine),
        ConsentSubjectData(database.consent),
        CRMSubjectData(engine),
    ]
    return SubjectRights(
        find=lambda contact_id: find_subject(engine, contact_id),
        holders=holders,
        audit=database.audit.ledger,  # each erasure leaves a subject_erased entry
    )


def served_subject_rights(runtime: AgentRuntime, database: SharedDatabase) -> SubjectRights:
    """The server's: erasing a thread goes through the runtime, which stops its active runs."""

    async def memory() -> Memory | None:
        services = await runtime.services.get()
        found = getattr(services, "memory", None)  # test doubles may hold no memory
        return found if isinstance(found, Memory) else None

    threads = ThreadSubjectData(
        threads=runtime.threads.store,
        checkpointer=runtime.checkpointer,
        delete_thread=runtime.threads.delete,
        runs=runtime.runs,
    )
    return _subject_rights(threads, store=runtime.store, memory=memory, database=database)


@asynccontextmanager
async def open_offline_subject_rights(
    settings: Settings, database: SharedDatabase
) -> AsyncIterator[SubjectRights]:
    """Without a server (the CLI): threads, checkpoints and the store are read directly and the
    memory opened on first use. Runs of a server working on the same data are not stopped:
    erase through the API while a server runs."""
    opened: list[Memory] = []

    async def memory() -> Memory:
        if not opened:
            opened.append(await anyio.to_thread.run_sync(Memory.from_settings, settings))
        return opened[0]

    async with open_checkpointer(settings) as checkpointer, open_graph_store(settings) as store:
        sessions = session_factory(database.write_locking)
        threads = ThreadSubjectData(
            threads=ThreadStore(sessions), checkpointer=checkpointer, runs=RunStore(sessions)
        )
        yield _subject_rights(threads, store=store, memory=memory, database=database)
