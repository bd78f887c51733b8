"""The order-entry check every stored prescription passes, whichever door it came through.

:func:`require_signable` runs :func:`isotrack.engines.prescribing.check_prescription` on the
course as it stands inside the append's transaction and refuses the prescription, with
nothing stored, for a field error (422 naming the field, its value and what is allowed), an
open clinical hold no review answers (422, the holds listed) or a warning the prescriber has
not confirmed (409, the warnings listed; a dose above the labelled maximum mg/kg/day needs a
second, separate confirmation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from isotrack.domain.errors import (
    ClinicalHoldsUnreviewed,
    FieldProblem,
    IsotrackInputError,
    WarningsNotConfirmed,
)
from isotrack.domain.events import AlertReviewed, PrescriptionWritten
from isotrack.domain.timeline import Timeline
from isotrack.engines.holds import clinical_safety
from isotrack.engines.prescribing import PrescriptionCheck, check_prescription
from isotrack.knowledge import Knowledge


def require_signable(
    knowledge: Knowledge,
    timeline: Timeline,
    draft: PrescriptionWritten,
    today: dt.date,
    reviews: Sequence[AlertReviewed] = (),
    *,
    confirm_warnings: bool = False,
    confirm_above_maximum: bool = False,
) -> PrescriptionCheck:
    """The check's answer when the prescription may be stored; else the refusal, raised.

    A stopped course (a pregnancy, or a review that stopped it) takes no prescription: no
    review sent with it could make it dispensable (decision 21).
    """
    status = clinical_safety(knowledge, timeline, today).course_status
    if status.startswith("stopped"):
        raise IsotrackInputError(
            [FieldProblem("body", "course", status,
                          "a course that is not stopped: no prescription can be signed in it")],
            f"the course is {status}",
        )  # fmt: skip
    check = check_prescription(knowledge, timeline, draft, today, reviews)
    if check.field_errors:
        raise IsotrackInputError(
            [
                FieldProblem("body.prescription", e.field, e.value, e.message)
                for e in check.field_errors
            ],
            "the prescription cannot be signed as written",
        )
    if check.requires_review:
        raise ClinicalHoldsUnreviewed(
            [
                FieldProblem(
                    "body",
                    "reviews",
                    h.alert_id,
                    f"an alert review of this hold ({h.message}) with outcome 'continue' and "
                    "a note giving the reason, sent with the prescription",
                )
                for h in check.requires_review
            ],
            [h.model_dump(mode="json") for h in check.requires_review],
            "the course is on clinical hold: review each hold before signing",
        )
    unconfirmed = [
        w
        for w in check.warnings
        if not confirm_warnings or (w.needs_second_confirmation and not confirm_above_maximum)
    ]
    if unconfirmed:
        raise WarningsNotConfirmed(
            "read the warnings and confirm them to sign"
            + (
                "; the dose above the labelled maximum needs a second confirmation"
                if any(w.needs_second_confirmation for w in unconfirmed)
                else ""
            ),
            [w.model_dump(mode="json") for w in check.warnings],
        )
    return check


def require_known_alert(
    knowledge: Knowledge, timeline: Timeline, review: AlertReviewed, today: dt.date
) -> None:
    """A review must name an alert this course raised (a typo would lift nothing)."""
    known = [t.alert.id for t in clinical_safety(knowledge, timeline, today).alerts]
    if review.alert_id not in known:
        raise IsotrackInputError(
            [
                FieldProblem(
                    "body",
                    "alert_id",
                    review.alert_id,
                    "the id of an alert of this course: " + ", ".join(known)
                    if known
                    else "none: this course has no alert to review",
                )
            ],
            "no such alert in this course",
        )
