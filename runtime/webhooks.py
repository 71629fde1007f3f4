"""Webhooks out: when a run ends, POST the run to the URL its creator gave.

Delivery happens in background tasks after the run's outcome is stored, so a slow or dead
receiver never delays the run, its stream or the next queued run. Each delivery has a short
timeout and a few retries with backoff on connection errors, 429 and 5xx; other answers are
final. Failures are logged, never raised.

The URL is checked when the run is created (:meth:`WebhookSender.admit`, a 422 for the
client) and again at delivery, where the call goes to the address the check approved: see
:mod:`runtime.outbound_urls`. Redirects are not followed, so a receiver cannot bounce the
call to an internal address.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from runtime.errors import WebhookRefused
from runtime.outbound_urls import (
    OUTBOUND_SCHEMES,
    ApprovedUrl,
    OutboundPolicy,
    OutboundUrlRefused,
)
from runtime.records import RunRecord, utcnow
from runtime.serialization import dumps

logger = logging.getLogger(__name__)

WEBHOOK_SCHEMES = OUTBOUND_SCHEMES


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


def pinned_request(approved: ApprovedUrl) -> tuple[str, dict[str, str], dict[str, Any]]:
    """URL, headers and httpx extensions that reach the approved address while the receiver
    still sees its own host name (Host header; TLS server name and certificate check)."""
    parts = urlsplit(approved.url)
    address = str(approved.address)
    netloc = f"[{address}]" if approved.address.version == 6 else address
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    host_header = parts.netloc
    extensions: dict[str, Any] = {}
    if parts.scheme == "https":
        extensions["sni_hostname"] = approved.host
    return parts._replace(netloc=netloc).geturl(), {"Host": host_header}, extensions


class WebhookSender:
    """POSTs run results to webhooks in background tasks, with a timeout and retries."""

    def __init__(
        self,
        *,
        outbound: OutboundPolicy | None = None,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.5,
    ) -> None:
        # Without a policy, only public addresses are called.
        self._outbound = outbound or OutboundPolicy()
        self._timeout = timeout
        self._attempts = max(attempts, 1)
        self._backoff = backoff
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[bool]] = set()

    async def admit(self, url: str | None) -> None:
        """Raise :class:`WebhookRefused` when ``url`` is a webhook this server will not call."""
        if url is not None:
            try:
                await asyncio.to_thread(self._outbound.check, url)
            except OutboundUrlRefused as exc:
                raise WebhookRefused(url, str(exc)) from None

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
        try:
            # Checked again: the host's addresses may have changed since the run was created.
            approved = await asyncio.to_thread(self._outbound.check, url)
        except OutboundUrlRefused as exc:
            logger.warning("webhook for run %s not sent: %s", payload.get("run_id"), exc)
            return False
        target, headers, extensions = pinned_request(approved)
        headers["Content-Type"] = "application/json"
        for attempt in range(1, self._attempts + 1):
            payload["webhook_sent_at"] = utcnow()
            try:
                response = await self._client.post(
                    target, content=dumps(payload), headers=headers, extensions=extensions
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
