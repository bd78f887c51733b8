"""``report.html``: one self-contained page (inline SVG plots, inline CSS, no external asset)."""

from __future__ import annotations

import html
import io
from collections import Counter
from typing import Any

from isotrack.audit.findings import Finding, severity_rank
from isotrack.audit.rule_names import rule_name
from isotrack.audit.summary import AuditSummary

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;max-width:70rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left;font-size:.9rem}th{background:#f0f0f0}.num{text-align:right}
.critical{color:#a00;font-weight:600}.high{color:#b45300}.plots{display:flex;flex-wrap:wrap;gap:1rem}
.note{color:#555;font-size:.9rem}
"""


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog so the SVG sits inline


def plots(summary: AuditSummary) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    pyplot.rcParams["svg.fonttype"] = "none"
    plots: list[str] = []
    months = sorted(k for k in summary.by_month if k[:1].isdigit())
    if months:
        figure, axis = pyplot.subplots(figsize=(7, 3))
        rates = [
            100 * summary.by_month[m].with_findings / summary.by_month[m].courses for m in months
        ]
        axis.plot(months, rates, marker="o", color="#1f5fa8")
        axis.set_title("Courses with findings, by month treatment started (%)")
        axis.set_ylim(bottom=0)
        axis.tick_params(axis="x", labelrotation=60, labelsize=7)
        plots.append(_svg(figure))
        pyplot.close(figure)
    policies = sorted(summary.by_policy)
    if policies:
        figure, axis = pyplot.subplots(figsize=(5, 3))
        rates = [
            100 * summary.by_policy[p].with_findings / summary.by_policy[p].courses
            for p in policies
        ]
        axis.bar(policies, rates, color="#b45300")
        axis.set_title("Courses with findings, by policy (%)")
        axis.tick_params(axis="x", labelsize=8)
        plots.append(_svg(figure))
        pyplot.close(figure)
    rules = summary.by_rule.most_common(12)
    if rules:
        figure, axis = pyplot.subplots(figsize=(7, 0.35 * len(rules) + 1))
        labels = [rule_name(r) for r, _ in reversed(rules)]
        axis.barh(labels, [n for _, n in reversed(rules)], color="#555")
        axis.set_title("Findings by audit rule")
        axis.tick_params(axis="y", labelsize=7)
        plots.append(_svg(figure))
        pyplot.close(figure)
    return plots


def _rate_table(title: str, groups: dict[str, Any], limit: int = 40) -> str:
    rows = sorted(
        groups.items(), key=lambda kv: (-kv[1].with_findings / max(kv[1].courses, 1), kv[0])
    )[:limit]
    body = "".join(
        f"<tr><td>{html.escape(k)}</td><td class=num>{g.courses}</td>"
        f"<td class=num>{g.with_findings}</td><td class=num>{g.findings}</td>"
        f"<td class=num>{100 * g.with_findings / max(g.courses, 1):.1f}%</td></tr>"
        for k, g in rows
    )
    return (
        f"<h2>{html.escape(title)}</h2><table><tr><th></th><th>Courses</th>"
        f"<th>With findings</th><th>Findings</th><th>Rate</th></tr>{body}</table>"
    )


def _top(findings: list[Finding]) -> str:
    body = "".join(
        f"<tr><td class={html.escape(f.severity)}>{html.escape(f.severity)}</td>"
        f"<td>{html.escape(f.rule_id)}</td><td>{html.escape(f.date)}</td>"
        f"<td>{html.escape(f.course_id)}</td><td>{html.escape(f.message)}</td>"
        f"<td>{html.escape(', '.join(f.source_ids))}</td></tr>"
        for f in findings
    )
    return (
        "<h2>Top findings</h2><table><tr><th>Severity</th><th>Rule</th><th>Date</th>"
        f"<th>Course (pseudonym)</th><th>What</th><th>Sources</th></tr>{body}</table>"
    )


def _reasons(title: str, note: str, counted: str, reasons: Counter[str]) -> str:
    """A section counting what was not read by reason; nothing when nothing was left out."""
    rows = "".join(
        f"<tr><td>{html.escape(reason)}</td><td class=num>{n}</td></tr>"
        for reason, n in reasons.most_common()
    )
    if not rows:
        return ""
    return (
        f"<h2>{title}</h2><p class=note>{html.escape(note)}</p>"
        f"<table><tr><th>Why</th><th>{counted}</th></tr>{rows}</table>"
    )


def render_report(summary: AuditSummary) -> str:
    """The whole page as text."""
    data = summary.as_json()
    sql = data["sql_precheck"]
    severity = "".join(
        f"<tr><td class={html.escape(s)}>{html.escape(s)}</td><td class=num>{n}</td></tr>"
        for s, n in sorted(summary.by_severity.items(), key=lambda kv: -severity_rank(kv[0]))
    )
    rules = "".join(
        f"<tr><td>{html.escape(r)}</td><td class=num>{n}</td>"
        f"<td>{html.escape(', '.join(summary.rule_sources.get(r, [])))}</td></tr>"
        for r, n in summary.by_rule.most_common()
    )
    unchecked = "".join(f"<li>{html.escape(text)}</li>" for text in data["not_checkable"].values())
    unread = _reasons(
        "Courses that could not be read",
        "None of these courses was audited. Each is listed in not_read.csv beside this report.",
        "Courses",
        summary.unreadable_reasons,
    ) + _reasons(
        "Resources not read",
        f"{data['not_read']['note']} Courses concerned: {summary.courses_not_fully_read}. "
        "Each resource is listed in not_read.csv beside this report.",
        "Resources",
        summary.not_read_reasons,
    )
    notes = "".join(f"<li>{html.escape(text)}</li>" for text in summary.notes)
    judged = f"<h2>How this audit judged</h2><ul>{notes}</ul>" if notes else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Programme audit {html.escape(summary.audit_date)}</title>
<style>{_STYLE}</style></head><body>
<h1>Pregnancy-prevention programme audit</h1>
<p>Source: {html.escape(summary.source)} · engine: {html.escape(summary.engine)} · audited as of
{html.escape(summary.audit_date)}. Patients and courses are shown by pseudonym.</p>
<table><tr><th>Courses</th><td class=num>{summary.courses}</td></tr>
<tr><th>Dispenses</th><td class=num>{summary.dispenses}</td></tr>
<tr><th>Findings</th><td class=num>{summary.findings}</td></tr>
<tr><th>Courses that could not be read</th><td class=num>{summary.unreadable}</td></tr>
<tr><th>Resources not read</th><td class=num>{summary.not_read}</td></tr></table>
<h2>Findings by severity</h2><table>{severity}</table>
<div class=plots>{"".join(plots(summary))}</div>
<h2>Findings by rule</h2>
<table><tr><th>Rule</th><th>Findings</th><th>Sources</th></tr>{rules}</table>
{_rate_table("Rates by policy", summary.by_policy)}
{_rate_table("Rates by prescriber (highest first)", summary.by_prescriber)}
{_rate_table("Rates by month treatment started", summary.by_month)}
{_top(summary.top)}
<h2>Cross-check</h2><p class=note>A SQL pre-check of supply over the limit was run on
{sql["courses_checked"]} courses and disagreed with the engines on
{sql["disagreements_with_engine"]}; the engines' findings stand.</p>
{judged}
{unread}
<h2>Not checkable from this source</h2><ul>{unchecked}</ul>
</body></html>
"""
