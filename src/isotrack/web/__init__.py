"""The clinic's pages: sign-in, prescriber, planner, pharmacist and patient, served by the API app.

``mount_web(app)`` adds the page routes and the static files (CSS, a little JavaScript); every
asset is served by the app itself so the pages work without internet.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from isotrack.web.clinic import CourseHidden
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


def _hidden(request: Request, exc: Exception) -> Response:
    return render(
        request,
        "error.html",
        {"heading": "Not found", "message": "There is no such record, or it is not yours to see."},
        404,
    )


def mount_web(app: FastAPI) -> None:
    """Add the page routes, their error pages and ``/static`` to the service's app."""
    from isotrack.web.pages import auth, patient, pharmacist, planner, prescriber

    for module in (auth, prescriber, planner, pharmacist, patient):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="web-static")
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(NotAllowed, _not_allowed)
    app.add_exception_handler(CsrfRejected, _csrf)
    app.add_exception_handler(CourseHidden, _hidden)


__all__ = ["mount_web"]
