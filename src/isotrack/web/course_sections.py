"""The course page's sections, and the way back to the one a form was sent from."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

# The course page's sections, each also a page of its own (``?tab=``) so that a phone shows one
# short page at a time without any script; without ``tab`` every section shows in this order.
COURSE_TABS = (
    ("overview", "Overview"),
    ("checklist", "Programme checklist"),
    ("dose", "Dose and plan"),
    ("monitoring", "Monitoring and labs"),
    ("safety", "Safety"),
    ("history", "History"),
)


def section_of(request: Request) -> str:
    """The course page section a form was sent from (``?tab=`` on its action), "" for the
    whole page: after recording, the prescriber is brought back to the section they were in."""
    tab = request.query_params.get("tab", "")
    return tab if tab in dict(COURSE_TABS) else ""


def back_to_course(request: Request, course_id: str, recorded: str, anchor: str) -> Response:
    """The redirect after a form on the course page was recorded: the same section page, with
    the "recorded" notice, or on the whole page the part at ``anchor``."""
    tab = section_of(request)
    where = (
        f"tab={tab}&recorded={recorded}#section-{tab}" if tab else f"recorded={recorded}#{anchor}"
    )
    return RedirectResponse(f"/courses/{quote(course_id)}?{where}", status_code=303)
