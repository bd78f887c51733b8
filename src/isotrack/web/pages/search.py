"""Staff find a patient: one search box on every staff page, one results page."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from isotrack.domain.errors import IsotrackInputError
from isotrack.service import search
from isotrack.service.search import QUERY_MAX_CHARS
from isotrack.web.session import require_user, service
from isotrack.web.templating import render

router = APIRouter()

STAFF = ("prescriber", "designee", "pharmacist")


def result_link(role: str, found: search.PatientFound) -> str | None:
    """Where a found patient opens: the course for the clinic, the dispense check for the
    pharmacy."""
    if role == "pharmacist":
        return "/dispense?q=" + quote(found.patient_id, safe="")
    if found.latest_course_id is None:
        return None
    return "/courses/" + quote(found.latest_course_id, safe="")


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(request: Request, q: str = "") -> Response:
    user = require_user(request, STAFF)
    problem = None
    try:
        found = search.search_patients(service(request), user.user, q)
    except IsotrackInputError:
        found = []
        problem = (
            f"Type at most {QUERY_MAX_CHARS} characters: part of a name, a birth date or "
            "an identifier."
        )
    rows = [(item, result_link(user.role, item)) for item in found]
    return render(
        request,
        "search.html",
        {"query": q, "rows": rows, "problem": problem},
        status_code=422 if problem else 200,
    )
