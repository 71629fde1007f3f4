"""The fairness scan as HTML: a self-contained section (tables and an embedded PNG plot).

The plot is drawn with matplotlib's object API (no pyplot, no display) and embedded as base64,
so the page needs nothing from the network.
"""

from __future__ import annotations

import base64
import io
from html import escape

from matplotlib.figure import Figure

from eval.fairness_models import FairnessReport, RegionResult

_COLOURS = {"pass": "#2e7d32", "flagged": "#c62828", "insufficient_data": "#9e9e9e"}
_VERDICTS = {
    "no_bias_detected": "No regional bias detected",
    "bias_detected": "Regional bias detected",
    "insufficient_data": "Insufficient data: no verdict",
}
_STYLE = """
.fairness table { border-collapse: collapse; margin: 0.5em 0 1em; }
.fairness th, .fairness td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
.fairness th:first-child, .fairness td:first-child { text-align: left; }
.fairness .pass { color: #2e7d32; } .fairness .flagged { color: #c62828; font-weight: bold; }
.fairness .insufficient_data { color: #757575; }
"""


def plot_png(report: FairnessReport) -> bytes:
    """Price ratio (with its confidence interval) and approval rate per region, as a PNG."""
    figure = Figure(figsize=(9, 3.4), dpi=100, layout="constrained")
    prices, approvals = figure.subplots(1, 2)
    names = [r.region for r in report.regions]
    positions = range(len(names))
    colours = [_COLOURS[r.status] for r in report.regions]
    tolerance = report.thresholds.price_tolerance
    prices.axhspan(1 - tolerance, 1 + tolerance, color="#e8f5e9", label="tolerance")
    prices.axhline(1.0, color="#555", linewidth=0.8)
    for x, region, colour in zip(positions, report.regions, colours, strict=True):
        if region.price_ratio is None:
            continue
        low, high = region.price_ratio_ci or (region.price_ratio, region.price_ratio)
        prices.errorbar(
            [x],
            [region.price_ratio],
            yerr=[[region.price_ratio - low], [high - region.price_ratio]],
            fmt="o",
            color=colour,
            capsize=4,
        )
    prices.set_xticks(list(positions), names)
    prices.set_title("Within-band price ratio vs typical region")
    prices.set_ylabel("ratio (1 = parity)")
    approvals.bar(list(positions), [r.approval_rate or 0.0 for r in report.regions], color=colours)
    best = max((r.approval_rate or 0.0 for r in report.regions), default=0.0)
    approvals.axhline(report.thresholds.four_fifths * best, color="#c62828", linestyle="--",
                      linewidth=0.8, label="four-fifths of best")  # fmt: skip
    approvals.set_ylim(0, 1.05)
    approvals.set_xticks(list(positions), names)
    approvals.set_title("Approval rate (target within discount policy)")
    approvals.legend(loc="lower right", fontsize="small")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def render_section(report: FairnessReport) -> str:
    """An HTML ``<section>`` with the verdict, the per-region and per-band tables and the plot."""
    image = base64.b64encode(plot_png(report)).decode("ascii")
    findings = "".join(f"<li>{escape(f)}</li>" for f in report.findings) or "<li>none</li>"
    skipped = f", {len(report.skipped)} skipped (nothing priced)" if report.skipped else ""
    t = report.thresholds
    return f"""<section class="fairness">
<style>{_STYLE}</style>
<h2>Fairness scan: budget agent, region</h2>
<p class="{escape(report.verdict)}"><strong>{_VERDICTS[report.verdict]}</strong></p>
<p>{report.deals_scanned} of {report.deals_available} deals replayed into every region{skipped};
priced as of {report.as_of.isoformat()}, seed {report.seed}, {report.seconds:.1f} s.
Four-fifths ratio: {_num(report.four_fifths_ratio)}. Rules: at least {t.min_group_deals} deals
per region, approval ratio at least {t.four_fifths:.0%}, price ratio within
{t.price_tolerance:.0%} of parity or its {t.confidence_level:.0%} interval including 1.</p>
<h3>Findings</h3>
<ul>{findings}</ul>
<img alt="Price ratio and approval rate per region" src="data:image/png;base64,{image}">
<h3>Per region</h3>
<table>
<tr><th>region</th><th>deals</th><th>recorded here</th><th>approval</th><th>impact ratio</th>
<th>price ratio</th><th>{t.confidence_level:.0%} CI</th><th>mean change %</th><th>max change %</th>
<th>deals moved</th><th>status</th></tr>
{"".join(_region_row(r) for r in report.regions)}
</table>
<h3>Deal-size bands (list value, CNY)</h3>
<table>
<tr><th>band</th><th>from</th><th>to</th><th>deals</th></tr>
{"".join(f"<tr><td>{b.index}</td><td>{b.low:,.0f}</td><td>{b.high:,.0f}</td><td>{b.deals}</td></tr>" for b in report.bands)}
</table>
<table>
<tr><th>band</th><th>region</th><th>deals</th><th>approval</th><th>price ratio</th><th>enough data</th></tr>
{"".join(f"<tr><td>{c.band}</td><td>{escape(c.region)}</td><td>{c.deals}</td><td>{c.approval_rate:.1%}</td><td>{c.price_ratio:.4f}</td><td>{'yes' if c.sufficient else 'no'}</td></tr>" for c in report.cells)}
</table>
</section>"""


def render_page(report: FairnessReport) -> str:
    """A complete HTML page holding :func:`render_section`."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Fairness scan</title></head>\n<body>\n"
        f"{render_section(report)}\n</body></html>\n"
    )


def _region_row(r: RegionResult) -> str:
    ci = f"{r.price_ratio_ci[0]:.4f} to {r.price_ratio_ci[1]:.4f}" if r.price_ratio_ci else "-"
    rate = f"{r.approval_rate:.1%}" if r.approval_rate is not None else "-"
    return (
        f"<tr><td>{escape(r.region)}</td><td>{r.deals}</td><td>{r.recorded_deals}</td>"
        f"<td>{rate}</td><td>{_num(r.impact_ratio)}</td><td>{_num(r.price_ratio)}</td>"
        f"<td>{ci}</td><td>{_num(r.mean_change_pct, 3)}</td><td>{_num(r.max_abs_change_pct, 3)}</td>"
        f'<td>{r.deals_changed}</td><td class="{r.status}">{r.status.replace("_", " ")}</td></tr>'
    )


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
