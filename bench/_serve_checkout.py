"""Serve the bench graph from another clone of the project, with that clone's code only
(``compare_revisions.py`` starts one per revision):

    python bench/_serve_checkout.py CHECKOUT [overhead_serve.py's options]

The project's .venv puts this working tree on ``sys.path`` (its editable install), so a server
started from a clone could quietly import a module from here instead. This launcher takes this
tree off ``sys.path``, runs the clone's own ``bench/overhead_serve.py``, and when the server
exits prints, as proof, how many project modules the process loaded from the clone and from
anywhere else (the comparison reads those lines from the server's log).
"""

from __future__ import annotations

import runpy
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix).resolve()  # inside HERE, but third-party code, the same for both
PROOF = "module origins:"


def _project_modules(checkout: Path) -> tuple[list[str], list[str]]:
    """Names of the loaded modules whose file lies in the clone, and in this tree."""
    from_checkout, from_here = [], []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file or name == "__main__":
            continue
        path = Path(file).resolve()
        if path.is_relative_to(checkout):
            from_checkout.append(name)
        elif path.is_relative_to(HERE) and not path.is_relative_to(VENV):
            from_here.append(name)
    return sorted(from_checkout), sorted(from_here)


def main() -> None:
    checkout = Path(sys.argv[1]).resolve()
    script = checkout / "bench" / "overhead_serve.py"
    # The clone's bench folder first (as if its script were run directly), then the clone.
    kept = [entry for entry in sys.path[1:] if Path(entry or ".").resolve() not in (HERE, checkout)]
    sys.path[:] = [str(script.parent), str(checkout), *kept]
    sys.argv = [str(script), *sys.argv[2:]]
    print(f"{PROOF} serving {script}; sys.path starts {sys.path[:3]}", flush=True)
    # uvicorn stops on SIGTERM, then raises it again with the handler it found: make that an
    # ordinary exit, so that the proof below is still printed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        from_checkout, from_here = _project_modules(checkout)
        server = sys.modules.get("server")
        print(
            f"{PROOF} {len(from_checkout)} project modules from {checkout} "
            f"(server from {getattr(server, '__file__', None)}), "
            f"{len(from_here)} from {HERE}: {from_here[:10]}",
            flush=True,
        )


if __name__ == "__main__":
    main()
