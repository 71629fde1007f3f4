"""Embedding functions: Chroma's contract, registry, config round trip, the real MiniLM offline."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from chromadb.utils.embedding_functions import known_embedding_functions

from memory import EmbeddingModelUnavailable, HashingEmbeddingFunction, MiniLMEmbeddingFunction
from memory.embeddings import (
    EMBEDDING_DIM,
    bundled_minilm_path,
    cpu_supports_bf16,
    resolve_precision,
)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_both_functions_are_registered_under_their_names() -> None:
    assert known_embedding_functions[MiniLMEmbeddingFunction.name()] is MiniLMEmbeddingFunction
    assert known_embedding_functions[HashingEmbeddingFunction.name()] is HashingEmbeddingFunction


@pytest.mark.parametrize("cls", [MiniLMEmbeddingFunction, HashingEmbeddingFunction])
def test_chroma_contract(cls: type[MiniLMEmbeddingFunction | HashingEmbeddingFunction]) -> None:
    function = cls()
    assert function.default_space() == "cosine"
    assert "cosine" in function.supported_spaces()
    assert not function.is_legacy()
    rebuilt = cls.build_from_config(function.get_config())
    assert rebuilt.get_config() == function.get_config()


@pytest.mark.parametrize("cls", [MiniLMEmbeddingFunction, HashingEmbeddingFunction])
def test_unknown_config_keys_are_refused(
    cls: type[MiniLMEmbeddingFunction | HashingEmbeddingFunction],
) -> None:
    with pytest.raises(ValueError, match="unknown"):
        cls.build_from_config({"surprise": 1})


def test_minilm_config_carries_no_machine_path_by_default() -> None:
    assert "model_path" not in MiniLMEmbeddingFunction().get_config()


def test_hashing_is_deterministic_unit_length_and_content_sensitive() -> None:
    function = HashingEmbeddingFunction()
    first, again, other, blank = function(
        ["Battery lasts 6 hours", "Battery lasts 6 hours", "warranty two years", ""]
    )
    assert first.shape == (EMBEDDING_DIM,)
    assert np.array_equal(first, again)
    for vector in (first, other, blank):
        assert np.linalg.norm(vector) == pytest.approx(1.0)
    assert _cosine(first, other) < 0.5


def test_hashing_changing_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="dimension"):
        HashingEmbeddingFunction().validate_config_update({"dim": 384}, {"dim": 128})
    with pytest.raises(ValueError):
        HashingEmbeddingFunction(dim=2)


def test_bad_batch_size_is_refused() -> None:
    with pytest.raises(ValueError):
        MiniLMEmbeddingFunction(batch_size=0)


def test_minilm_embeds_offline_normalised_and_meaningful() -> None:
    function = MiniLMEmbeddingFunction()
    battery, paraphrase, warranty = function(
        [
            "The battery runs for 6.5 hours of scanning.",
            "How long does the battery last?",
            "The warranty covers parts for three years.",
        ]
    )
    assert battery.shape == (EMBEDDING_DIM,)
    assert np.linalg.norm(battery) == pytest.approx(1.0, abs=1e-5)
    assert _cosine(battery, paraphrase) > _cosine(warranty, paraphrase)


def test_minilm_model_is_loaded_once_and_shared_across_instances_and_threads() -> None:
    models: list[object] = []
    threads = [
        threading.Thread(target=lambda: models.append(MiniLMEmbeddingFunction().model()))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(models) == 4 and all(model is models[0] for model in models)
    # Chroma rebuilds the function from config: the rebuilt one reuses the loaded model.
    rebuilt = MiniLMEmbeddingFunction.build_from_config(MiniLMEmbeddingFunction().get_config())
    assert rebuilt.model() is models[0]


def test_bundled_model_folder_is_found() -> None:
    assert (bundled_minilm_path() / "model.safetensors").is_file()


def test_missing_model_folder_is_a_precise_error(tmp_path: object) -> None:
    function = MiniLMEmbeddingFunction(model_path=f"{tmp_path}/no-model-here")
    with pytest.raises(EmbeddingModelUnavailable):
        function(["anything"])


def test_precision_is_validated_and_round_trips_through_config() -> None:
    with pytest.raises(ValueError, match="precision"):
        MiniLMEmbeddingFunction(precision="float8")  # type: ignore[arg-type]
    assert resolve_precision("float32") == "float32"
    assert resolve_precision("auto") == ("bfloat16" if cpu_supports_bf16() else "float32")
    function = MiniLMEmbeddingFunction(precision="float32")
    assert MiniLMEmbeddingFunction.build_from_config(function.get_config()).precision == "float32"


def test_auto_precision_stays_close_to_float32() -> None:
    texts = ["Battery runs 6.5 hours.", "Procurement asked about the tender deadline."]
    exact = MiniLMEmbeddingFunction(precision="float32")(texts)
    auto = MiniLMEmbeddingFunction()(texts)
    for a, b in zip(exact, auto, strict=True):
        assert _cosine(a, b) > 0.995
        assert np.linalg.norm(b) == pytest.approx(1.0, abs=1e-5)
