"""``crm-agents serve --host``: the app it starts answers to the address it listens on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from server import create_app

pytestmark = pytest.mark.anyio

runner = CliRunner()


@pytest.fixture
def started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """What ``serve`` passed to uvicorn, which does not run."""
    import uvicorn

    monkeypatch.setenv("CRM_AGENTS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    yield calls
    get_settings.cache_clear()


async def test_the_server_answers_to_the_address_given_on_the_command_line(
    started: list[dict[str, Any]],
) -> None:
    served = runner.invoke(app, ["serve", "--host", "10.0.0.5", "--port", "8123"])
    assert served.exit_code == 0, served.output
    assert "reachable from other machines" in served.stderr
    call = started[0]
    assert (call["host"], call["port"], call["factory"]) == ("10.0.0.5", 8123, True)
    # What uvicorn builds from "server:create_app" in the same process.
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://10.0.0.5:8123") as client:
        assert (await client.get("/ok")).status_code == 200
        foreign = await client.get("/ok", headers={"Host": "attacker.example"})
        assert foreign.status_code == 400 and foreign.json()["code"] == "host_not_allowed"
