"""Webhook delivery: retries with backoff on 5xx and connection errors, none on 4xx, a
timeout per attempt, and a bounded wait at shutdown."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import orjson
import pytest

from runtime.errors import WebhookRefused
from runtime.outbound_urls import OutboundPolicy
from runtime.records import RunRecord
from runtime.webhooks import WebhookSender, is_webhook_url, webhook_payload

pytestmark = pytest.mark.anyio

# The receivers listen on loopback, which webhooks may only reach when allowed.
LOOPBACK = OutboundPolicy(["127.0.0.1"])


class _Receiver:
    """A raw loopback HTTP receiver: answers each request with the next status, after a delay."""

    def __init__(self, statuses: list[int], delay: float = 0.0) -> None:
        self.statuses = statuses
        self.delay = delay
        self.bodies: list[bytes] = []
        self.heads: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return  # a delivery cancelled while it was connecting (the shutdown test)
        self.heads.append(head)
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        self.bodies.append(await reader.readexactly(length))
        await asyncio.sleep(self.delay)
        status = self.statuses.pop(0) if self.statuses else 200
        writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n".encode())
        await writer.drain()
        writer.close()


async def _serve(receiver: _Receiver) -> AsyncIterator[str]:
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hook"


@pytest.fixture
async def flaky() -> AsyncIterator[tuple[_Receiver, str]]:
    receiver = _Receiver([500, 429])
    async for url in _serve(receiver):
        yield receiver, url


def test_only_absolute_http_urls_are_webhooks() -> None:
    assert is_webhook_url("http://127.0.0.1:9/x") and is_webhook_url("https://crm.example/h")
    for bad in ("ftp://host/x", "/relative", "http://", "file:///etc/passwd", "localhost:80"):
        assert not is_webhook_url(bad), bad


def test_the_payload_is_the_run_with_times_values_and_the_error_as_text() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    run = RunRecord(
        run_id="r",
        thread_id="t",
        assistant_id="a",
        graph_id="g",
        created_at=now,
        updated_at=now,
        status="error",
        metadata={"k": 1},
        kwargs={"webhook": "http://h/x", "temporary": True},
        multitask_strategy="reject",
        error={"error": "ValueError", "message": "boom"},
    )
    payload = webhook_payload(
        run, values={"step": 1}, error=run.error, started_at=now, ended_at=now
    )
    assert payload["error"] == "ValueError: boom" and payload["values"] == {"step": 1}
    assert payload["kwargs"] == {"webhook": "http://h/x"} and payload["status"] == "error"


async def test_5xx_and_429_are_retried_until_accepted(flaky: tuple[_Receiver, str]) -> None:
    receiver, url = flaky
    sender = WebhookSender(outbound=LOOPBACK, attempts=3, backoff=0.01)
    assert await sender.send(url, {"run_id": "r"}) is True
    assert len(receiver.bodies) == 3
    assert orjson.loads(receiver.bodies[-1])["run_id"] == "r"
    await sender.aclose()


async def test_4xx_is_final_and_slow_receivers_time_out() -> None:
    refusing = _Receiver([404])
    async for url in _serve(refusing):
        sender = WebhookSender(outbound=LOOPBACK, attempts=3, backoff=0.01)
        assert await sender.send(url, {"run_id": "r"}) is False
        assert len(refusing.bodies) == 1
        await sender.aclose()
    slow = _Receiver([], delay=1.0)
    async for url in _serve(slow):
        sender = WebhookSender(outbound=LOOPBACK, timeout=0.1, attempts=2, backoff=0.01)
        # Each attempt times out (a delivery the receiver answered late would count as sent).
        assert await sender.send(url, {"run_id": "r"}) is False
        assert len(slow.bodies) == 2
        await sender.aclose()


async def test_shutdown_waits_briefly_then_cancels_deliveries() -> None:
    slow = _Receiver([], delay=5.0)
    async for url in _serve(slow):
        sender = WebhookSender(outbound=LOOPBACK, timeout=10, attempts=1)
        delivery = sender.send(url, {"run_id": "r"})
        await sender.aclose(grace=0.1)
        # Cancelled at the end of the grace period: had it waited for the receiver (5 s), the
        # delivery would have succeeded. No wall-clock assert: it flaked on a loaded machine.
        assert delivery.done()
        assert delivery.cancelled() or delivery.result() is False


async def test_a_loopback_webhook_is_not_called_unless_allowed() -> None:
    receiver = _Receiver([])
    async for url in _serve(receiver):
        sender = WebhookSender(attempts=1)
        with pytest.raises(WebhookRefused, match="loopback address"):
            await sender.admit(url)
        # Checked again at delivery (the run was created before the check could see it).
        assert await sender.send(url, {"run_id": "r"}) is False
        assert receiver.bodies == []
        await sender.aclose()


async def test_delivery_goes_to_the_checked_address_under_the_receivers_own_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The name resolves to loopback (allowed here) when checked; the call must reach that
    # address, not whatever a second lookup would answer, and still say which host it wants.
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, 1, 6, "", ("127.0.0.1", 0))]
    )
    receiver = _Receiver([307])
    async for url in _serve(receiver):
        named = url.replace("127.0.0.1", "hooks.example")
        sender = WebhookSender(outbound=LOOPBACK, attempts=2, backoff=0.01)
        await sender.admit(named)
        assert await sender.send(named, {"run_id": "r"}) is True
        # One call: the redirect is not followed.
        assert len(receiver.heads) == 1
        assert f"host: {urlsplit(named).netloc}" in receiver.heads[0].decode().lower()
        await sender.aclose()
