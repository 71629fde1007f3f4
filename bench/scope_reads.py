"""What an account scope adds to the CRM reads a request or an agent makes.

Per read, in this process, on the demo CRM in a temporary SQLite file: the same reads of the
same account unrestricted (the baseline, measured in the same run, interleaved) and within a
manager's scope (their regions) and a rep's (their own and their team's accounts, a subquery
over reps), plus the agents' reader, which asks the run's config for the scope on each read.

    .venv/bin/python bench/scope_reads.py [--calls 1000] [--scale 0.2]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.scope import AccountScope
from crm.store import CRMStore
from tools.run_scope import RunScope


def _interleaved(calls: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Each call ``rounds`` times, taking turns, so load changes hit every one alike."""
    spent: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(min(rounds, 50)):
        for call in calls.values():
            call()
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            spent[name].append(time.perf_counter() - start)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=0.2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'crm.db'}"
        migrate(url)
        engine = make_engine(url)
        seed_demo(engine, seed=7, scale=args.scale)
        store = CRMStore(engine)
        accounts = store.list_accounts(limit=100_000)
        account = next(a for a in accounts if a.owner_id)
        rep = store.get_rep(rep_id=account.owner_id or "")
        region = AccountScope(regions=frozenset({account.region}))
        views = {
            "unrestricted": store,
            "manager (region)": store.scoped(region),
            "rep (own + team)": store.scoped(
                AccountScope(owner_ids=frozenset({rep.id}), teams=frozenset({rep.team}))
            ),
            "agents' reader (region), asked per read": store.scoped(RunScope(outside_runs=region)),
        }
        reads: dict[str, Callable[[CRMStore], object]] = {
            "get_account": lambda s: s.get_account(account_id=account.id),
            "contacts_for_account": lambda s: s.contacts_for_account(account_id=account.id),
            "activities_for_account (50)": lambda s: s.activities_for_account(
                account_id=account.id, limit=50
            ),
            "list_accounts (100)": lambda s: s.list_accounts(limit=100),
        }
        results = {}
        for read_name, read in reads.items():
            results[read_name] = _interleaved(
                {view: (lambda v=view_store, r=read: r(v)) for view, view_store in views.items()},
                args.calls,
            )
        engine.dispose()

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Python {platform.python_version()}, SQLite, {len(accounts)} accounts, load {load}")
    print(f"{args.calls} calls each, interleaved; baseline: the same read unrestricted")
    print("| read | scope | p50 ms | p95 ms | p50 added ms |")
    print("|---|---|---|---|---|")
    for read_name, spent in results.items():
        base = statistics.median(spent["unrestricted"])
        for view, times in spent.items():
            p50 = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[-1]
            print(
                f"| {read_name} | {view} | {p50 * 1e3:.3f} | {p95 * 1e3:.3f} "
                f"| {(p50 - base) * 1e3:+.3f} |"
            )


if __name__ == "__main__":
    main()
