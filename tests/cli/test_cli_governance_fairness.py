"""``crm-agents governance fairness``, in-process with typer's CliRunner, over a small demo world."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from tests.support.budget_world import AS_OF, build_world

runner = CliRunner()


def _use_data_dir(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.setenv("CRM_AGENTS_DATA_DIR", str(data_dir))
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the budget tests' small demo CRM (crm.db)."""
    folder = tmp_path_factory.mktemp("fairness-cli")
    build_world(folder).engine.dispose()
    return folder


@pytest.fixture
def seeded(world_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    _use_data_dir(monkeypatch, world_dir)
    yield world_dir
    get_settings.cache_clear()


def scan(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["governance", "fairness", "--as-of", AS_OF.isoformat(), *args])
    return result.exit_code, result.output


def test_the_command_is_listed_in_the_governance_group() -> None:
    result = runner.invoke(app, ["governance", "--help"])
    assert result.exit_code == 0 and "fairness" in result.output


@pytest.mark.slow
def test_the_scan_writes_json_and_html_and_finds_no_bias(seeded: Path, tmp_path: Path) -> None:
    code, output = scan("--sample", "30", "--seed", "5", "--out", str(tmp_path / "out"), "--json")
    assert code == 0, output
    printed = json.loads(output[output.index("{") :])
    written = json.loads((tmp_path / "out" / "fairness.json").read_text("utf-8"))
    assert printed["verdict"] == written["verdict"] == "no_bias_detected"
    assert printed["deals_scanned"] == 30 and printed["seed"] == 5
    assert {r["region"] for r in written["regions"]} == {
        "East",
        "North",
        "South",
        "Central",
        "West",
    }
    page = (tmp_path / "out" / "fairness.html").read_text("utf-8")
    assert "No regional bias detected" in page and "data:image/png;base64," in page


def test_a_small_sample_is_insufficient_data_not_a_pass(seeded: Path) -> None:
    code, output = scan("--sample", "5", "--seed", "5")
    assert code == 3, output
    assert "insufficient data" in output and "pass" not in output


def test_an_empty_crm_gives_no_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_data_dir(monkeypatch, tmp_path / "empty")
    try:
        code, output = scan("--json")
    finally:
        get_settings.cache_clear()
    assert code == 3, output
    report = json.loads(output[output.index("{") :])
    assert report["deals_available"] == 0 and report["verdict"] == "insufficient_data"


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--sample", "0"], "--sample"), (["--as-of", "yesterday"], "ISO date")],
)
def test_bad_options_are_refused(seeded: Path, args: list[str], message: str) -> None:
    code, output = scan(*args)
    assert code == 2 and message in output
