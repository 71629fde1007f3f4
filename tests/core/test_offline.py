"""The offline switches point tiktoken at litellm's bundled encodings and disable telemetry."""

from __future__ import annotations

import os
import subprocess
import sys

from core.offline import litellm_tokenizer_dir


def test_switches_are_set_in_the_test_process() -> None:
    assert os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["RAGAS_DO_NOT_TRACK"] == "true"
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_litellm_ships_the_tiktoken_encodings() -> None:
    folder = litellm_tokenizer_dir()
    assert folder is not None
    assert len(list(folder.iterdir())) >= 2


def test_heavy_imports_work_with_the_network_blocked(tmp_path) -> None:
    """Import every dependency that is known to phone home, in a process with no network."""
    code = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network blocked")
socket.socket.connect = refuse
socket.create_connection = refuse
from core.offline import apply_offline_defaults
apply_offline_defaults()
import litellm, tiktoken, chromadb, langgraph, ragas  # noqa: F401
assert tiktoken.get_encoding("cl100k_base").encode("battery life")
print("ok")
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIKTOKEN", "CUSTOM_TIKTOKEN"))}
    env["HOME"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
