"""The ``crm-agents`` command line, in-process with typer's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import Settings, get_settings
from llm.scripted import scripted_model
from memory import HashingEmbeddingFunction, Memory

runner = CliRunner()


def _use_data_dir(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.setenv("CRM_AGENTS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CRM_AGENTS_MODEL", "scripted/test")
    monkeypatch.setenv("CRM_AGENTS_MODEL_MAX_RETRIES", "0")
    get_settings.cache_clear()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data folder."""
    _use_data_dir(monkeypatch, tmp_path / "data")
    yield tmp_path / "data"
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def hashed_memory() -> Iterator[None]:
    """The commands' memory embeds with hashed words instead of MiniLM, for the whole module.

    What is tested here is the commands: what seed builds and reports, that it does not seed
    twice, that ask streams a cited answer from the documentation. MiniLM took most of this
    module's time (minutes on a loaded machine) and is tested on its own in tests/memory.
    Seed and ask open the memory through ``Memory.from_settings``, both with the same function.
    """
    opened_by_settings = Memory.from_settings.__func__  # type: ignore[attr-defined]

    def from_settings(
        cls: type[Memory], settings: Settings, *, embedding_function: Any = None
    ) -> Memory:
        return opened_by_settings(
            cls, settings, embedding_function=embedding_function or HashingEmbeddingFunction()
        )

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(Memory, "from_settings", classmethod(from_settings))
        yield


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, hashed_memory: None) -> Iterator[Path]:
    """A data folder seeded once per module by the seed command itself."""
    data = tmp_path_factory.mktemp("seeded") / "data"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _use_data_dir(monkeypatch, data)
        result = runner.invoke(app, ["seed", "--scale", "0.03"])
        assert result.exit_code == 0, result.output
        assert "activities" in result.output and "time: embeddings" in result.output
        yield data
    get_settings.cache_clear()


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "seed", "import", "ask"):
        assert command in result.output


def test_seed_reports_what_it_built_and_if_absent_is_idempotent(seeded: Path) -> None:
    assert (seeded / "crm.db").is_file() and (seeded / "chroma").is_dir()
    again = runner.invoke(app, ["seed", "--if-absent"])
    # Rich wraps the message at the terminal's width, which differs under pytest-xdist.
    assert again.exit_code == 0 and "nothing to do" in " ".join(again.output.split())
    refused = runner.invoke(app, ["seed"])
    assert refused.exit_code != 0


def test_seed_scores_every_account_and_completes_an_older_seed(seeded: Path) -> None:
    from sqlalchemy import text

    from crm.db import make_engine
    from crm.lead_scores import LeadScoreStore
    from crm.store import CRMStore

    engine = make_engine(f"sqlite:///{seeded / 'crm.db'}")
    try:
        accounts = CRMStore(engine).list_accounts(limit=10_000)
        assert accounts and all(a.owner_id for a in accounts)
        assert LeadScoreStore(engine).scored_accounts() == {a.id for a in accounts}
        with engine.begin() as connection:  # as a seed from before owners and seeded scores
            connection.execute(text("DELETE FROM lead_scores"))
            connection.execute(text("UPDATE accounts SET owner_id = NULL"))
        completed = runner.invoke(app, ["seed", "--if-absent"])
        assert completed.exit_code == 0, completed.output
        assert "accounts scored" in completed.output and "nothing to do" not in completed.output
        accounts = CRMStore(engine).list_accounts(limit=10_000)
        assert all(a.owner_id for a in accounts)
        assert LeadScoreStore(engine).scored_accounts() == {a.id for a in accounts}
    finally:
        engine.dispose()


def test_ask_streams_a_cited_answer(seeded: Path) -> None:
    with scripted_model(responses=["It is documented in the user manual [1]."]):
        result = runner.invoke(
            app, ["ask", "What is the battery life of the Cardiona M12 Bedside Monitor?"]
        )
    assert result.exit_code == 0, result.output
    assert "It is documented in the user manual [1]." in result.output
    assert "Sources:" in result.output and "Power and battery" in result.output


def test_ask_never_prints_a_sentence_that_failed_its_check(seeded: Path) -> None:
    reply = "The monitor runs on its battery. It lasts 987654 hours on one charge."
    with scripted_model(responses=[reply]):
        result = runner.invoke(
            app, ["ask", "What is the battery life of the Cardiona M12 Bedside Monitor?"]
        )
    assert result.exit_code == 0, result.output
    assert "987654" not in result.output
    # The documentation's own words follow what streamed; no second answer is printed.
    assert "The documentation states" in result.output and "final answer" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "empty"),
        (["ask", "hello", "--graph", "nope"], "nope"),
    ],
)
def test_ask_refuses_bad_input(seeded: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output


def test_import_rejects_a_file_with_bad_rows_and_names_them(data_dir: Path, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps([{"id": "ACC-X1", "name": "Test Hospital"}]), encoding="utf-8")
    result = runner.invoke(app, ["import", str(accounts)])
    assert result.exit_code == 1
    assert "accounts.json" in result.output and "nothing imported" in result.output


def test_import_unknown_entity_is_an_error_not_a_crash(data_dir: Path, tmp_path: Path) -> None:
    odd = tmp_path / "spaceships.csv"
    odd.write_text("id,name\nS1,Enterprise\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(odd)])
    assert result.exit_code == 1
    assert "spaceships" in result.output
