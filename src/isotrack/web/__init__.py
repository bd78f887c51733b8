"""The clinic's pages: sign-in, prescriber, planner, pharmacist and patient, served by the API app.

``mount_web(app)`` adds the page routes and the static files (CSS, a little JavaScript); every
asset is served by the app itself so the pages work without internet.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from isotrack.domain.errors import (
    ActionNotAllowed,
    ClinicalHoldsUnreviewed,
    ConcurrentChange,
    IdempotencyKeyReused,
    IsotrackError,
    IsotrackInputError,
    RecordNotFound,
    SecondFactorNotSetUp,
    VersionMismatch,
    WarningsNotConfirmed,
)
from isotrack.web.session import CsrfRejected, NotAllowed, SignInRequired, sign_in_url
from isotrack.web.templating import STATIC_DIR, render


def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    if exc.wants_fragment:
        return JSONResponse({"detail": "signed out"}, status_code=401)
    return RedirectResponse(sign_in_url(exc.next_path, exc.expired), status_code=303)


def _not_allowed(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, NotAllowed) else "Not allowed."
    return render(request, "error.html", {"heading": "Not for your role", "message": message}, 403)


def _csrf(request: Request, exc: Exception) -> Response:
    return render(
        request,
        "error.html",
        {
            "heading": "This form has expired",
            "message": "The page was open too long or came from elsewhere. Go back, reload the "
            "page and send the form again.",
        },
        403,
    )


# The one table from the domain's errors to the pages' error page: (status, heading,
# message). Forms catch IsotrackInputError themselves to show each problem by its field; the
# row here is for input that reaches no form. The nearest listed ancestor answers.
ERROR_PAGES: dict[type[IsotrackError], tuple[int, str, str]] = {
    RecordNotFound: (404, "Not found", "There is no such record, or it is not yours to see."),
    ActionNotAllowed: (403, "Not for your role", "Your role may not do this."),
    SecondFactorNotSetUp: (403, "Set up a sign-in code first", "This clinic requires admins "
                           "to sign in with a code from an authenticator app. Set one up on "
                           "your Sign-in security page, then come back."),
    IsotrackInputError: (422, "Not accepted", "Some of what was sent is not valid."),
    VersionMismatch: (409, "Changed meanwhile", "The record changed while you were on the "
                      "page. Reload it and try again."),
    ConcurrentChange: (409, "Changed meanwhile", "Someone recorded something at the same "
                       "moment. Reload the page and try again."),
    IdempotencyKeyReused: (409, "Already sent", "This form was already sent."),
    ClinicalHoldsUnreviewed: (422, "On clinical hold", "The course is on clinical hold: "
                              "review each hold before signing a prescription."),
    WarningsNotConfirmed: (409, "Warnings to confirm", "Read the warnings and confirm them "
                           "before signing."),
}  # fmt: skip


def error_page(error: IsotrackError) -> tuple[int, str, str]:
    """The row of :data:`ERROR_PAGES` that answers ``error`` (500 for one that none does)."""
    for kind in type(error).__mro__:
        if kind in ERROR_PAGES:
            return ERROR_PAGES[kind]
    return 500, "Something went wrong", "The clinic's system could not do this."


def domain_error_page(request: Request, error: IsotrackError) -> Response:
    """A use case's error as the pages' error page (``isotrack.server`` routes page paths here)."""
    status, heading, message = error_page(error)
    return render(request, "error.html", {"heading": heading, "message": message}, status)


def mount_web(app: FastAPI) -> None:
    """Add the page routes, their error pages and ``/static`` to the service's app."""
    from isotrack.web.pages import (
        account_security,
        admin,
        admin_records,
        amend,
        auditor,
        auth,
        biology,
        course_plan,
        emergency,
        patient,
        patient_self,
        pharmacist,
        pharmacy_queue,
        planner,
        prescriber,
        safety,
        search,
    )

    for module in (
        auth,
        account_security,
        amend,
        prescriber,
        course_plan,
        safety,
        biology,
        planner,
        pharmacist,
        pharmacy_queue,
        patient,
        patient_self,
        auditor,
        search,
        emergency,
        admin,
        admin_records,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="web-static")
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(NotAllowed, _not_allowed)
    app.add_exception_handler(CsrfRejected, _csrf)


__all__ = ["ERROR_PAGES", "domain_error_page", "error_page", "mount_web"]
