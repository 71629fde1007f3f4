"""The calibration report of a batch: a self-contained HTML page and its JSON summary.

The page inlines its plots as SVG and its style; it loads nothing from anywhere, so it can be
mailed or archived as one file. Rendering is blocking (matplotlib): async callers run it in a
worker thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from eval.calibration import report_plots
from eval.calibration.report_summary import ALPHA_FLOOR, ReportSummary

HTML_NAME = "report.html"
JSON_NAME = "summary.json"

_SCOPE_TEXT = {
    "held_out": "held-out reviews (each calibrated by a map fitted without its item)",
    "carried": "reviews of recommendations that carried a calibrated confidence",
    "none": "reviews (no calibration map yet)",
}

_environment = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def render_html(summary: ReportSummary) -> str:
    """The report page of ``summary``."""
    plots = {
        "reliability": report_plots.reliability_diagram(summary),
        "scores": report_plots.score_distributions(summary),
        "agents": report_plots.agent_bars(summary),
        "drift": report_plots.drift_lines(summary.drift) if summary.previous_period else "",
    }
    template = _environment.get_template("report.html")
    return template.render(
        summary=summary, plots=plots, fmt=_fmt, scope_text=_SCOPE_TEXT, alpha_floor=ALPHA_FLOOR
    )


def summary_json(summary: ReportSummary) -> str:
    """The JSON summary: overall and per agent (with ``ece_raw``, ``ece_calibrated``), drift,
    and the groups whose inter-rater agreement is below the floor (``low_agreement``)."""
    data = summary.model_dump(mode="json")
    data["ece_raw"], data["ece_calibrated"] = summary.ece_raw, summary.ece_calibrated
    data["alpha_floor"], data["low_agreement"] = ALPHA_FLOOR, summary.low_agreement
    return json.dumps(data, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class ReportFiles:
    """Where a report was written."""

    html: Path
    json: Path


def write_report(summary: ReportSummary, out_dir: Path) -> ReportFiles:
    """Write ``report.html`` and ``summary.json`` into ``out_dir`` (created if missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(html=out_dir / HTML_NAME, json=out_dir / JSON_NAME)
    files.html.write_text(render_html(summary), encoding="utf-8")
    files.json.write_text(summary_json(summary), encoding="utf-8")
    return files
