"""Fixtures of the browser tests: the server in a subprocess over a small demo CRM (scripted
model, hashed embeddings) copied from a template seeded once per test process, and Debian's
Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from tests.support.credentials import provision, sign_in_page
from tests.support.demo_template import copy_hashed_demo_data

ROOT = Path(__file__).resolve().parents[2]
# Run as a module from ROOT, so that it imports the project and tests.support as the tests do.
SERVER_MODULE = "tests.web._web_server"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "web"
STARTUP_SECONDS = 180
USER = "pat"
PASSWORD = "the browser tests' password"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebServer:
    """A server process on a loopback port; ``stop()`` kills it (the error-state test)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "server.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        settings = Settings(_env_file=None, data_dir=data_dir)
        # The demo the server would seed and index at start, copied from a template built once
        # per test process: every server starts on the same data, seconds sooner.
        copy_hashed_demo_data(settings)
        # The browser signs in as this user on the sign-in page; .api() uses the admin key.
        self.credentials = provision(
            settings,
            user=USER,
            roles=("admin",),
            password=PASSWORD,
            display_name="Pat Admin",
        )
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", SERVER_MODULE, str(data_dir), str(self.port)],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/ok", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the server did not start:\n{self.log.read_text()[-3000:]}")

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.credentials.headers, **kwargs.pop("headers", {})}
        response = httpx.request(method, f"{self.url}{path}", timeout=30, headers=headers, **kwargs)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


@contextmanager
def running_server(data_dir: Path) -> Iterator[WebServer]:
    server = WebServer(data_dir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """One server for the browser tests that leave it running."""
    with running_server(tmp_path_factory.mktemp("web")) as server:
        yield server


@pytest.fixture(scope="session")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Any]:
    """Start a server of one's own (``with start_server() as server``)."""
    return lambda: running_server(tmp_path_factory.mktemp("web-own"))


# Module scope, not session: Playwright's sync API keeps an event loop running on the main thread
# while it is started, and under pytest-xdist a worker runs other modules (whose tests start
# event loops of their own) between the browser modules.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("Debian's Chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """``open_page(server, width=1280, height=800)``: a fresh page on the chat; console errors
    are collected in ``page.errors``."""
    contexts: list[Any] = []

    def open_(server: WebServer, *, width: int = 1280, height: int = 800) -> Any:
        # Playwright's wait_for_function evaluates its predicate from a string, which the
        # pages' Content-Security-Policy forbids (no 'unsafe-eval'); test_web_content_security
        # checks the pages under their policy.
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        sign_in_page(page, server.url, USER, PASSWORD)
        page.wait_for_selector("#assistant:not([disabled])")
        page.wait_for_selector(".account-name", state="attached")
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Save a full-page screenshot under test-artifacts/web/ for review."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
