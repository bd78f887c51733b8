"""Which mapping carries each timeline event type. Adding an event type: write its mapping
module and add it here; the writer, reader, bulk files and reports pick it up."""

from __future__ import annotations

from collections.abc import Mapping

from isotrack.interop.fhir import map_acne as acne
from isotrack.interop.fhir import map_alert_review as alert_review
from isotrack.interop.fhir import map_corrections as corrections
from isotrack.interop.fhir import map_course as course
from isotrack.interop.fhir import map_history as history
from isotrack.interop.fhir import map_observations as observations
from isotrack.interop.fhir import map_orders as orders
from isotrack.interop.fhir import map_plan as plan
from isotrack.interop.fhir import map_pregnancy_outcome as pregnancy_outcome
from isotrack.interop.fhir import map_programme as programme
from isotrack.interop.fhir.mapping import EventMapping

# Order matters only for data isotrack did not write: the first mapping of a resource type
# that recognises a resource reads it (a hCG Observation before a generic lab result).
MAPPINGS: tuple[EventMapping, ...] = (
    plan.COURSE_PLAN,  # before the prescription: both are MedicationRequests
    orders.PRESCRIPTION,
    orders.DISPENSE,
    observations.WEIGHT,
    observations.PREGNANCY_TEST,
    observations.MOOD_SCREEN,
    observations.LAB_RESULT,
    programme.CONTRACEPTION,
    programme.COUNSELLING,
    programme.COMPREHENSION,
    programme.ENROLMENT,
    programme.CATEGORY,
    programme.ASSESSMENT,
    programme.PREGNANCY_REPORTED,
    pregnancy_outcome.PREGNANCY_OUTCOME,
    acne.ACNE_ASSESSMENT,
    alert_review.ALERT_REVIEW,
    programme.VISIT,
    course.COURSE_START,
    course.COURSE_END,
    course.PAUSE,
    course.RESUME,
    course.DOSE_CHANGE,
    course.DOSE_MISSED,
    history.CONDITION,
    history.ALLERGY,
    history.MEDICATION,
    history.ADVERSE_EVENT,
    corrections.VOID,
    corrections.AMEND,
)

BY_EVENT_TYPE: Mapping[str, EventMapping] = {m.event_type: m for m in MAPPINGS}
RESOURCE_TYPES: frozenset[str] = frozenset(m.resource_type for m in MAPPINGS)


def candidates(resource_type: str) -> tuple[EventMapping, ...]:
    return tuple(m for m in MAPPINGS if m.resource_type == resource_type)
