"""The report's plots, drawn with matplotlib as inline SVG (no files, no network, no pyplot).

Figures are built with ``matplotlib.figure.Figure`` directly rather than pyplot's global state,
so several reports can render at once in worker threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from eval.calibration.drift import OVERALL, DriftPoint
from eval.calibration.metrics import ReliabilityBin
from eval.calibration.report_summary import ReportSummary

RAW, CALIBRATED, IDEAL = "#c0504d", "#1f77b4", "#999999"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and doctype: it is inlined in HTML


def _curve(axes: Any, bins: Sequence[ReliabilityBin], label: str, color: str) -> None:
    points = [(b.mean_confidence, b.accuracy, b.count) for b in bins if b.count]
    if not points:
        return
    axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=color, label=label)
    for x, y, count in points:  # how many reviews each point stands for
        axes.annotate(str(count), (x, y), fontsize=7, color=color, xytext=(3, 3),
                      textcoords="offset points")  # fmt: skip


def reliability_diagram(summary: ReportSummary) -> str:
    """Accuracy against mean confidence per bin: raw, and calibrated when there is one."""
    comparison = summary.overall.calibration
    figure = Figure(figsize=(5.2, 4.2))
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], linestyle="--", color=IDEAL, label="perfectly calibrated")
    raw = comparison.reliability_raw or summary.overall.metrics.reliability
    _curve(axes, raw, "raw confidence", RAW)
    _curve(axes, comparison.reliability_calibrated, "calibrated confidence", CALIBRATED)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("mean confidence in bin")
    axes.set_ylabel("share judged correct")
    axes.set_title(f"Reliability ({comparison.scope.replace('_', '-')} reviews, n={comparison.n})")
    axes.legend(loc="upper left", fontsize=8)
    return _svg(figure)


def score_distributions(summary: ReportSummary) -> str:
    """How many 1-5 quality scores each agent received."""
    agents = list(summary.per_agent)
    figure = Figure(figsize=(6.4, 3.6))
    axes = figure.add_subplot()
    width = 0.8 / max(len(agents), 1)
    for index, agent in enumerate(agents):
        counts = summary.per_agent[agent].metrics.score_distribution
        xs = np.arange(1, 6) + (index - (len(agents) - 1) / 2) * width
        axes.bar(xs, [counts.get(s, 0) for s in range(1, 6)], width=width, label=agent)
    axes.set_xticks(range(1, 6))
    axes.set_xlabel("quality score")
    axes.set_ylabel("scores")
    axes.set_title("Score distribution per agent")
    if agents:
        axes.legend(fontsize=8)
    return _svg(figure)


def agent_bars(summary: ReportSummary) -> str:
    """Per agent: share judged correct, mean raw confidence, ECE raw and calibrated."""
    agents = list(summary.per_agent)
    series = {
        "judged correct": [summary.per_agent[a].accuracy for a in agents],
        "mean confidence": [summary.per_agent[a].mean_confidence for a in agents],
        "ECE raw": [summary.per_agent[a].ece_raw for a in agents],
        "ECE calibrated": [summary.per_agent[a].ece_calibrated for a in agents],
    }
    figure = Figure(figsize=(6.8, 3.6))
    axes = figure.add_subplot()
    width = 0.2
    for index, (label, values) in enumerate(series.items()):
        xs = np.arange(len(agents)) + (index - 1.5) * width
        axes.bar(xs, [v if v is not None else 0.0 for v in values], width=width, label=label)
    axes.set_xticks(range(len(agents)), agents)
    axes.set_ylim(0, 1.05)
    axes.set_title("Per agent")
    axes.legend(fontsize=8, ncols=2)
    return _svg(figure)


def drift_lines(
    points: Sequence[DriftPoint], metrics: Sequence[str] = ("accuracy", "ece", "kappa")
) -> str:
    """Each metric of the whole batch month over month, with its interval; drift marked."""
    figure = Figure(figsize=(7.2, 2.6), layout="constrained")
    for index, metric in enumerate(metrics, start=1):
        axes = figure.add_subplot(1, len(metrics), index)
        series = [
            p for p in points if p.group == OVERALL and p.metric == metric and p.value is not None
        ]
        periods = [p.period for p in series]
        values = [p.value for p in series if p.value is not None]  # all of them: see series
        axes.plot(periods, values, marker="o", color=CALIBRATED)
        lows = [p.ci_low if p.ci_low is not None else p.value for p in series]
        highs = [p.ci_high if p.ci_high is not None else p.value for p in series]
        if series:
            axes.fill_between(periods, lows, highs, color=CALIBRATED, alpha=0.15)  # type: ignore[arg-type]
        drifted = [p for p in series if p.drifted]
        if drifted:
            axes.scatter([p.period for p in drifted], [p.value for p in drifted if p.value is not None], color=RAW,
                         zorder=3, label="drifted")  # fmt: skip
            axes.legend(fontsize=7)
        axes.set_title(metric, fontsize=9)
        axes.tick_params(labelsize=7)
    figure.suptitle("Month over month (whole batch)", fontsize=9)
    return _svg(figure)
