"""Webhooks out: when a run ends, POST the run to the URL its creator gave.

Delivery happens in background tasks after the run's outcome is stored, so a slow or dead
receiver never delays the run, its stream or the next queued run. Each delivery has a short
timeout and a few retries with backoff on connection errors, 429 and 5xx; other answers are
final. Failures are logged, never raised.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from runtime.records import RunRecord, utcnow
from runtime.serialization import dumps

logger = logging.getLogger(__name__)

WEBHOOK_SCHEMES = ("http", "https")


def is_webhook_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host (the only kind we call)."""
    parts = urlsplit(url)
    return parts.scheme in WEBHOOK_SCHEMES and bool(parts.hostname)


def webhook_payload(
    run: RunRecord,
    *,
    values: Any,
    error: Mapping[str, Any] | None,
    started_at: datetime | None,
    ended_at: datetime,
) -> dict[str, Any]:
    """What the LangGraph server POSTs: the run, its status and times, and the final values."""
    payload: dict[str, Any] = {
        "run_id": run.run_id,
        "thread_id": run.thread_id,
        "assistant_id": run.assistant_id,
        "created_at": run.created_at,
        "updated_at": run.updated_at,
        "status": run.status,
        "metadata": run.metadata,
        "kwargs": {key: value for key, value in run.kwargs.items() if key != "temporary"},
        "multitask_strategy": run.multitask_strategy,
        "run_started_at": started_at,
        "run_ended_at": ended_at,
        "webhook_sent_at": None,
        "values": values,
    }
    if error:
        payload["error"] = f"{error.get('error')}: {error.get('message')}"
    return payload


class WebhookSender:
    """POSTs run results to webhooks in background tasks, with a timeout and retries."""

    def __init__(self, *, timeout: float = 5.0, attempts: int = 3, backoff: float = 0.5) -> None:
        self._timeout = timeout
        self._attempts = max(attempts, 1)
        self._backoff = backoff
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[bool]] = set()

    def send(self, url: str, payload: Mapping[str, Any]) -> asyncio.Task[bool]:
        """Start delivering ``payload`` to ``url``; the task answers whether it was accepted."""
        task = asyncio.create_task(self._deliver(url, dict(payload)), name=f"webhook {url}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _deliver(self, url: str, payload: dict[str, Any]) -> bool:
        if self._client is None:
            # Redirects are not followed: a receiver that moved must be reconfigured.
            self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        for attempt in range(1, self._attempts + 1):
            payload["webhook_sent_at"] = utcnow()
            try:
                response = await self._client.post(
                    url, content=dumps(payload), headers={"Content-Type": "application/json"}
                )
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 400:
                    return True
                problem = f"HTTP {response.status_code}"
                if response.status_code != 429 and response.status_code < 500:
                    break  # the receiver refused this payload: sending it again changes nothing
            if attempt < self._attempts:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        logger.warning(
            "webhook for run %s to %s failed after %d attempt(s): %s",
            payload.get("run_id"),
            url,
            attempt,
            problem,
        )
        return False

    async def aclose(self, *, grace: float = 2.0) -> None:
        """Give deliveries in flight ``grace`` seconds, cancel the rest, close the client."""
        pending = set(self._tasks)
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
