"""The pharmacy's queue: every prescription waiting to be filled, with today's decision."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from isotrack.service import pharmacy_queue
from isotrack.service.pharmacy_queue import WaitingPrescription
from isotrack.web.session import require_user, service
from isotrack.web.templating import render

router = APIRouter()


@dataclass(frozen=True)
class QueueRow:
    """One waiting prescription in the words the counter uses."""

    waiting: WaitingPrescription
    status: str  # "authorized", "hold" or "refused": the badge's class
    verdict: str
    why: list[str]
    check_link: str


def queue_row(waiting: WaitingPrescription) -> QueueRow:
    decision = waiting.decision
    holds = [f"Clinical hold: {hold.message} — {hold.action}" for hold in decision.clinical_holds]
    reasons = [reason.message for reason in decision.reasons]
    if decision.authorized:
        status, verdict = "authorized", "May be dispensed"
    elif decision.clinical_holds:
        status, verdict = "hold", "On clinical hold: do not dispense"
    else:
        status, verdict = "refused", "Programme not met: do not dispense"
    if decision.clinical_holds and not decision.programme_met:
        verdict += "; programme not met either"
    return QueueRow(
        waiting=waiting,
        status=status,
        verdict=verdict,
        why=holds + reasons,
        check_link="/dispense?q=" + quote(waiting.patient_id, safe=""),
    )


@router.get("/pharmacy/queue", response_class=HTMLResponse, include_in_schema=False)
def queue_page(request: Request) -> Response:
    user = require_user(request, ("pharmacist",))
    waiting = pharmacy_queue.waiting_prescriptions(service(request), user.user)
    return render(
        request,
        "pharmacy_queue.html",
        {"rows": [queue_row(w) for w in waiting], "today": service(request).today()},
    )
