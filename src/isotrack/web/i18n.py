"""Translations of the patient pages, reminder e-mails and calendar (gettext through Babel).

The catalogues are ``web/locale/<lang>/LC_MESSAGES/messages.po``, read at start-up (no compile
step: a clean ``pip install -e .`` works); ``scripts/i18n`` extracts and updates them. The
language is the account's choice, else the browser's ``Accept-Language``, else English.
Dates and numbers are written the way each language writes them (Babel's CLDR data).
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from isotrack.service.patient_self import PATIENT_LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "en"
# Said on every translated page, e-mail and calendar: who translated it.
TRANSLATOR = "isotrack contributors (machine-assisted draft)"
LANGUAGE_NAMES = {"en": "English", "es": "Español", "ru": "Русский"}


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The language's catalogue (English: the messages themselves)."""
    path = catalogue_path(language)
    if language == DEFAULT_LANGUAGE or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(fp=compiled)


def _accepted(header: str) -> list[str]:
    """Languages of an ``Accept-Language`` header, most wanted first (q=0 left out)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


def choose_language(account_choice: str | None, accept_language: str | None) -> str:
    """The account's language, else the first of the browser's that isotrack speaks."""
    if account_choice in PATIENT_LANGUAGES:
        return account_choice
    for tag in _accepted(accept_language or ""):
        primary = tag.split("-")[0]
        if primary in PATIENT_LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Speaker:
    """One language's words, dates and numbers, handed to templates and message builders."""

    language: str

    def gettext(self, message: str) -> str:
        return translations(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return translations(self.language).ngettext(singular, plural, count)

    def date(self, value: dt.date | None) -> str:
        """A date nobody can misread, in the language's own long form."""
        if value is None:
            return "—"
        return format_date(value, format="full", locale=self.language)

    def short_date(self, value: dt.date) -> str:
        return format_date(value, format="long", locale=self.language)

    def medium_date(self, value: dt.date) -> str:
        """A chart's axis date, short enough for a phone (``3 Mar 2026``, ``3 мар. 2026 г.``)."""
        return format_date(value, format="medium", locale=self.language)

    def number(self, value: float, digits: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.language)

    @property
    def translated(self) -> bool:
        return self.language != DEFAULT_LANGUAGE

    @property
    def language_name(self) -> str:
        return Locale.parse(self.language).get_display_name(self.language) or self.language


def speaker(language: str) -> Speaker:
    return Speaker(language if language in PATIENT_LANGUAGES else DEFAULT_LANGUAGE)
