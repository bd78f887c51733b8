"""The language a patient page speaks: the account's choice, else the browser's."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from isotrack.service.patient_self import my_preferences
from isotrack.web.i18n import Speaker, choose_language, speaker
from isotrack.web.patient_calendar import translator_line
from isotrack.web.session import WebUser, service


def patient_speaker(request: Request, user: WebUser) -> Speaker:
    chosen = my_preferences(service(request), user.user).language
    return speaker(choose_language(chosen, request.headers.get("accept-language")))


def words_context(words: Speaker) -> dict[str, Any]:
    """What every patient template needs to speak the patient's language."""
    return {
        "words": words,
        "_": words.gettext,
        "lang": words.language,
        "translator_note": translator_line(words),
    }
