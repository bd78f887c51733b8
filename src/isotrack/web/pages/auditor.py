"""The auditor's pages: the latest population audit of the store (summary, plots, findings by
rule, pseudonymised) and a button that starts a new run in the background."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from isotrack.service import audit_runs
from isotrack.web.session import check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()

AUDITOR = ("auditor",)
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def rule_name(rule_id: str, names: dict[str, str]) -> str:
    """The name the audit gave the rule (``rule_names`` of its summary)."""
    return names.get(rule_id) or rule_id.replace("_", " ").replace(".", ": ")


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_home(request: Request) -> Response:
    user = require_user(request, AUDITOR)
    latest, newer = audit_runs.latest_audit(service(request), user.user)
    summary = latest.summary if latest is not None else None
    rules = []
    if summary is not None:
        by_rule: dict[str, int] = summary.get("by_rule", {})
        names: dict[str, str] = summary.get("rule_names", {})
        rules = [
            {"id": rule, "name": rule_name(rule, names), "count": count}
            for rule, count in sorted(by_rule.items(), key=lambda item: -item[1])
        ]
    return render(
        request,
        "audit.html",
        {
            "latest": latest,
            "newer": newer,
            "summary": summary,
            "rules": rules,
            "severities": [
                (s, (summary or {}).get("by_severity", {}).get(s, 0)) for s in SEVERITY_ORDER
            ],
            "plots": latest.plots() if latest is not None else [],
        },
    )


@router.post("/audit/runs", include_in_schema=False)
async def start_run(request: Request) -> Response:
    user = require_user(request, AUDITOR)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    audit_runs.start_audit_run(service(request), user.user)
    return RedirectResponse("/audit?started=1", status_code=303)


@router.get("/audit/runs/{run_id}/findings", response_class=HTMLResponse, include_in_schema=False)
def run_findings(request: Request, run_id: str, rule: str | None = None) -> Response:
    user = require_user(request, AUDITOR)
    run = audit_runs.audit_run(service(request), user.user, run_id)
    rows, total = audit_runs.run_findings(service(request), user.user, run_id, rule_id=rule)
    names: dict[str, str] = (run.summary or {}).get("rule_names", {})
    return render(
        request,
        "audit_findings.html",
        {
            "run": run,
            "rule": rule,
            "rule_title": rule_name(rule, names) if rule else "All findings",
            "rows": [{**row, "rule_name": rule_name(row["rule_id"], names)} for row in rows],
            "total": total,
        },
    )


@router.get("/audit/runs/{run_id}/report", include_in_schema=False)
def run_report(request: Request, run_id: str) -> Response:
    """The run's self-contained report page (the same file ``isotrack audit --out`` writes)."""
    user = require_user(request, AUDITOR)
    run = audit_runs.audit_run(service(request), user.user, run_id)
    return FileResponse(run.report_path, media_type="text/html")
