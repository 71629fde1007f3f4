"""``crm-agents calibrate sample | import-scores | metrics`` in-process with typer's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from crm.db import make_engine, migrate
from tests.support.calibration_world import fill_log

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder whose database holds two months of recommendations."""
    monkeypatch.setenv("CRM_AGENTS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    url = get_settings().resolved_database_url
    migrate(url)
    engine = make_engine(url)
    fill_log(engine)
    engine.dispose()
    yield tmp_path / "data"
    get_settings.cache_clear()


def _sample(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["calibrate", "sample", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sample_is_reproducible_and_covers_every_stratum(data_dir: Path) -> None:
    first = _sample("--period", "2026-10", "--seed", "7", "--min-per-stratum", "2")
    again = _sample("--period", "2026-10", "--seed", "7", "--min-per-stratum", "2")
    assert first["strata"] == again["strata"] and first["population"] == 962
    assert {key.split("/")[0] for key in first["strata"]} == {
        "technical_qa",
        "budget",
        "lead_scoring",
        "relationships",
    }
    table = runner.invoke(app, ["calibrate", "sample", "--period", "2026-11"])
    assert table.exit_code == 0, table.output
    assert "relationships/band-" in table.output and "items sampled from" in table.output


def test_sample_refuses_bad_input(data_dir: Path) -> None:
    empty = runner.invoke(app, ["calibrate", "sample", "--period", "2025-01"])
    assert empty.exit_code == 1 and "no recommendations" in empty.output
    bad = runner.invoke(app, ["calibrate", "sample", "--period", "2026-13"])
    assert bad.exit_code == 1 and "YYYY-MM" in bad.output
    rate = runner.invoke(app, ["calibrate", "sample", "--rate", "2"])
    assert rate.exit_code == 2  # typer's own range check


def test_import_scores_then_metrics(data_dir: Path, tmp_path: Path) -> None:
    batch = _sample("--period", "2026-10")
    bad = tmp_path / "bad.csv"
    bad.write_text("position,reviewer,score,correct\n0,ann,5,true\n1,ann,8,true\n")
    refused = runner.invoke(app, ["calibrate", "import-scores", str(batch["id"]), str(bad)])
    assert refused.exit_code == 1
    assert "bad.csv:3: score" in refused.output and "nothing imported" in refused.output

    good = tmp_path / "scores.csv"
    rows = ["position,reviewer,score,correct"]
    rows += [f"{n},ann,{n % 5 + 1},{n % 2 == 0}" for n in range(int(batch["items"]))]
    rows += [f"{n},bob,{(n + 1) % 5 + 1},{n % 3 == 0}" for n in range(10)]
    good.write_text("\n".join(rows) + "\n")
    imported = runner.invoke(app, ["calibrate", "import-scores", str(batch["id"]), str(good)])
    assert imported.exit_code == 0, imported.output
    assert f"imported {int(batch['items']) + 10} scores" in imported.output

    shown = runner.invoke(app, ["calibrate", "metrics", str(batch["id"]), "--resamples", "200"])
    assert shown.exit_code == 0, shown.output
    assert "overall" in shown.output and "relationships" in shown.output and "kappa" in shown.output
    as_json = runner.invoke(
        app, ["calibrate", "metrics", str(batch["id"]), "--json", "--resamples", "200"]
    )
    body = json.loads(as_json.stdout)
    assert (
        body["overall"]["scores"] == int(batch["items"]) + 10 and body["overall"]["reviewers"] == 2
    )
    assert body["period"] == "2026-10"
    # The only month: no drift is described. Bob scores one above Ann (5 wraps to 1): the
    # reviewers' alpha is below 0.4 and is flagged.
    assert body["previous_period"] is None and "drift: no previous month to compare" in shown.output
    assert body["overall"]["alpha"] < 0.4 and "overall" in body["low_agreement"]
    assert "low inter-rater agreement: overall Krippendorff's alpha" in shown.output


def test_unknown_batches_and_missing_files_fail_cleanly(data_dir: Path, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["calibrate", "metrics", "nope"])
    assert missing.exit_code == 1 and "'nope' not found" in missing.output
    no_file = runner.invoke(
        app, ["calibrate", "import-scores", "nope", str(tmp_path / "absent.csv")]
    )
    assert no_file.exit_code == 1 and "absent.csv" in no_file.output
    scores = tmp_path / "s.csv"
    scores.write_text("position,reviewer,score,correct\n0,ann,5,true\n")
    unknown = runner.invoke(app, ["calibrate", "import-scores", "nope", str(scores)])
    assert unknown.exit_code == 1 and "'nope' not found" in unknown.output
