"""A minimal HTTP/1.1 client on asyncio streams, so the benchmark's own CPU cost stays small
next to the servers' (both share this machine's cores): keep-alive requests with a
Content-Length or chunked body, and server-sent events read as they arrive."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import orjson

READ_LIMIT = 1 << 20


class HttpError(RuntimeError):
    """The server answered with a status other than 2xx, or broke the protocol."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


@dataclass(frozen=True)
class Event:
    """One server-sent event and when it arrived (``time.perf_counter``)."""

    name: str
    data: str
    at: float


class Connection:
    """One keep-alive connection to ``127.0.0.1:port``; requests on it run one at a time, each
    with ``headers`` (a client's credentials)."""

    def __init__(
        self, port: int, *, host: str = "127.0.0.1", headers: Mapping[str, str] | None = None
    ) -> None:
        self.host, self.port = host, port
        self._extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port, limit=READ_LIMIT
            )
        return self._reader, self._writer

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        self._reader = self._writer = None

    async def _send(self, method: str, path: str, payload: object | None, accept: str) -> None:
        _, writer = await self._open()
        body = b"" if payload is None else orjson.dumps(payload)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Accept: {accept}\r\nContent-Length: {len(body)}\r\n{self._extra}"
        )
        if payload is not None:
            head += "Content-Type: application/json\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()

    async def _head(self) -> tuple[int, dict[str, str]]:
        reader, _ = await self._open()
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip().lower()] = value.strip()
        return status, headers

    async def _pieces(self, headers: dict[str, str]) -> AsyncIterator[bytes]:
        reader, _ = await self._open()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    return
                yield await reader.readexactly(size)
                await reader.readexactly(2)
        elif "content-length" in headers:
            yield await reader.readexactly(int(headers["content-length"]))
        else:
            while piece := await reader.read(65536):
                yield piece
            await self.close()

    async def request(self, method: str, path: str, payload: object | None = None) -> Response:
        """Send a request and read the whole answer; :class:`HttpError` unless 2xx."""
        await self._send(method, path, payload, "application/json")
        status, headers = await self._head()
        body = b"".join([piece async for piece in self._pieces(headers)])
        if headers.get("connection", "").lower() == "close":
            await self.close()
        if not 200 <= status < 300:
            raise HttpError(f"{method} {path}: {status} {body[:300]!r}")
        return Response(status, headers, body)

    async def events(
        self, method: str, path: str, payload: object | None = None
    ) -> AsyncIterator[Event]:
        """Send a request and yield its server-sent events as they arrive (comments skipped)."""
        await self._send(method, path, payload, "text/event-stream")
        status, headers = await self._head()
        if not 200 <= status < 300:
            body = b"".join([piece async for piece in self._pieces(headers)])
            raise HttpError(f"{method} {path}: {status} {body[:300]!r}")
        buffer = b""
        async for piece in self._pieces(headers):
            buffer += piece.replace(b"\r\n", b"\n")
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                event = _parse_event(block.decode())
                if event is not None:
                    yield event


def _parse_event(block: str) -> Event | None:
    name, data = "message", []
    for line in block.split("\n"):
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if not data and name == "message":
        return None  # a comment (heartbeat)
    return Event(name=name, data="\n".join(data), at=time.perf_counter())
