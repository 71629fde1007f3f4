"""Which request bodies the API reads: JSON only, and no larger than the configured limit.

Checked before any route runs: a declared ``Content-Length`` over the limit is refused at once,
and a body without one (chunked) is counted while it is read, so neither can exhaust memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# DELETE too: the store API deletes items named in a JSON body.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class RequestBodyGuard:
    """ASGI middleware: 413 for bodies over ``max_bytes``, 415 for bodies that are not JSON.

    ``other_bodies`` lists (path pattern, media types) of the few routes that read another
    type (the calibration scores import reads CSV); they still get the size limit.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        other_bodies: Sequence[tuple[re.Pattern[str], frozenset[str]]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.other_bodies = tuple(other_bodies)

    def _accepts(self, path: str, content_type: str) -> bool:
        if _is_json(content_type):
            return True
        media_type = content_type.split(";", 1)[0].strip().lower()
        return any(
            media_type in types and pattern.match(path) for pattern, types in self.other_bodies
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value for key, value in scope["headers"]}
        declared = headers.get("content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                await _refuse(send, 400, "bad_request", "Content-Length is not a number")
                return
            if too_large:
                await self._too_large(send)
                return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > self.max_bytes:
                await self._too_large(send)
                return
            if not message.get("more_body", False):
                break
        content_type = headers.get("content-type", b"").decode("latin-1")
        # An empty body needs no type (the client's cancel sends none); FastAPI leaves a body
        # without a JSON type unparsed, so refusing it here says what is actually wrong.
        if body and not self._accepts(scope["path"], content_type):
            sent = repr(content_type) if content_type else "no Content-Type"
            await _refuse(
                send,
                415,
                "unsupported_media_type",
                f"request bodies must be sent as application/json, not {sent}",
            )
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _too_large(self, send: Send) -> None:
        await _refuse(
            send,
            413,
            "request_too_large",
            f"request body is larger than the {self.max_bytes} bytes this server accepts",
        )


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands out the buffered body once, then the client's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        # Later calls wait for the disconnect, which streaming responses listen for.
        return await receive()

    return replay


async def _refuse(send: Send, status: int, code: str, detail: str) -> None:
    payload = json.dumps({"detail": detail, "code": code}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
