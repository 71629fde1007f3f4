"""Lower layers never import upper ones (docs/ARCHITECTURE.md); checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Rank of each top-level package; a module may import packages of strictly lower rank, and its own.
RANKS = {
    "core": 0,
    "web": 0,
    "crm": 1,
    "memory": 1,
    "llm": 1,
    "prompts": 1,
    # Ledger, signatures, consent and evidence: below the tools that check consent at the point
    # of use, above the CRM tables they hash and the memory they filter.
    "governance": 1.5,
    # Users, keys, sessions, territories and the policy: the stores apply the account scope it
    # builds (crm.scope), and its secrets are kept the way governance keeps its keys.
    "identity": 1.6,
    "tools": 2,
    "agents": 3,
    "graphs": 4,
    # Behaviour events scored and routed outside a conversation (the lead scoring agent, no model).
    "intake": 4,
    "eval": 5,
    "runtime": 5,
    "api": 6,
    # The app: mounts the routers; `crm-agents serve` (the CLI) builds and starts it.
    "server": 6.5,
    "cli": 7,
    # The composition root: builds every service of a process; only server.py and the CLI open it.
    "composition": 5.5,
}


def _own_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & RANKS.keys()


def _modules() -> list[tuple[str, Path]]:
    found = []
    for package in RANKS:
        folder = ROOT / package
        if folder.is_dir():
            found += [(package, path) for path in sorted(folder.rglob("*.py"))]
        elif (ROOT / f"{package}.py").is_file():
            found.append((package, ROOT / f"{package}.py"))
    return found


@pytest.mark.parametrize(("package", "path"), _modules(), ids=lambda v: str(v).split("/main/")[-1])
def test_imports_point_down(package: str, path: Path) -> None:
    upward = {
        name for name in _own_imports(path) if name != package and RANKS[name] >= RANKS[package]
    }
    assert not upward, (
        f"{path.relative_to(ROOT)} imports {sorted(upward)}, which are not below {package}"
    )
