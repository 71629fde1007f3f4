"""Fixtures of the llm tests: an async backend, scripted-model settings, registered providers."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from llm.providers import register_providers


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _providers() -> None:
    register_providers()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The scripted model, no retries (a retry sleeps about a second in litellm's Router)."""
    return Settings(
        _env_file=None, data_dir=tmp_path / "data", model="scripted/test", model_max_retries=0
    )
