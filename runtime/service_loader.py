"""Build the agent services (CRM store, memory, chat model) once, off the event loop, in the
background, so the server answers requests while models load."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Literal

import anyio.to_thread

from runtime.errors import ServicesUnavailable

logger = logging.getLogger(__name__)

ServicesState = Literal["idle", "loading", "ready", "failed"]


class ServicesLoader:
    """Starts ``factory()`` in a worker thread and hands out its result to whoever awaits it."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._task: asyncio.Task[Any] | None = None

    def start(self) -> None:
        """Begin building the services; idempotent."""
        if self._task is None:
            self._task = asyncio.create_task(
                anyio.to_thread.run_sync(self._factory), name="build-agent-services"
            )
            self._task.add_done_callback(_log_failure)

    @property
    def state(self) -> ServicesState:
        """Whether the services are not started, loading, ready or failed."""
        if self._task is None:
            return "idle"
        if not self._task.done():
            return "loading"
        if self._task.cancelled() or self._task.exception() is not None:
            return "failed"
        return "ready"

    async def get(self) -> Any:
        """The services, waiting for them if they are still loading."""
        self.start()
        assert self._task is not None
        try:
            # Shielded: a cancelled request must not cancel the build other requests wait for.
            return await asyncio.shield(self._task)
        except asyncio.CancelledError:
            if self._task.cancelled():
                raise ServicesUnavailable("loading the agent services was cancelled") from None
            raise
        except Exception as exc:
            raise ServicesUnavailable(
                f"the agent services failed to load: {type(exc).__name__}: {exc}"
            ) from exc

    async def aclose(self) -> None:
        """Close the services if they were built (``close()`` runs in a worker thread)."""
        task = self._task
        if task is None:
            return
        if not task.done():
            # A worker thread cannot be interrupted: let it finish, unobserved, and move on.
            logger.warning("shutting down while the agent services are still loading")
            task.add_done_callback(_close_when_built)
            return
        if not task.cancelled() and task.exception() is None:
            await anyio.to_thread.run_sync(_close, task.result())


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        logger.error("the agent services failed to load", exc_info=exc)


def _close(services: Any) -> None:
    close = getattr(services, "close", None)
    if callable(close):
        close()


def _close_when_built(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is None:
        _close(task.result())
