"""The course's own course as MedicationStatement of isotretinoin: start, end, pause, resume,
dose change and missed doses. MedicationStatement.status carries what happened (active,
completed/stopped, on-hold, not-taken); the event-type tag tells start from resume, which
share ``active``. Untagged statements are not guessed at: the reader reports them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from isotrack.domain.events import (
    CourseEnded,
    CourseStarted,
    DoseChanged,
    DoseMissed,
    TreatmentPaused,
    TreatmentResumed,
)
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    code_in,
    coding,
    concept,
    date_part,
    first,
    quantity,
    quantity_value,
    text_of,
)
from isotrack.interop.fhir.mapping import EventMapping, ReadContext, WriteContext
from isotrack.interop.fhir.medication import ingredient_concept


def _statement(status: str, ctx: WriteContext, **fields: Any) -> JsonDict:
    return {
        "resourceType": "MedicationStatement",
        "status": status,
        "medicationCodeableConcept": ingredient_concept(),
        "subject": ctx.patient_reference,
        **fields,
    }


def _when(resource: JsonDict) -> str | None:
    period = resource.get("effectivePeriod")
    if isinstance(period, dict):
        return date_part(period.get("start")) or date_part(period.get("end"))
    return date_part(resource.get("effectiveDateTime"))


def start_to_fhir(event: CourseStarted, ctx: WriteContext) -> JsonDict:
    return _statement("active", ctx, effectivePeriod={"start": event.date.isoformat()})


def end_to_fhir(event: CourseEnded, ctx: WriteContext) -> JsonDict:
    status = "completed" if event.reason == "completed" else "stopped"
    return _statement(
        status, ctx, effectivePeriod={"end": event.date.isoformat()},
        statusReason=[concept(coding(codes.COURSE_END_SYSTEM, event.reason))],
    )  # fmt: skip


def end_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    reason = code_in(resource.get("statusReason"), codes.COURSE_END_SYSTEM)
    if reason is None:
        reason = "completed" if resource.get("status") == "completed" else "other"
    return {"date": _when(resource), "reason": reason}


def pause_to_fhir(event: TreatmentPaused, ctx: WriteContext) -> JsonDict:
    fields: JsonDict = {"effectiveDateTime": event.date.isoformat()}
    if event.reason:
        fields["statusReason"] = [concept(text=event.reason)]
    return _statement("on-hold", ctx, **fields)


def pause_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    return {"date": _when(resource), "reason": text_of(first(resource.get("statusReason")))}


def resume_to_fhir(event: TreatmentResumed, ctx: WriteContext) -> JsonDict:
    return _statement("active", ctx, effectiveDateTime=event.date.isoformat())


def dose_change_to_fhir(event: DoseChanged, ctx: WriteContext) -> JsonDict:
    dosage = {
        "text": f"{event.daily_dose_mg:g} mg a day",
        "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [{"doseQuantity": quantity(event.daily_dose_mg, "mg")}],
    }
    return _statement("active", ctx, effectiveDateTime=event.date.isoformat(), dosage=[dosage])


def dose_change_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    dosage = first(resource.get("dosage"))
    rate = first(dosage.get("doseAndRate")) if isinstance(dosage, dict) else None
    dose = quantity_value(rate.get("doseQuantity")) if isinstance(rate, dict) else None
    if dose is None or dose[1] != "mg":
        ctx.warnings.append("the dose change has no daily dose in mg")
        return None
    return {"date": _when(resource), "daily_dose_mg": dose[0]}


def missed_to_fhir(event: DoseMissed, ctx: WriteContext) -> JsonDict:
    last = event.date + dt.timedelta(days=event.days - 1)
    return _statement(
        "not-taken", ctx,
        effectivePeriod={"start": event.date.isoformat(), "end": last.isoformat()},
    )  # fmt: skip


def missed_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    period = resource.get("effectivePeriod") or {}
    start = date_part(period.get("start"))
    end = date_part(period.get("end")) or start
    if start is None or end is None:
        start = end = date_part(resource.get("effectiveDateTime"))
    if start is None or end is None:
        return {"date": None}
    days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
    return {"date": start, "days": days}


def _date_only(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    return {"date": _when(resource)}


def _never(resource: JsonDict, ctx: ReadContext) -> bool:
    return False


COURSE_START = EventMapping(
    "course_start", "MedicationStatement", start_to_fhir, _date_only, _never
)
COURSE_END = EventMapping("course_end", "MedicationStatement", end_to_fhir, end_from_fhir, _never)
PAUSE = EventMapping("pause", "MedicationStatement", pause_to_fhir, pause_from_fhir, _never)
RESUME = EventMapping("resume", "MedicationStatement", resume_to_fhir, _date_only, _never)
DOSE_CHANGE = EventMapping(
    "dose_change", "MedicationStatement", dose_change_to_fhir, dose_change_from_fhir, _never
)
DOSE_MISSED = EventMapping(
    "dose_missed", "MedicationStatement", missed_to_fhir, missed_from_fhir, _never
)
