"""A snapshot of every registered graph's topology: its nodes and edges (conditional or not), as
``graph.get_graph(xray=1)`` draws them, against the file committed in ``snapshots/``.

A change of shape (a node added, renamed or removed, an edge rewired or made conditional) fails
here with a diff, so it is made on purpose. When it is, record the new shape with::

    CRM_AGENTS_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/graphs/test_topology.py

and commit the changed files in tests/graphs/snapshots/. The graphs are built through the
registry (``GraphSpec.build``) with the scripted model on an empty database: building a graph
reads no data and loads no model.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from core.settings import Settings
from crm.db import make_engine, migrate
from crm.recommendations import RecommendationLog
from crm.scope import AccountScope
from crm.store import CRMStore
from graphs.registry import registered_graphs
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from memory import Memory
from tools.agent_services import AgentServices

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_SWITCH = "CRM_AGENTS_UPDATE_SNAPSHOTS"
THIS_TEST = "tests/graphs/test_topology.py"
GRAPH_IDS = sorted(registered_graphs())


def updating() -> bool:
    """Whether this run records the snapshots instead of checking them."""
    return os.environ.get(UPDATE_SWITCH, "") == "1"


@pytest.fixture(scope="module")
def empty_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentServices]:
    """Agent services on the scripted model over an empty, migrated database."""
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("topology"),
        model="scripted/test",
        model_max_retries=0,
    )
    register_providers()
    migrate(settings.resolved_database_url)
    engine: Engine = make_engine(settings.resolved_database_url)
    services = AgentServices(
        settings=settings,
        crm=CRMStore(engine),
        # These graphs run for no user: every account, in runs and out of them.
        crm_scope_outside_runs=AccountScope.unrestricted(),
        crm_scope_unscoped_runs=AccountScope.unrestricted(),
        memory=Memory.from_settings(settings),
        chat_model=chat_model(settings),
        model_info=model_info(settings),
        recommendations=RecommendationLog(engine),
        _closers=[engine.dispose],
    )
    yield services
    services.close()


def topology(graph_id: str, services: AgentServices) -> dict[str, Any]:
    """The graph's nodes and edges as plain, sorted JSON data."""
    drawn = registered_graphs()[graph_id].build(services=services).get_graph(xray=1)
    edges = [
        {
            "source": edge.source,
            "target": edge.target,
            "conditional": edge.conditional,
            **({"label": str(edge.data)} if edge.data is not None else {}),
        }
        for edge in drawn.edges
    ]
    return {
        "graph_id": graph_id,
        "nodes": sorted(drawn.nodes),
        "edges": sorted(edges, key=lambda e: (e["source"], e["target"], e["conditional"])),
    }


def as_text(shape: dict[str, Any]) -> str:
    return json.dumps(shape, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("graph_id", GRAPH_IDS)
def test_the_graph_keeps_its_recorded_shape(graph_id: str, empty_services: AgentServices) -> None:
    path = SNAPSHOTS / f"{graph_id}.json"
    current = as_text(topology(graph_id, empty_services))
    if updating():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(current, encoding="utf-8")
        return
    how = f"record it with `{UPDATE_SWITCH}=1 .venv/bin/python -m pytest {THIS_TEST}`"
    if not path.exists():
        pytest.fail(f"graph {graph_id!r} has no topology snapshot ({path}); {how}")
    recorded = path.read_text(encoding="utf-8")
    if current != recorded:
        diff = "".join(
            difflib.unified_diff(
                recorded.splitlines(keepends=True),
                current.splitlines(keepends=True),
                fromfile=f"snapshots/{graph_id}.json (recorded)",
                tofile=f"{graph_id} (built now)",
            )
        )
        pytest.fail(
            f"graph {graph_id!r} changed shape:\n{diff}\nIf the change is intended, {how}",
            pytrace=False,
        )


def test_every_snapshot_names_a_registered_graph() -> None:
    recorded = sorted(path.stem for path in SNAPSHOTS.glob("*.json"))
    orphans = sorted(set(recorded) - set(GRAPH_IDS))
    if orphans and updating():
        for graph_id in orphans:
            (SNAPSHOTS / f"{graph_id}.json").unlink()
        return
    assert not orphans, (
        f"snapshots of graphs no longer registered: {orphans}; delete them or run with "
        f"{UPDATE_SWITCH}=1"
    )
