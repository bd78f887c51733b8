"""The pharmacy's queue: every prescription waiting to be filled, with today's decision."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from isotrack.service import pharmacy_queue
from isotrack.service.paging import MAX_PAGE_SIZE
from isotrack.service.pharmacy_queue import WaitingPrescription
from isotrack.web.session import require_user, service
from isotrack.web.templating import render

router = APIRouter()
PAGE_SIZE = 50


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
    check_link = "/dispense?q=" + quote(waiting.patient_id, safe="")
    if decision is None:
        verdict = "Not decided: the record could not be read. Run the check before filling"
        return QueueRow(waiting, "refused", verdict, [], check_link)
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
        check_link=check_link,
    )


@router.get("/pharmacy/queue", response_class=HTMLResponse, include_in_schema=False)
def queue_page(request: Request) -> Response:
    user = require_user(request, ("pharmacist",))
    params = request.query_params
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
    size = int(params["size"]) if params.get("size", "").isdigit() else PAGE_SIZE
    size = min(max(size, 1), MAX_PAGE_SIZE)
    listing = pharmacy_queue.waiting_prescriptions(
        service(request), user.user, page=max(1, page), page_size=size
    )
    if listing.page > listing.pages:  # past the last page (prescriptions were filled)
        listing = pharmacy_queue.waiting_prescriptions(
            service(request), user.user, page=listing.pages, page_size=size
        )
    return render(
        request,
        "pharmacy_queue.html",
        {
            "rows": [queue_row(w) for w in listing.rows],
            "listing": listing,
            "size": size if size != PAGE_SIZE else None,
            "today": service(request).today(),
        },
    )
