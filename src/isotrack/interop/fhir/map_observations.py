"""Measurements and test results as Observation: weight, labs, pregnancy tests, PHQ-9."""

from __future__ import annotations

import re
from typing import Any

from isotrack.domain.events import (
    LabResultRecorded,
    MoodScreened,
    PregnancyTestTaken,
    TestResult,
    WeightMeasured,
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
    has_code,
    quantity,
    quantity_value,
)
from isotrack.interop.fhir.mapping import EventMapping, ReadContext, WriteContext

_LOINC_PATTERN = re.compile(r"^\d{1,7}-\d$")


def observation(
    code: JsonDict, category: str, ctx: WriteContext, date: str, **value: Any
) -> JsonDict:
    """An Observation of the course's patient with one HL7 category."""
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [concept(coding(codes.OBSERVATION_CATEGORY, category))],
        "code": code,
        "subject": ctx.patient_reference,
        "effectiveDateTime": date,
        **value,
    }


def effective_date(resource: JsonDict, ctx: ReadContext | None = None) -> str | None:
    """When the observation was made; else the date of the DiagnosticReport that lists it;
    ``issued`` (when it was reported) only as a last resort. Fallbacks are said in a warning."""
    period = resource.get("effectivePeriod")
    found = date_part(resource.get("effectiveDateTime")) or date_part(
        period.get("start") if isinstance(period, dict) else None
    )
    if found is None and ctx is not None:
        found = ctx.report_dates.get(f"Observation/{resource.get('id')}")
        if found is not None:
            ctx.warnings.append("no effective date; dated by its DiagnosticReport")
            return found
        found = date_part(resource.get("issued"))
        if found is not None:
            ctx.warnings.append("no effective date; dated by when it was issued instead")
    return found


def _coded(resource: JsonDict, system: str, wanted: tuple[str, ...] | frozenset[str]) -> bool:
    return has_code(resource.get("code"), system, wanted) is not None


# --- body weight -----------------------------------------------------------------------------


def weight_to_fhir(event: WeightMeasured, ctx: WriteContext) -> JsonDict:
    code = concept(coding(codes.LOINC, codes.LOINC_BODY_WEIGHT, "Body weight"))
    return observation(
        code, "vital-signs", ctx, event.date.isoformat(),
        valueQuantity=quantity(event.weight_kg, "kg"),
    )  # fmt: skip


_TO_KG = {"kg": 1.0, "g": 0.001, "[lb_av]": 0.45359237, "lb": 0.45359237}


def weight_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    value = quantity_value(resource.get("valueQuantity"))
    factor = _TO_KG.get(value[1] or "") if value else None
    if value is None or factor is None:
        ctx.warnings.append("body weight has no value in kg, g or lb")
        return None
    return {"date": effective_date(resource, ctx), "weight_kg": round(value[0] * factor, 3)}


# --- laboratory results ----------------------------------------------------------------------


def lab_to_fhir(event: LabResultRecorded, ctx: WriteContext) -> JsonDict:
    loinc = event.test if _LOINC_PATTERN.match(event.test) else None
    if loinc is None:
        loinc = ctx.lab_loinc_by_name.get(event.test.lower(), {}).get(event.unit)
    codings = [coding(codes.LOINC, loinc)] if loinc else []
    resource = observation(
        concept(*codings, text=event.test), "laboratory", ctx, event.date.isoformat(),
        valueQuantity=quantity(event.value, event.unit),
    )  # fmt: skip
    bounds: JsonDict = {}
    if event.reference_low is not None:
        bounds["low"] = quantity(event.reference_low, event.unit)
    if event.reference_high is not None:
        bounds["high"] = quantity(event.reference_high, event.unit)
    if bounds:
        resource["referenceRange"] = [bounds]
    return resource


def lab_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    value = quantity_value(resource.get("valueQuantity"))
    if value is None or value[1] is None:
        ctx.warnings.append("the lab result has no numeric value with a unit")
        return None
    code = resource.get("code")
    text = code.get("text") if isinstance(code, dict) else None
    loinc = code_in(code, codes.LOINC)
    test = text if _is_isotrack(resource) and isinstance(text, str) else loinc or text
    ranges = resource.get("referenceRange")
    bounds = ranges[0] if isinstance(ranges, list) and ranges else {}
    low = quantity_value(bounds.get("low")) if isinstance(bounds, dict) else None
    high = quantity_value(bounds.get("high")) if isinstance(bounds, dict) else None
    return {
        "date": effective_date(resource, ctx),
        "test": test,
        "value": value[0],
        "unit": value[1],
        "reference_low": low[0] if low else None,
        "reference_high": high[0] if high else None,
    }


def _is_isotrack(resource: JsonDict) -> bool:
    tags = (resource.get("meta") or {}).get("tag") or []
    return any(isinstance(t, dict) and t.get("system") == codes.EVENT_TYPE_TAG for t in tags)


# --- pregnancy tests -------------------------------------------------------------------------


def pregnancy_test_to_fhir(event: PregnancyTestTaken, ctx: WriteContext) -> JsonDict:
    loinc = codes.LOINC_HCG_SERUM if event.kind == "serum" else codes.LOINC_HCG_URINE
    value: JsonDict
    if event.result is TestResult.INVALID:
        value = {"dataAbsentReason": concept(coding(codes.DATA_ABSENT_REASON, "error"))}
    else:
        snomed = (
            codes.SNOMED_POSITIVE
            if event.result is TestResult.POSITIVE
            else (codes.SNOMED_NEGATIVE)
        )
        value = {"valueCodeableConcept": concept(coding(codes.SNOMED, snomed, event.result.value))}
    resource = observation(
        concept(coding(codes.LOINC, loinc)), "laboratory", ctx, event.date.isoformat(), **value
    )
    add_extension(resource, extension(codes.EXT_TEST_SETTING, valueCode=event.setting))
    if event.sensitivity_miu_per_ml is not None:
        add_extension(
            resource,
            extension(
                codes.EXT_SENSITIVITY,
                valueQuantity=quantity(event.sensitivity_miu_per_ml, "mIU/mL"),
            ),
        )
    return resource


def pregnancy_test_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    loinc = has_code(resource.get("code"), codes.LOINC, codes.HCG_KIND_BY_LOINC)
    value = resource.get("valueCodeableConcept")
    result: str | None
    if has_code(value, codes.SNOMED, (codes.SNOMED_NEGATIVE,)):
        result = "negative"
    elif has_code(value, codes.SNOMED, (codes.SNOMED_POSITIVE,)):
        result = "positive"
    elif resource.get("dataAbsentReason") is not None or value is None:
        result = "invalid"
    else:
        ctx.warnings.append("the pregnancy test result is not coded negative or positive")
        result = "invalid"
    setting = extension_value(resource, codes.EXT_TEST_SETTING, "valueCode")
    if setting not in ("medical", "laboratory", "home"):
        ctx.warnings.append(
            "the pregnancy test does not say where it was done; it is treated as a home test, "
            "the setting programmes trust least"
        )
        setting = "home"
    sensitivity = quantity_value(extension_value(resource, codes.EXT_SENSITIVITY, "valueQuantity"))
    if sensitivity is None:
        ctx.warnings.append(
            "the pregnancy test does not state its assay sensitivity; it stays unknown"
        )
    return {
        "date": effective_date(resource, ctx),
        "result": result,
        "kind": codes.HCG_KIND_BY_LOINC.get(loinc or "", "urine"),
        "setting": setting,
        "sensitivity_miu_per_ml": sensitivity[0] if sensitivity else None,
    }


# --- PHQ-9 -------------------------------------------------------------------------------------


def mood_to_fhir(event: MoodScreened, ctx: WriteContext) -> JsonDict:
    items = [
        {"code": concept(coding(codes.LOINC, code)), "valueInteger": score}
        for code, score in zip(codes.LOINC_PHQ9_ITEMS, event.item_scores, strict=True)
    ]
    return observation(
        concept(coding(codes.LOINC, codes.LOINC_PHQ9_TOTAL, "PHQ-9 total score")), "survey",
        ctx, event.date.isoformat(), valueInteger=sum(event.item_scores), component=items,
    )  # fmt: skip


def mood_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    scores: dict[str, int] = {}
    for part in resource.get("component") or []:
        if not isinstance(part, dict):
            continue
        item = has_code(part.get("code"), codes.LOINC, codes.LOINC_PHQ9_ITEMS)
        if item is not None and isinstance(part.get("valueInteger"), int):
            scores[item] = part["valueInteger"]
    if len(scores) != len(codes.LOINC_PHQ9_ITEMS):
        ctx.warnings.append(
            "the PHQ-9 does not carry all nine item scores; item 9 (self-harm) cannot be "
            "checked from a total alone, so it was not read"
        )
        return None
    return {
        "date": effective_date(resource),
        "instrument": "phq9",
        "item_scores": [scores[code] for code in codes.LOINC_PHQ9_ITEMS],
    }


WEIGHT = EventMapping(
    "weight", "Observation", weight_to_fhir, weight_from_fhir,
    lambda r, ctx: _coded(r, codes.LOINC, (codes.LOINC_BODY_WEIGHT,)),
)  # fmt: skip
LAB_RESULT = EventMapping(
    "lab_result", "Observation", lab_to_fhir, lab_from_fhir,
    lambda r, ctx: _coded(r, codes.LOINC, ctx.lab_loinc),
)  # fmt: skip
PREGNANCY_TEST = EventMapping(
    "pregnancy_test", "Observation", pregnancy_test_to_fhir, pregnancy_test_from_fhir,
    lambda r, ctx: _coded(r, codes.LOINC, tuple(codes.HCG_KIND_BY_LOINC)),
)  # fmt: skip
MOOD_SCREEN = EventMapping(
    "mood_screen", "Observation", mood_to_fhir, mood_from_fhir,
    lambda r, ctx: _coded(r, codes.LOINC, (codes.LOINC_PHQ9_TOTAL,)),
)  # fmt: skip
