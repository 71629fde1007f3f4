"""Serve the run tests' graphs from a process of its own, so a test can kill it mid-run.

Usage: ``python -m tests.support.crash_server DATA_DIR PORT [DATABASE_URL]`` from the
repository root. The ``steps`` graph blocks in its second step for ever here: nobody opens its gate.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.offline import apply_offline_defaults

apply_offline_defaults()

import uvicorn  # noqa: E402

from core.settings import Settings  # noqa: E402
from server import create_app  # noqa: E402
from tests.support.run_graphs import RunServices, run_graph_specs  # noqa: E402


def main() -> None:
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    database_url = sys.argv[3] if len(sys.argv) > 3 else None
    settings = Settings(data_dir=data_dir, database_url=database_url)
    services = RunServices()
    app = create_app(settings, graphs=run_graph_specs(), services_factory=lambda _: services)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
