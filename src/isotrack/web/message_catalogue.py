"""Every message the patient sees, gathered from the code, the templates and the knowledge,
and the check that each language's catalogue translates all of them.

``scripts/i18n`` writes ``web/locale/messages.pot`` and updates each ``messages.po`` from
:func:`patient_messages`; the tests call :func:`missing_translations` for every language.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file

from isotrack.knowledge import Knowledge
from isotrack.service.patient_self import comprehension_questions
from isotrack.web.contraception_words import METHOD_WORDS
from isotrack.web.patient_forms import form_messages
from isotrack.web.patient_knowledge_words import knowledge_messages
from isotrack.web.patient_words import PATIENT_STEPS

WEB_DIR = Path(__file__).parent
# The patient's templates (base.html for its header and footer) and the modules that word
# patient pages, e-mails and the calendar.
# ``_macros.html`` draws the patient's forms too; its staff-only words are not marked.
TEMPLATES = ("base.html", "my_course.html", "my_settings.html", "my_monthly.html",
             "_my_biology.html", "_macros.html")  # fmt: skip
MODULES = (
    "i18n.py", "patient_words.py", "patient_forms.py", "patient_calendar.py",
    "contraception_words.py", "pages/patient.py", "pages/patient_self.py",
    "pages/patient_language.py", "patient_form_errors.py", "washout_explained.py",
    "biology_charts.py", "acne_form.py", "plain_sources.py",
)  # fmt: skip
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _extracted(path: Path, method: str) -> list[str]:
    options = {"extensions": "jinja2.ext.i18n"} if method != "python" else {}
    found = []
    for _lineno, message, _comments, _context in extract_from_file(
        method, str(path), keywords=KEYWORDS, options=options
    ):
        found.extend([message] if isinstance(message, str) else list(message))
    return found


def patient_messages(knowledge: Knowledge) -> list[str]:
    """Each message once, in a stable order: code and templates, then the data-driven ones."""
    messages: list[str] = []
    for name in MODULES:
        messages += _extracted(WEB_DIR / name, "python")
    for name in TEMPLATES:
        messages += _extracted(WEB_DIR / "templates" / name, "jinja2.ext:babel_extract")
    messages += [text for _, text in PATIENT_STEPS.values()]
    messages += list(METHOD_WORDS.values())
    messages += sorted(form_messages(knowledge))
    for question in comprehension_questions(knowledge):
        messages += [question.question, *question.choices, question.explanation]
    messages += knowledge_messages(knowledge)
    seen: dict[str, None] = {}
    for message in messages:
        if message:
            seen.setdefault(message, None)
    return list(seen)


def missing_translations(catalogue: Catalog, messages: list[str]) -> list[str]:
    """Messages the catalogue lacks, leaves empty or fuzzy, or whose placeholders differ."""
    problems = []
    for message in messages:
        entry = catalogue.get(message)
        if entry is None or not entry.string:
            problems.append(f"not translated: {message!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy (needs a translator's check): {message!r}")
        elif set(_PLACEHOLDER.findall(message)) != set(_PLACEHOLDER.findall(str(entry.string))):
            problems.append(f"placeholders differ: {message!r}")
    return problems
