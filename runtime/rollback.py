"""Delete the checkpoints one run wrote, so its thread is back where it was before the run.

LangGraph stores the run id in every checkpoint's metadata (it comes from the run config's
``metadata``), so a run's checkpoints are found with a metadata filter. The library declares
``adelete_for_runs`` but its SQLite and PostgreSQL savers do not implement it (LangGraph
1.2), so their rows are deleted here with the savers' own connections and table names.
"""

from __future__ import annotations

from typing import Any

from runtime.errors import RollbackUnsupported


async def delete_run_checkpoints(checkpointer: Any, *, thread_id: str, run_id: str) -> int:
    """Delete the checkpoints (every namespace) and pending writes ``run_id`` wrote on
    ``thread_id``; how many checkpoints were deleted."""
    config = {"configurable": {"thread_id": thread_id}}
    found: list[tuple[str, str]] = []
    async for item in checkpointer.alist(config, filter={"run_id": run_id}):
        configurable = item.config["configurable"]
        found.append((configurable.get("checkpoint_ns", ""), configurable["checkpoint_id"]))
    if not found:
        return 0
    try:
        await checkpointer.adelete_for_runs([run_id])
        return len(found)
    except NotImplementedError:
        pass
    kind = type(checkpointer).__name__
    if kind == "AsyncSqliteSaver":
        await _delete_sqlite(checkpointer, thread_id, found)
    elif kind == "AsyncPostgresSaver":
        await _delete_postgres(checkpointer, thread_id, found)
    else:
        raise RollbackUnsupported(f"{kind} cannot delete the checkpoints of one run")
    return len(found)


async def _delete_sqlite(saver: Any, thread_id: str, found: list[tuple[str, str]]) -> None:
    rows = [(thread_id, namespace, checkpoint_id) for namespace, checkpoint_id in found]
    async with saver.lock, saver.conn.cursor() as cursor:
        for table in ("writes", "checkpoints"):
            await cursor.executemany(
                f"DELETE FROM {table} WHERE thread_id = ? AND checkpoint_ns = ? "
                "AND checkpoint_id = ?",
                rows,
            )
        await saver.conn.commit()


async def _delete_postgres(saver: Any, thread_id: str, found: list[tuple[str, str]]) -> None:
    rows = [(thread_id, namespace, checkpoint_id) for namespace, checkpoint_id in found]
    # Blobs are shared between checkpoints by channel version; orphans are harmless and small.
    async with saver._cursor(pipeline=True) as cursor:  # the saver's own connection and lock
        for table in ("checkpoint_writes", "checkpoints"):
            await cursor.executemany(
                f"DELETE FROM {table} WHERE thread_id = %s AND checkpoint_ns = %s "
                "AND checkpoint_id = %s",
                rows,
            )
