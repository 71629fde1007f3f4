"""``crm-agents calibrate demo`` end to end at a small scale, then report / export / refit on it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from eval.calibration.demo_month import SIX_AGENTS

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calibration-demo") / "cycle"
    result = runner.invoke(
        app,
        ["calibrate", "demo", "--out", str(out), "--scale", "0.15", "--runs", "2", "--rate", "0.6"],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def demo_settings(demo_out: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The CLI pointed at the demo's own database."""
    monkeypatch.setenv("CRM_AGENTS_DATA_DIR", str(demo_out / "data"))
    get_settings.cache_clear()
    yield demo_out
    get_settings.cache_clear()


@pytest.mark.slow
def test_the_demo_writes_every_file_under_its_folder_and_meets_the_ece_bar(demo_out: Path) -> None:
    cycle = json.loads((demo_out / "cycle.json").read_text(encoding="utf-8"))
    for path in (
        demo_out / "report" / "report.html",
        demo_out / "report" / "summary.json",
        demo_out / "export" / "calibration.jsonl",
        demo_out / "export" / "calibration.parquet",
        demo_out / "data" / "crm.db",
    ):
        assert path.is_file(), path
    assert cycle["recommendations"] > 0 and cycle["panel"]["reviews"] > 100
    assert cycle["panel"]["items_with_two_reviewers"] > 0
    # The bar: one refit lowers held-out ECE by at least a third.
    assert cycle["heldout_ece_drop"] >= 1 / 3, cycle["refit"]["heldout"]
    summary = json.loads((demo_out / "report" / "summary.json").read_text(encoding="utf-8"))
    assert summary["ece_calibrated"] < summary["ece_raw"]
    # Every agent is sampled and judged: none of the panel's items is skipped for lack of truth.
    assert set(summary["per_agent"]) == set(SIX_AGENTS)
    for agent, group in summary["per_agent"].items():
        assert group["items"] >= 3 and group["scores"] >= group["items"], agent
        assert group["skips"] == 0, agent
    assert cycle["panel"]["skips"] == 0
    assert cycle["items_per_agent"] == {a: summary["per_agent"][a]["items"] for a in SIX_AGENTS}
    # Technical Q&A's answers carry the metrics that need no judge model.
    qa = summary["qa"]
    assert qa["judged"] is False and qa["context_samples"] > 0
    assert 0 <= qa["context_precision"] <= 1 and 0 <= qa["context_recall"] <= 1
    assert qa["reference_samples"] > 0 and 0 < qa["rouge_l"] <= 1
    # One month only: the report says there is nothing to compare drift with.
    assert summary["previous_period"] is None
    html = (demo_out / "report" / "report.html").read_text(encoding="utf-8")
    assert "No previous month to compare" in html
    rows = pq.read_table(demo_out / "export" / "calibration.parquet").num_rows
    assert rows == cycle["export"]["rows"] > 0
    assert rows + cycle["export"]["excluded_items"] == summary["batch"]["items"]


@pytest.mark.slow
def test_report_export_and_refit_commands_on_the_demo_database(
    demo_settings: Path, tmp_path: Path
) -> None:
    batch_id = json.loads((demo_settings / "cycle.json").read_text(encoding="utf-8"))["batch_id"]
    result = runner.invoke(
        app, ["calibrate", "report", "--batch", batch_id, "--out", str(tmp_path / "r")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "report.html").is_file() and (
        tmp_path / "r" / "summary.json"
    ).is_file()

    result = runner.invoke(
        app, ["calibrate", "export", "--batch", batch_id, "--out", str(tmp_path / "e")]
    )
    assert result.exit_code == 0, result.output
    exported = (tmp_path / "e" / "calibration.jsonl").read_text(encoding="utf-8")
    assert exported == (demo_settings / "export" / "calibration.jsonl").read_text(encoding="utf-8")

    result = runner.invoke(app, ["calibrate", "refit", "--batch", batch_id, "--json"])
    assert result.exit_code == 0, result.output
    refit = json.loads(result.stdout)
    assert {a["method"] for a in refit["refit"]["agents"].values()} <= {"platt", "isotonic"}


@pytest.mark.slow
def test_unknown_batch_and_used_folder_are_refused(demo_settings: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["calibrate", "report", "--batch", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "nope" in result.output
    result = runner.invoke(
        app, ["calibrate", "demo", "--out", str(demo_settings), "--scale", "0.05"]
    )
    assert result.exit_code == 1 and "empty folder" in result.output
