"""A store reopens in a fresh process (Chroma rebuilds our embedding function), all offline."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from memory import (
    ACCOUNT_NOTES,
    PRODUCT_DOCS,
    EmbeddingMismatch,
    HashingEmbeddingFunction,
    Memory,
    MiniLMEmbeddingFunction,
)
from tests.support.memory_corpus import PRODUCTS, product_sections

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = product_sections(PRODUCTS[:2])

# Runs first in the child: any socket connection at all (even to localhost) raises.
_NO_SOCKETS = """
import socket
def _refuse(*args, **kwargs):
    raise OSError("network access attempted")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
"""


def _run_child(code: str, *args: str) -> dict[str, object]:
    # Without the offline switches: the memory package must set them itself.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", _NO_SOCKETS + textwrap.dedent(code), *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_fresh_process_rebuilds_the_embedding_function_from_chroma_config(tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    Memory(path=path, embedding_function=HashingEmbeddingFunction()).index_product_docs(SECTIONS)
    out = _run_child(
        """
        import json, sys
        from pathlib import Path
        import chromadb
        from chromadb.config import Settings
        client = chromadb.PersistentClient(sys.argv[1], settings=Settings(anonymized_telemetry=False))
        try:  # before our module is imported Chroma cannot embed the query text
            client.get_collection("product_docs").query(query_texts=["battery"], n_results=1)
            unregistered = "queried"
        except ValueError as exc:
            unregistered = str(exc)
        import memory  # registers our embedding functions with Chroma
        collection = client.get_collection("product_docs")  # function rebuilt from its config
        raw = collection.query(query_texts=["battery hours recharge"], n_results=1)
        store = memory.Memory(path=Path(sys.argv[1]), embedding_function=memory.HashingEmbeddingFunction())
        hit = store.search_product_docs("battery hours", k=1, product_id="PRD-011")[0]
        print(json.dumps({"unregistered": unregistered, "raw": raw["metadatas"][0][0]["heading"],
                          "count": store.count("product_docs"), "hit": hit.model_dump(mode="json")}))
        """,
        str(path),
    )
    assert "not found" in str(out["unregistered"])
    assert out["raw"] == "Battery and power"
    assert out["count"] == len(SECTIONS)
    hit = out["hit"]
    assert isinstance(hit, dict)
    assert (hit["product_id"], hit["heading"]) == ("PRD-011", "Battery and power")


@pytest.mark.slow  # two model loads, one in a fresh interpreter: 6-17 s on 2 busy cores
def test_real_model_store_reopens_offline_in_a_fresh_process(tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    Memory(path=path, embedding_function=MiniLMEmbeddingFunction()).index_product_docs(SECTIONS)
    out = _run_child(
        """
        import json, os, sys
        from datetime import datetime, UTC
        from pathlib import Path
        import chromadb
        from chromadb.config import Settings
        from memory import AccountNote, Memory
        store = Memory(path=Path(sys.argv[1]))  # default: the bundled MiniLM, loaded here
        hit = store.search_product_docs("What is the battery life of the VitaScan P12?", k=1)[0]
        store.index_account_notes([AccountNote(note_id="n1", account_id="a1", kind="call",
                                               occurred_at=datetime.now(UTC), text="Wants a demo")])
        client = chromadb.PersistentClient(sys.argv[1], settings=Settings(anonymized_telemetry=False))
        raw = client.get_collection("product_docs").query(query_texts=["weight kg"], n_results=1)
        print(json.dumps({"hit": [hit.product_id, hit.heading], "offline": os.environ["HF_HUB_OFFLINE"],
                          "raw": raw["metadatas"][0][0]["heading"]}))
        """,
        str(path),
    )
    assert out["hit"] == ["PRD-010", "Battery and power"]
    assert out["raw"] == "Dimensions and weight"
    assert out["offline"] == "1"
    assert Memory(path=path).count(ACCOUNT_NOTES) == 1


def test_embedded_memory_opens_no_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"socket connection attempted: {args[1:]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    store = Memory(path=tmp_path / "chroma", embedding_function=MiniLMEmbeddingFunction())
    store.index_product_docs(SECTIONS)
    assert store.search_product_docs("battery of the VitaScan P10", k=1)[0].product_id == "PRD-011"
    assert store.delete(PRODUCT_DOCS, where={"product_id": "PRD-011"}) == len(SECTIONS) // 2


def test_default_memory_refuses_a_store_built_with_the_test_embedding(tmp_path: Path) -> None:
    Memory(path=tmp_path, embedding_function=HashingEmbeddingFunction())
    with pytest.raises(EmbeddingMismatch):
        Memory(path=tmp_path)
