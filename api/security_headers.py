"""Headers that tell browsers to keep this server's pages to themselves, on every response.

- ``Content-Security-Policy``: scripts, styles, fonts and connections from this server only,
  so text that slips into a page (a customer's e-mail, a model's answer) can never run as
  script. Inline styles are allowed (the report and passport pages carry theirs); inline
  scripts only by the hash of the ones we ship (the calibration review page's).
- ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``: no other site can frame a page
  and trick a rep into clicking Approve (clickjacking).
- ``X-Content-Type-Options: nosniff``: a JSON or CSV answer is never run as a script.
- ``Referrer-Policy: no-referrer``: ids in our URLs are not sent to sites a page links to.
- ``Cross-Origin-Opener-Policy: same-origin``: a page another site opened cannot script ours.

FastAPI's own ``/docs`` page loads Swagger UI from its CDN with an inline script; it gets a
policy that allows exactly that.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_DOCS_CDN = "https://cdn.jsdelivr.net"


def content_security_policy(script_hashes: Iterable[str] = ()) -> str:
    """The pages' policy: this server only, plus the given inline-script hashes."""
    scripts = " ".join(["'self'", *(f"'{digest}'" for digest in script_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {_DOCS_CDN}",
        f"style-src 'self' 'unsafe-inline' {_DOCS_CDN}",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "frame-ancestors 'none'",
    ]
)
"""For FastAPI's Swagger UI and ReDoc pages, which load from a CDN with an inline script."""


class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._current = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None


def inline_script_hashes(page: Path) -> list[str]:
    """CSP ``sha256-...`` sources of the inline scripts of an HTML file we ship."""
    parser = _InlineScripts()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return [
        "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        for script in parser.scripts
    ]


class SecurityHeaders:
    """ASGI middleware: adds the headers above to every HTTP response that lacks them."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        script_hashes: Iterable[str] = (),
        docs_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)
        self.headers = {
            "Content-Security-Policy": content_security_policy(script_hashes),
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        self.docs_headers = {**self.headers, "Content-Security-Policy": DOCS_POLICY}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = self.docs_headers if scope["path"] in self.docs_paths else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in added.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
