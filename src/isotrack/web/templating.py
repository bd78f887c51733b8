"""The Jinja2 environment of the pages: where templates live, date formats, shared globals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from isotrack.web.event_forms import PHQ9_ITEM_TOPICS

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def long_date(value: dt.date | None) -> str:
    """A date nobody can misread: weekday, day, month in words, year (``Tuesday 3 March 2026``).

    >>> long_date(dt.date(2026, 3, 3))
    'Tuesday 3 March 2026'
    """
    if value is None:
        return "—"
    return f"{value.strftime('%A')} {value.day} {value.strftime('%B %Y')}"


def _english(message: str) -> str:
    return message


def _build() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["long_date"] = long_date
    templates.env.globals["phq9_topics"] = PHQ9_ITEM_TOPICS
    # Staff pages are in English; patient pages put their language's ``_`` and ``lang`` in
    # the context (``web.pages.patient_language``), which wins over these.
    templates.env.globals["_"] = _english
    templates.env.globals["lang"] = "en"
    return templates


templates = _build()


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render a page with the signed-in user, the CSRF token and any one-time message."""
    state = request.state
    full = {
        "user": getattr(state, "web_user", None),
        "csrf_token": getattr(state, "csrf_token", ""),
        "flash": getattr(state, "flash", None),
        **context,
    }
    return templates.TemplateResponse(request, name, full, status_code=status_code)
