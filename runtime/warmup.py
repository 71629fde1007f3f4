"""Warm the agents at start, in the background, so the first answer is as fast as later ones.

Loading the services (CRM store, memory, model gateway) already starts with the server; what
the first run would still pay for is done here, one step after another in worker threads:
compiling every graph, loading the embedding model and the Chroma collections (one query on
each), and loading the embedded language model (a one-token generation). ``/ok`` never waits
for it; ``/info`` reports it (:meth:`AgentWarmup.status`), and runs that start earlier simply
wait where they would have waited anyway (the model and embedding loads are locked, never
done twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from langchain_core.messages import HumanMessage

from core.settings import Settings
from runtime.graph_catalog import GraphCatalog
from runtime.service_loader import ServicesLoader

logger = logging.getLogger(__name__)

STEP_SERVICES = "services"
STEP_GRAPHS = "graphs"
STEP_MEMORY = "memory"
STEP_LANGUAGE_MODEL = "language_model"

WarmStep = tuple[str, Callable[[Any], None]]
"""A named blocking function over the built services."""


@dataclass(frozen=True)
class WarmupStatus:
    """Where the warm-up is: steps still to do, done (seconds each) and failed (why)."""

    pending: list[str]
    done: dict[str, float] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        """True once every step has finished without failing."""
        return not self.pending and not self.failed

    def as_dict(self) -> dict[str, Any]:
        state = "warming" if self.pending else ("failed" if self.failed else "ready")
        return {
            "state": state,
            "pending": list(self.pending),
            "done": {name: round(seconds, 2) for name, seconds in self.done.items()},
            "failed": dict(self.failed),
        }


class AgentWarmup:
    """Runs the warm-up once, in a background task; its progress is :meth:`status`."""

    def __init__(
        self,
        *,
        services: ServicesLoader,
        catalog: GraphCatalog,
        steps: Sequence[WarmStep] = (),
    ) -> None:
        self._services = services
        self._catalog = catalog
        self._steps = list(steps)
        self._pending = [STEP_SERVICES, STEP_GRAPHS, *(name for name, _ in self._steps)]
        self._done: dict[str, float] = {}
        self._failed: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin warming; idempotent."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="warm-up-agents")

    def status(self) -> WarmupStatus:
        return WarmupStatus(list(self._pending), dict(self._done), dict(self._failed))

    async def aclose(self) -> None:
        """Stop warming (a step running in a worker thread is left to finish on its own)."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        started = time.perf_counter()
        loaded, services = await self._step(STEP_SERVICES, self._services.get)
        if not loaded:
            self._fail_rest("the agent services did not load")
            return
        await self._step(STEP_GRAPHS, self._compile_graphs)
        for name, warm in self._steps:
            await self._step(name, _in_thread(warm, services))
        if self._failed:
            logger.warning("warm-up finished with failures: %s", self._failed)
        else:
            logger.info("agents warmed in %.1f s", time.perf_counter() - started)

    async def _step(self, name: str, work: Callable[[], Awaitable[Any]]) -> tuple[bool, Any]:
        """Run one step; (True, its result), or (False, None) with the failure recorded.

        A failed step does not stop the others: a run would meet the same failure and report
        it, and /info says which step failed and why.
        """
        started = time.perf_counter()
        try:
            result = await work()
        except Exception as error:
            self._failed[name] = f"{type(error).__name__}: {error}"
            logger.warning("warm-up step %s failed: %s", name, error)
            return False, None
        finally:
            self._pending.remove(name)
        self._done[name] = time.perf_counter() - started
        return True, result

    async def _compile_graphs(self) -> None:
        for spec in self._catalog.specs():
            await self._catalog.compiled(spec.graph_id)

    def _fail_rest(self, reason: str) -> None:
        for name in list(self._pending):
            self._failed[name] = reason
            self._pending.remove(name)


def _in_thread(warm: Callable[[Any], None], services: Any) -> Callable[[], Any]:
    async def run() -> None:
        # Abandoned on shutdown: a model load cannot be interrupted, and waiting for it would
        # only delay the stop.
        await anyio.to_thread.run_sync(warm, services, abandon_on_cancel=True)

    return run


def warm_memory(services: Any) -> None:
    """Load the embedding model and both Chroma collections with one query each."""
    memory = getattr(services, "memory", None)
    if memory is None:  # stand-in services without a memory: nothing to warm
        return
    memory.search_product_docs("warm up", k=1)
    memory.search_account_notes("warm up", k=1)


def language_model_step(settings: Settings) -> WarmStep | None:
    """Load the embedded model with a one-token answer through the agents' own chat model
    (the same gateway, router and model file a run uses); None for scripted or hosted models
    (a hosted model has nothing to load here, and a call would cost money)."""
    from llm.providers import is_local_model

    if not is_local_model(settings.model):
        return None

    def warm(services: Any) -> None:
        model = getattr(services, "chat_model", None)
        if model is None:  # stand-in services without a model: nothing to warm
            return
        model.invoke([HumanMessage(content="Hello")], max_tokens=1)

    return (STEP_LANGUAGE_MODEL, warm)


def default_steps(settings: Settings) -> list[WarmStep]:
    """The steps after the services and graphs: the memory, then the local language model."""
    steps: list[WarmStep] = [(STEP_MEMORY, warm_memory)]
    if (language_model := language_model_step(settings)) is not None:
        steps.append(language_model)
    return steps
