"""Settings come from CRM_AGENTS_* variables; defaults are embedded and offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import LOCAL_MODEL, Settings


def test_defaults_are_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(Settings.model_fields):
        monkeypatch.delenv(f"CRM_AGENTS_{name.upper()}", raising=False)
    settings = Settings(_env_file=None)
    assert settings.model == LOCAL_MODEL
    assert settings.resolved_database_url == "sqlite:///data/crm.db"
    assert settings.resolved_chroma_path == Path("data/chroma")
    assert settings.chroma_url is None


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRM_AGENTS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRM_AGENTS_MODEL", "openai/gpt-4o-mini")
    monkeypatch.setenv("CRM_AGENTS_MODEL_FALLBACKS", "ollama/qwen2.5, local/smollm2")
    settings = Settings(_env_file=None)
    assert settings.model == "openai/gpt-4o-mini"
    assert settings.model_fallbacks == ["ollama/qwen2.5", "local/smollm2"]
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.as_posix()}/crm.db"


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "0"), ("PORT", "http"), ("MODEL_TIMEOUT", "-1")]
)
def test_bad_values_are_rejected_with_the_field_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"CRM_AGENTS_{name}", value)
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None)
    assert name.lower() in str(error.value)
