"""Breaking the glass: a prescriber covering for a colleague opens the course of a patient in
another prescriber's care, with a reason that goes into the access log first.

The course then opens read only for a clinic shift (``service.disclosures.emergency_reach``);
every look is logged as any read is.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError, RecordNotFound
from isotrack.service import disclosures
from isotrack.web.session import check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()


def _page(
    request: Request, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "emergency_access.html",
        {
            "values": values,
            "errors": errors,
            "min_reason": disclosures.MIN_REASON_CHARACTERS,
            "hours": disclosures.EMERGENCY_READ_HOURS,
        },
        status_code=status_code,
    )


@router.get("/emergency-access", response_class=HTMLResponse, include_in_schema=False)
def emergency_form(request: Request, patient: str = "") -> Response:
    require_user(request, ("prescriber",))
    return _page(request, {"patient": patient.strip()[:100]}, {})


@router.post("/emergency-access", include_in_schema=False)
async def open_in_emergency(request: Request) -> Response:
    user = require_user(request, ("prescriber",))
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    values = {name: str(form.get(name, "")).strip() for name in ("patient", "reason")}
    try:
        record = disclosures.break_glass(
            service(request), user.user, values["patient"], values["reason"]
        )
    except RecordNotFound:
        shown = values["patient"] or "(empty)"
        errors = {"patient": f"No patient has the record number “{shown}”: type it as it "
                  "appears on the patient's file."}  # fmt: skip
        return _page(request, values, errors, status_code=422)
    except IsotrackInputError:
        errors = {"reason": f"Say why you need this record now, in at least "
                  f"{disclosures.MIN_REASON_CHARACTERS} characters."}  # fmt: skip
        return _page(request, values, errors, status_code=422)
    if not record.courses:
        errors = {"patient": "This patient has no course to open yet."}
        return _page(request, values, errors, status_code=422)
    return RedirectResponse("/courses/" + quote(record.courses[-1].id, safe=""), status_code=303)
