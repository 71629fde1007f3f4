"""The API key a benchmark's client sends, made as an operator makes one: ``crm-agents auth
create-key`` on the data folder the server will open, before it starts. The server
authenticates every request, so the measured times include what a real client's key costs.

A source tree from before sign-in (``compare_revisions.py`` and ``--root`` serve other
revisions) has no keys to make and needs none: its headers are empty.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

# A client application: it runs agents, reads threads and sends events, and with no territory
# named sees every account (as the benchmarks did before keys).
ROLE = "application"


def has_sign_in(root: Path) -> bool:
    """Whether the server of source tree ``root`` asks for credentials."""
    return (root / "api" / "authentication.py").is_file()


def create_key(root: Path, env: Mapping[str, str], *, role: str = ROLE) -> str:
    """A new key of ``role`` in the database ``env`` names, made by ``root``'s own command."""
    done = subprocess.run(
        [sys.executable, "-c", "from cli.main import app; app()", "auth", "create-key"]
        + ["benchmark client", "--role", role],
        cwd=root,
        env={**env, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"crm-agents auth create-key failed:\n{done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1]  # the key alone on the last line


def key_headers(root: Path, env: Mapping[str, str], *, role: str = ROLE) -> dict[str, str]:
    """Headers that authenticate a client of ``root``'s server (none before sign-in)."""
    return {"x-api-key": create_key(root, env, role=role)} if has_sign_in(root) else {}
