"""Pregnancy-prevention programme facts: contraception, counselling, comprehension checks,
enrolment, category, assessments, a reported pregnancy and visits."""

from __future__ import annotations

from typing import Any

from isotrack.domain.events import (
    AssessmentDone,
    CategoryAssigned,
    ComprehensionChecked,
    ContraceptionRecorded,
    CounsellingGiven,
    Enrolled,
    PregnancyReported,
    VisitHeld,
)
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    add_extension,
    code_in,
    coding,
    concept,
    date_part,
    extension,
    extension_value,
    extensions,
    has_code,
    identifier_value,
)
from isotrack.interop.fhir.map_observations import effective_date, observation
from isotrack.interop.fhir.mapping import EventMapping, ReadContext, WriteContext


def _local(code: str) -> JsonDict:
    return concept(coding(codes.LOCAL_CODES, code))


def _components(resource: JsonDict) -> list[JsonDict]:
    found = resource.get("component")
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def _component(resource: JsonDict, code: str) -> JsonDict | None:
    for part in _components(resource):
        if has_code(part.get("code"), codes.LOCAL_CODES, (code,)):
            return part
    return None


# --- contraception ---------------------------------------------------------------------------


def contraception_to_fhir(event: ContraceptionRecorded, ctx: WriteContext) -> JsonDict:
    parts: list[JsonDict] = [
        {
            "code": concept(coding(codes.LOINC, codes.LOINC_BIRTH_CONTROL)),
            "valueCodeableConcept": concept(coding(codes.CONTRACEPTION_SYSTEM, method.value)),
        }
        for method in event.methods
    ]
    parts.append({"code": _local(codes.LOCAL_ABSTINENCE), "valueBoolean": event.abstinence})
    if event.started_on is not None:
        parts.append(
            {"code": _local(codes.LOCAL_STARTED_ON), "valueDateTime": event.started_on.isoformat()}
        )
    code = concept(coding(codes.LOINC, codes.LOINC_BIRTH_CONTROL, "Birth control method"))
    return observation(code, "social-history", ctx, event.date.isoformat(), component=parts)


def contraception_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    methods: list[str] = []
    for part in _components(resource):
        if has_code(part.get("code"), codes.LOINC, (codes.LOINC_BIRTH_CONTROL,)):
            method = code_in(part.get("valueCodeableConcept"), codes.CONTRACEPTION_SYSTEM)
            if method is None:
                ctx.warnings.append(
                    "a contraception method is not coded in isotrack's method list; it was "
                    "not counted"
                )
                continue
            methods.append(method)
    abstinence = _component(resource, codes.LOCAL_ABSTINENCE)
    started = _component(resource, codes.LOCAL_STARTED_ON)
    return {
        "date": effective_date(resource),
        "methods": methods,
        "abstinence": bool(abstinence and abstinence.get("valueBoolean") is True),
        "started_on": date_part(started.get("valueDateTime")) if started else None,
    }


# --- counselling and comprehension -----------------------------------------------------------


def counselling_to_fhir(event: CounsellingGiven, ctx: WriteContext) -> JsonDict:
    resource: JsonDict = {
        "resourceType": "Procedure",
        "status": "completed",
        "code": concept(coding(codes.SNOMED, codes.SNOMED_COUNSELLING, "Counseling")),
        "subject": ctx.patient_reference,
        "performedDateTime": event.date.isoformat(),
    }
    for topic in event.topics:
        add_extension(resource, extension(codes.EXT_COUNSELLING_TOPIC, valueString=topic))
    return resource


def counselling_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    period = resource.get("performedPeriod")
    return {
        "date": date_part(resource.get("performedDateTime"))
        or date_part(period.get("start") if isinstance(period, dict) else None),
        "topics": [
            e["valueString"]
            for e in extensions(resource, codes.EXT_COUNSELLING_TOPIC)
            if isinstance(e.get("valueString"), str)
        ],
    }


def comprehension_to_fhir(event: ComprehensionChecked, ctx: WriteContext) -> JsonDict:
    return observation(
        _local(codes.LOCAL_COMPREHENSION), "survey", ctx, event.date.isoformat(),
        valueBoolean=event.passed,
    )  # fmt: skip


def comprehension_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    passed = resource.get("valueBoolean")
    if not isinstance(passed, bool):
        ctx.warnings.append("the comprehension check has no pass or fail")
        return None
    return {"date": effective_date(resource), "passed": passed}


# --- enrolment and category ------------------------------------------------------------------


def enrolment_to_fhir(event: Enrolled, ctx: WriteContext) -> JsonDict:
    resource: JsonDict = {
        "resourceType": "EpisodeOfCare",
        "status": "active",
        "patient": ctx.patient_reference,
        "period": {"start": event.date.isoformat()},
    }
    if event.programme:
        resource["type"] = [concept(coding(codes.PROGRAMME_SYSTEM, event.programme))]
    if event.registry_id:
        resource["identifier"] = [{"system": codes.REGISTRY_ID_SYSTEM, "value": event.registry_id}]
    if event.category:
        add_extension(resource, extension(codes.EXT_CATEGORY, valueCode=event.category))
    if event.risk_form_signed_on is not None or event.risk_form_signed_by:
        parts = []
        if event.risk_form_signed_on is not None:
            parts.append(extension("signed-on", valueDate=event.risk_form_signed_on.isoformat()))
        if event.risk_form_signed_by:
            parts.append(extension("signed-by", valueString=event.risk_form_signed_by))
        add_extension(resource, extension(codes.EXT_RISK_FORM, extension=parts))
    return resource


def enrolment_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    period = resource.get("period")
    return {
        "date": date_part(period.get("start") if isinstance(period, dict) else None),
        "programme": code_in(resource.get("type"), codes.PROGRAMME_SYSTEM),
        "registry_id": identifier_value(resource.get("identifier"), codes.REGISTRY_ID_SYSTEM),
        "category": extension_value(resource, codes.EXT_CATEGORY, "valueCode"),
        **_risk_form(resource),
    }


def _risk_form(resource: JsonDict) -> dict[str, Any]:
    found = extensions(resource, codes.EXT_RISK_FORM)
    if not found:
        return {}
    parts = {p.get("url"): p for p in found[0].get("extension", []) if isinstance(p, dict)}
    return {
        "risk_form_signed_on": date_part(parts.get("signed-on", {}).get("valueDate")),
        "risk_form_signed_by": parts.get("signed-by", {}).get("valueString"),
    }


def category_to_fhir(event: CategoryAssigned, ctx: WriteContext) -> JsonDict:
    value = concept(coding(codes.CATEGORY_SYSTEM, event.category), text=event.reason)
    return observation(
        _local(codes.LOCAL_CATEGORY), "social-history", ctx, event.date.isoformat(),
        valueCodeableConcept=value,
    )  # fmt: skip


def category_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    value = resource.get("valueCodeableConcept")
    reason = value.get("text") if isinstance(value, dict) else None
    return {
        "date": effective_date(resource),
        "category": code_in(value, codes.CATEGORY_SYSTEM),
        "reason": reason,
    }


# --- assessments, a reported pregnancy, visits -----------------------------------------------


def assessment_to_fhir(event: AssessmentDone, ctx: WriteContext) -> JsonDict:
    parts: list[JsonDict] = []
    if event.concern is not None:
        parts.append({"code": _local(codes.LOCAL_CONCERN), "valueBoolean": event.concern})
    if event.outcome is not None:
        parts.append({"code": _local(codes.LOCAL_OUTCOME), "valueString": event.outcome})
    resource = observation(
        concept(coding(codes.ASSESSMENT_SYSTEM, event.kind)), "exam", ctx, event.date.isoformat()
    )
    if parts:
        resource["component"] = parts
    return resource


def assessment_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    concern = _component(resource, codes.LOCAL_CONCERN)
    outcome = _component(resource, codes.LOCAL_OUTCOME)
    return {
        "date": effective_date(resource),
        "kind": code_in(resource.get("code"), codes.ASSESSMENT_SYSTEM),
        "concern": concern.get("valueBoolean") if concern else None,
        "outcome": outcome.get("valueString") if outcome else None,
    }


def pregnancy_reported_to_fhir(event: PregnancyReported, ctx: WriteContext) -> JsonDict:
    return observation(
        concept(coding(codes.LOINC, codes.LOINC_PREGNANCY_STATUS, "Pregnancy status")),
        "social-history", ctx, event.date.isoformat(),
        valueCodeableConcept=concept(coding(codes.SNOMED, codes.SNOMED_PREGNANT, "Pregnant")),
    )  # fmt: skip


def pregnancy_reported_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    return {"date": effective_date(resource)}


def _reports_pregnancy(resource: JsonDict, ctx: ReadContext) -> bool:
    return (
        has_code(resource.get("code"), codes.LOINC, (codes.LOINC_PREGNANCY_STATUS,)) is not None
        and has_code(resource.get("valueCodeableConcept"), codes.SNOMED, (codes.SNOMED_PREGNANT,))
        is not None
    )


def visit_to_fhir(event: VisitHeld, ctx: WriteContext) -> JsonDict:
    return {
        "resourceType": "Encounter",
        "status": "finished",
        "class": coding(codes.V3_ACT_CODE, codes.VISIT_CLASS[event.kind]),
        "subject": ctx.patient_reference,
        "period": {"start": event.date.isoformat()},
    }


def visit_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    period = resource.get("period")
    kind = resource.get("class")
    telehealth = isinstance(kind, dict) and kind.get("code") == codes.VISIT_CLASS["telehealth"]
    return {
        "date": date_part(period.get("start") if isinstance(period, dict) else None),
        "kind": "telehealth" if telehealth else "in_person",
    }


def _local_code(code: str) -> Any:
    return lambda r, ctx: has_code(r.get("code"), codes.LOCAL_CODES, (code,)) is not None


def _never(resource: JsonDict, ctx: ReadContext) -> bool:
    return False  # only recognised when isotrack wrote it (tagged)


CONTRACEPTION = EventMapping(
    "contraception", "Observation", contraception_to_fhir, contraception_from_fhir,
    lambda r, ctx: has_code(r.get("code"), codes.LOINC, (codes.LOINC_BIRTH_CONTROL,)) is not None,
)  # fmt: skip
COUNSELLING = EventMapping(
    "counselling", "Procedure", counselling_to_fhir, counselling_from_fhir,
    lambda r, ctx: has_code(r.get("code"), codes.SNOMED, (codes.SNOMED_COUNSELLING,)) is not None,
)  # fmt: skip
COMPREHENSION = EventMapping(
    "comprehension_check", "Observation", comprehension_to_fhir, comprehension_from_fhir,
    _local_code(codes.LOCAL_COMPREHENSION),
)  # fmt: skip
ENROLMENT = EventMapping(
    "enrolment", "EpisodeOfCare", enrolment_to_fhir, enrolment_from_fhir, _never
)
CATEGORY = EventMapping(
    "category", "Observation", category_to_fhir, category_from_fhir,
    _local_code(codes.LOCAL_CATEGORY),
)  # fmt: skip
ASSESSMENT = EventMapping(
    "assessment", "Observation", assessment_to_fhir, assessment_from_fhir,
    lambda r, ctx: code_in(r.get("code"), codes.ASSESSMENT_SYSTEM) is not None,
)  # fmt: skip
PREGNANCY_REPORTED = EventMapping(
    "pregnancy_reported", "Observation", pregnancy_reported_to_fhir, pregnancy_reported_from_fhir,
    _reports_pregnancy,
)  # fmt: skip
VISIT = EventMapping("visit", "Encounter", visit_to_fhir, visit_from_fhir, _never)
