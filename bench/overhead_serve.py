"""Serve the bench graph with our server, as ``crm-agents serve`` does (a subprocess of
``overhead.py``): ``python bench/overhead_serve.py --port P --data-dir D``."""

from __future__ import annotations

import argparse
from pathlib import Path

from overhead_graph import GRAPH_ID, SPEC

from core.offline import apply_offline_defaults


class _NoServices:
    """The bench graph reaches no CRM, memory or model service."""

    def close(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--diagnostics",
        action="store_true",
        help="count SQLite statements and serve GET /bench/diagnostics (bench/run_costs.py)",
    )
    args = parser.parse_args()
    apply_offline_defaults()

    import uvicorn

    from core.settings import Settings
    from server import create_app

    app = create_app(
        # The load comes from one client: the limiter runs (its cost is part of the overhead)
        # at a rate that never refuses.
        Settings(data_dir=args.data_dir, rate_limit="1000000/minute"),
        graphs={GRAPH_ID: SPEC},
        services_factory=lambda _: _NoServices(),
    )
    if args.diagnostics:
        from _serve_diagnostics import install

        install(app)
    # The options `crm-agents serve` uses, bound to loopback.
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
