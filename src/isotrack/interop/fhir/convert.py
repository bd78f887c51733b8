"""The public entry points of the FHIR mapping, taking the knowledge base for vocabulary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isotrack.domain.timeline import Timeline
from isotrack.interop.fhir import codes, reader, writer
from isotrack.interop.fhir.report import BundleResult, ConversionReport, TimelineResult
from isotrack.knowledge.loader import Knowledge
from isotrack.knowledge.monitoring import lab_tests
from isotrack.knowledge.rxnorm import rxnorm_products


def product_names(knowledge: Knowledge) -> dict[str, str]:
    return {product.id: product.name for product in knowledge.products.values()}


def lab_loinc_by_name(knowledge: Knowledge) -> dict[str, dict[str, str]]:
    """LOINC code per unit for each name a lab test is known by (id and synonyms)."""
    names: dict[str, dict[str, str]] = {}
    for test in lab_tests(knowledge).values():
        by_unit = {code.unit: code.code for code in test.loinc}
        for name in (test.id, *test.synonyms):
            names[name.lower()] = by_unit
    return names


def lab_loinc_codes(knowledge: Knowledge) -> frozenset[str]:
    return frozenset(code.code for test in lab_tests(knowledge).values() for code in test.loinc)


def timeline_to_fhir(knowledge: Knowledge, timeline: Timeline) -> BundleResult:
    """The course as a FHIR R4 ``collection`` Bundle, and what FHIR could not carry."""
    return writer.timeline_to_bundle(
        timeline, product_names(knowledge), lab_loinc_by_name(knowledge)
    )


def fhir_to_timeline(
    knowledge: Knowledge, bundle: Mapping[str, Any] | list[Any] | str | bytes,
    *, policy: str | None = None,
) -> TimelineResult:  # fmt: skip
    """The course in a Bundle (or list of resources); never raises on bad input.

    ``policy`` is used when the Patient does not name the programme policy (data from an EHR
    never does). Warnings, ignored resources and facts not carried are in the report.
    """
    return reader.bundle_to_timeline(
        bundle, product_names(knowledge), lab_loinc_codes(knowledge), policy=policy,
        rxnorm_products=rxnorm_products(knowledge),
    )  # fmt: skip


def patient_identity(
    bundle: Mapping[str, Any] | list[Any] | str | bytes,
) -> tuple[str | None, list[tuple[str, str]]]:
    """The first Patient's logical id and its ``(system, value)`` identifiers (isotrack's own
    event and patient ids excluded), for keeping them as the course's external identifiers."""
    for resource in reader.resources_of(bundle, ConversionReport()):
        if resource["resourceType"] != "Patient":
            continue
        logical_id = resource.get("id")
        found: list[tuple[str, str]] = []
        identifiers = resource.get("identifier")
        for item in identifiers if isinstance(identifiers, list) else []:
            if not isinstance(item, Mapping):
                continue
            system, value = item.get("system"), item.get("value")
            if (
                isinstance(system, str) and isinstance(value, str) and system and value
                and not system.startswith(codes.ISOTRACK_BASE)
            ):  # fmt: skip
                found.append((system, value))
        return (logical_id if isinstance(logical_id, str) else None), found
    return None, []
