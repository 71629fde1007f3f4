"""Whether a change made our server's runs cost more: CPU time, SQLite statements and commits per
run, two revisions of the project measured in the same run.

    .venv/bin/python bench/compare_revisions.py BASE HEAD [--rounds 40] [--runs 20]

Clones this repository twice into a temporary folder (``git clone``, then ``git checkout REV``;
this working tree is never touched), starts the bench server of each clone with this .venv's
Python and only that clone's code (``_serve_checkout.py``, which prints where the project's
modules came from), and measures the two interleaved: round after round, each server in turn
(A B, then B A, so neither always goes first) serves ``--runs`` stateless ``/runs/wait`` and
``--runs`` ``/runs/stream`` runs one at a time while the other is stopped (SIGSTOP). The CPU
per run comes from inside the server (``run_costs.measure``), so other work on the machine
inflates it far less than wall time, and what it does inflate, it inflates for both sides
alike, round by round.

Reported per kind of run: each side's median CPU ms per run over the rounds with a bootstrap
95% interval, the ratio HEAD / BASE (the median of the per-round ratios, each round's two sides
measured seconds apart, with its bootstrap interval; and the ratio of the two medians) and the
Mann-Whitney U p-value; then the SQLite statements and commits per run of each database file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from _overhead_servers import ROOT, Server, start_ours
from _serve_checkout import PROOF
from run_costs import MODELS, RunCost, measure, run_kinds

WARM_UP_RUNS = 20
BOTH = "wait and stream"
CONFIDENCE = 0.95
RESAMPLES = 9999


@dataclass
class Side:
    """One revision: its clone, its server and the cost of each measured batch of runs."""

    label: str
    revision: str
    commit: str
    checkout: Path
    server: Server | None = None
    costs: dict[str, list[RunCost]] = field(default_factory=dict)

    def cpu(self, kind: str) -> np.ndarray:
        """CPU ms per run, one figure per round; ``BOTH``: the mean of the kinds' figures."""
        kinds = list(self.costs) if kind == BOTH else [kind]
        return np.mean([[cost.cpu_ms for cost in self.costs[k]] for k in kinds], axis=0)

    def as_json(self) -> dict[str, object]:
        return {
            "revision": self.revision,
            "commit": self.commit,
            "rounds": {
                kind: [asdict(cost) for cost in costs] for kind, costs in self.costs.items()
            },
        }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("base", nargs="?", help="the revision before the change (any git revision)")
    parser.add_argument("head", nargs="?", help="the revision after it")
    parser.add_argument("--rounds", type=int, default=40, help="rounds, each side once per round")
    parser.add_argument("--runs", type=int, default=20, help="runs of each kind per side per round")
    parser.add_argument(
        "--restarts", type=int, default=4, help="fresh server pairs, each for its share of rounds"
    )
    parser.add_argument("--model", choices=MODELS, default="scripted")
    parser.add_argument("--workdir", type=Path, help="keep the clones, data and logs here")
    parser.add_argument("--json", type=Path, help="write every round's figures to this file")
    parser.add_argument("--report", type=Path, help="report a --json file again, measuring nothing")
    args = parser.parse_args()
    if not args.report and not (args.base and args.head):
        parser.error("name two revisions, BASE and HEAD (or --report FILE)")
    if args.rounds < 3 or args.runs < 1 or not 1 <= args.restarts <= args.rounds:
        parser.error(
            "--rounds must be at least 3 (for an interval), --runs at least 1, "
            "and --restarts between 1 and --rounds"
        )
    return args


def _git(*args: str) -> str:
    out = subprocess.run(["git", *args], check=True, capture_output=True, text=True, timeout=300)
    return out.stdout.strip()


def _clone(label: str, revision: str, workdir: Path) -> Side:
    """A clean clone of this repository at ``revision``, in ``workdir/label/checkout``."""
    try:
        commit = _git("-C", str(ROOT), "rev-parse", "--verify", f"{revision}^{{commit}}")
    except subprocess.CalledProcessError:
        sys.exit(f"{label}: {revision!r} is not a commit of {ROOT}")
    checkout = workdir / label / "checkout"
    _git("clone", "--quiet", str(ROOT), str(checkout))
    _git("-C", str(checkout), "checkout", "--quiet", commit)
    return Side(label, revision, commit, checkout)


async def _round(sides: Sequence[Side], runs: int) -> None:
    kinds = run_kinds()
    for side in sides:
        assert side.server is not None
        for other in sides:
            if other is not side and other.server is not None:
                other.server.pause()
        side.server.resume()
        for kind, one in kinds.items():
            side.costs.setdefault(kind, []).append(await measure(side.server, runs, one))


async def _warm_up(side: Side) -> None:
    assert side.server is not None
    for one in run_kinds().values():
        connection = side.server.connect()
        try:
            for _ in range(WARM_UP_RUNS):
                await one(connection)
        finally:
            await connection.close()


def _interval(
    samples: tuple[np.ndarray, ...], statistic: Callable[..., float], paired: bool = False
) -> tuple[float, float]:
    result = stats.bootstrap(
        samples,
        statistic,
        confidence_level=CONFIDENCE,
        n_resamples=RESAMPLES,
        paired=paired,
        vectorized=False,
        method="percentile",
        random_state=np.random.default_rng(0),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _median(values: np.ndarray) -> float:
    return float(np.median(values))


def _geometric_mean(ratios: np.ndarray) -> float:
    # Ratios multiply: a round at 0.8 and one at 1.25 average to 1, not to 1.025.
    return float(np.exp(np.mean(np.log(ratios))))


def _ratio_of_medians(base: np.ndarray, head: np.ndarray) -> float:
    return float(np.median(head) / np.median(base))


def _report_cpu(base: Side, head: Side, kind: str) -> None:
    before, after = base.cpu(kind), head.cpu(kind)
    what = "the mean of both kinds" if kind == BOTH else f"POST /runs/{kind}"
    print(f"  {what}, CPU ms per run (median of {len(before)} rounds, 95% CI):")
    for side, values in ((base, before), (head, after)):
        low, high = _interval((values,), _median)
        print(
            f"    {side.label} {side.commit[:7]}: {_median(values):6.2f}  [{low:.2f}, {high:.2f}]"
            f"  (min {values.min():.2f}, max {values.max():.2f})"
        )
    per_round = after / before
    ratio = _geometric_mean(per_round)
    low, high = _interval((per_round,), _geometric_mean)
    p_value = stats.wilcoxon(np.log(per_round)).pvalue
    print(
        f"    {head.label} / {base.label}, per round (paired, geometric mean): {ratio:.3f}  "
        f"[{low:.3f}, {high:.3f}]  = {(ratio - 1) * 100:+.1f}% "
        f"[{(low - 1) * 100:+.1f}%, {(high - 1) * 100:+.1f}%];  Wilcoxon p = {p_value:.3g}"
    )
    low, high = _interval((before, after), _ratio_of_medians)
    p_value = stats.mannwhitneyu(before, after, alternative="two-sided").pvalue
    print(
        f"    ratio of the medians: {_ratio_of_medians(before, after):.3f}  "
        f"[{low:.3f}, {high:.3f}];  Mann-Whitney U p = {p_value:.3g}"
    )


def _report_counts(base: Side, head: Side, kind: str) -> None:
    print(f"  POST /runs/{kind}, SQLite per run ({base.label} -> {head.label}):")
    keys = sorted(
        {key for side in (base, head) for cost in side.costs[kind] for key in cost.counts}
    )
    for key in keys:
        figures = []
        for side in (base, head):
            values = [cost.counts.get(key, 0.0) for cost in side.costs[kind]]
            spread = "" if min(values) == max(values) else f" ({min(values):.2f}-{max(values):.2f})"
            figures.append(f"{_median(np.array(values)):.2f}{spread}")
        print(f"    {key}: {figures[0]} -> {figures[1]}")


def _proof(side: Side) -> list[str]:
    """What the side's server said about where its modules came from (see _serve_checkout)."""
    assert side.server is not None
    lines = side.server.log.read_text(errors="replace").splitlines()
    return [line for line in lines if line.startswith(PROOF)]


async def _start(sides: Sequence[Side], model: str, workdir: Path) -> None:
    """A fresh server for each side, ready and warmed up, then stopped (SIGSTOP) until its turn."""
    for side in sides:
        (workdir / side.label).mkdir(parents=True)
        side.server = start_ours(
            workdir / side.label, model=model, diagnostics=True, checkout=side.checkout
        )
    for side in sides:
        assert side.server is not None
        await side.server.wait_ready()
        side.server.pause()
    for side in sides:
        assert side.server is not None
        side.server.resume()
        await _warm_up(side)
        side.server.pause()


def _stop(sides: Sequence[Side], proof: bool) -> None:
    for side in sides:
        if side.server is not None:
            side.server.stop()
            for line in _proof(side) if proof else []:
                print(f"  {side.label} server: {line}")
            side.server = None


async def _compare(args: argparse.Namespace, workdir: Path) -> list[Side]:
    sides = [_clone("base", args.base, workdir), _clone("head", args.head, workdir)]
    for side in sides:
        print(f"{side.label}: {side.revision} = {side.commit} cloned into {side.checkout}")
    started = time.monotonic()
    # Each pair of server processes serves an equal share of the rounds: what differs between
    # two processes of the same code (memory layout, hash seeds) then averages out too.
    shares = np.array_split(np.arange(args.rounds), args.restarts)
    for start, share in enumerate(shares):
        try:
            await _start(sides, MODELS[args.model], workdir / f"start-{start + 1}")
            for number in share:
                await _round(sides if number % 2 == 0 else sides[::-1], args.runs)
        finally:
            _stop(sides, proof=start == 0)
        print(
            f"  round {share[-1] + 1}/{args.rounds} ({time.monotonic() - started:.0f} s, "
            f"load {os.getloadavg()[0]:.1f}), server pair {start + 1}/{args.restarts} stopped",
            flush=True,
        )
    return sides


def _report(base: Side, head: Side) -> None:
    print(f"Per stateless run ({base.label} {base.commit[:7]} -> {head.label} {head.commit[:7]}):")
    for kind in [*base.costs, BOTH]:
        _report_cpu(base, head, kind)
    for kind in base.costs:
        _report_counts(base, head, kind)


def _saved(path: Path) -> None:
    """Report again a comparison kept with ``--json`` (another statistic, no new runs)."""
    try:
        figures = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        sys.exit(f"--report {path}: cannot read a saved comparison ({exc})")
    print(f"{' '.join(figures['command'])}; load average {figures['load_average']}")
    sides = []
    for label in ("base", "head"):
        saved = figures[label]
        side = Side(label, saved["revision"], saved["commit"], Path())
        side.costs = {
            kind: [RunCost(**cost) for cost in costs] for kind, costs in saved["rounds"].items()
        }
        sides.append(side)
    _report(*sides)


def main() -> None:
    args = _arguments()
    if args.report:
        _saved(args.report)
        return
    load_before = os.getloadavg()
    started = time.monotonic()
    print(
        f"{' '.join([Path(sys.executable).name, *sys.argv])}\n"
        f"Python {platform.python_version()} ({sys.executable}), {os.cpu_count()} cores, "
        f"model {MODELS[args.model]}; {args.rounds} rounds x {args.runs} runs of each kind per "
        f"side, interleaved, on {args.restarts} fresh server pairs; load average before "
        f"{load_before}"
    )
    with tempfile.TemporaryDirectory(prefix="crm-agents-compare-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        base, head = asyncio.run(_compare(args, workdir))
    _report(base, head)
    load_after = os.getloadavg()
    print(
        f"load average before {load_before}, after {load_after}; took {time.monotonic() - started:.0f} s"
    )
    if args.json:
        figures = {
            "command": sys.argv,
            "python": platform.python_version(),
            "load_average": {"before": load_before, "after": load_after},
            "runs_per_round": args.runs,
            "server_pairs": args.restarts,
            "base": base.as_json(),
            "head": head.as_json(),
        }
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
