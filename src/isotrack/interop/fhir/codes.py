"""Every code system, code and URL the FHIR mapping uses, each with the reason it was chosen.

One place, so a reviewer can check the vocabulary without reading the mappers, and so the
reader and the writer can never disagree on a code. Codes from external terminologies are
written as they appear in the terminology; isotrack's own codes live under ``ISOTRACK_BASE``,
an ``.invalid`` host (RFC 6761) because isotrack publishes no terminology server: the URLs are
names, not addresses.
"""

from __future__ import annotations

from typing import Final

# --- External code systems (the FHIR R4 canonical URLs of each terminology) ------------------

LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM: Final = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT_REASON: Final = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
CONDITION_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ADVERSE_EVENT_SEVERITY: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
# Where each resource type records "entered in error" when it has no plain ``status``.
VERIFICATION_STATUS: Final = {
    "Condition": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
    "AllergyIntolerance": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
}
V3_ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_DATA_OPERATION: Final = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
US_CORE_BIRTHSEX: Final = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex"

# --- isotrack's own names ------------------------------------------------------------------------

ISOTRACK_BASE: Final = "https://isotrack.invalid/fhir"
# The event id is an identifier, not only the resource id: FHIR ids allow fewer characters and
# a server may reassign ids, while an identifier survives both.
EVENT_ID_SYSTEM: Final = f"{ISOTRACK_BASE}/event-id"
PATIENT_ID_SYSTEM: Final = f"{ISOTRACK_BASE}/patient-id"
# Tag naming the timeline event type a resource came from, so the reader does not have to
# guess between event types that share a resource type (course start and resume are both an
# active MedicationStatement).
EVENT_TYPE_TAG: Final = f"{ISOTRACK_BASE}/CodeSystem/event-type"
PRODUCT_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/product"
LOCAL_CODES: Final = f"{ISOTRACK_BASE}/CodeSystem/observation"
CONTRACEPTION_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/contraception-method"
CATEGORY_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/programme-category"
ASSESSMENT_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/assessment-kind"
COURSE_END_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/course-end-reason"
PROGRAMME_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/programme"
REGISTRY_ID_SYSTEM: Final = f"{ISOTRACK_BASE}/registry-id"
AUTHORIZATION_SYSTEM: Final = f"{ISOTRACK_BASE}/dispense-authorization"
PRESCRIBER_SYSTEM: Final = f"{ISOTRACK_BASE}/prescriber-id"
PHARMACY_SYSTEM: Final = f"{ISOTRACK_BASE}/pharmacy-id"
RMA_SYSTEM: Final = f"{ISOTRACK_BASE}/ipledge-rma-number"  # the programme's fill authorization
ALERT_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/alert"
RULE_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/rule"
MODULE_URI: Final = f"{ISOTRACK_BASE}/dispense-decision"


def extension_url(name: str) -> str:
    """The URL of one isotrack extension (listed in docs/fhir-mapping.md)."""
    return f"{ISOTRACK_BASE}/StructureDefinition/{name}"


# Extensions: only for facts the engines need that no R4 element holds.
EXT_POLICY: Final = extension_url("policy")  # the programme edition; no Patient element
EXT_CAN_GET_PREGNANT: Final = extension_url("can-get-pregnant")  # programme category basis
EXT_SEX_AT_BIRTH: Final = extension_url("sex-at-birth")  # US Core's has no "intersex"
EXT_TIME_OF_DAY: Final = extension_url("time-of-day")  # isotrack times carry no time zone
EXT_RECORDED_BY: Final = extension_url("recorded-by")
EXT_NOTE: Final = extension_url("note")  # for resources without a ``note`` element
EXT_TEST_SETTING: Final = extension_url("pregnancy-test-setting")
EXT_SENSITIVITY: Final = extension_url("assay-sensitivity")
EXT_COUNSELLING_TOPIC: Final = extension_url("counselling-topic")
EXT_REGIMEN_DAY: Final = extension_url("regimen-day")
EXT_DO_NOT_DISPENSE_AFTER: Final = extension_url("do-not-dispense-after")
EXT_RISK_FORM: Final = extension_url("acknowledgement-of-risk-form")  # UK/EU, signed on/by
EXT_CATEGORY: Final = extension_url("programme-category")
EXT_GRADE: Final = extension_url("adverse-event-grade")  # CTCAE-style 1-5; R4 has 3 levels
EXT_AMEND_CHANGES: Final = extension_url("amended-fields")
EXT_EVENT_ID: Final = extension_url("event-id")  # Provenance has no identifier element

# --- Isotretinoin ----------------------------------------------------------------------------

# RxNorm ingredient (IN) for isotretinoin. No reference note gives verified SCD/SBD codes for
# each product and strength (the landscape note marks its examples "verify"), so isotrack codes
# orders by ingredient plus its own product code, and matches incoming orders on the ingredient
# or on any product name the knowledge base knows.
RXNORM_ISOTRETINOIN_IN: Final = "6064"

# --- Observations ----------------------------------------------------------------------------

LOINC_BODY_WEIGHT: Final = "29463-7"
# hCG presence: 2106-3 urine, 2118-8 serum or plasma; 80384-1 is read as urine as well.
LOINC_HCG_URINE: Final = "2106-3"
LOINC_HCG_SERUM: Final = "2118-8"
HCG_KIND_BY_LOINC: Final = {LOINC_HCG_URINE: "urine", "80384-1": "urine", LOINC_HCG_SERUM: "serum"}
SNOMED_NEGATIVE: Final = "260385009"
SNOMED_POSITIVE: Final = "10828004"
LOINC_PHQ9_TOTAL: Final = "44261-6"
# The nine PHQ-9 items in questionnaire order (LOINC answer list LL358-3 scores 0-3).
LOINC_PHQ9_ITEMS: Final = (
    "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
    "44258-2", "44252-5", "44253-3", "44260-8",
)  # fmt: skip
LOINC_PREGNANCY_STATUS: Final = "82810-3"
SNOMED_PREGNANT: Final = "77386006"
LOINC_BIRTH_CONTROL: Final = "8659-5"  # "Birth control method - Reported"
SNOMED_COUNSELLING: Final = "409063005"  # Counseling (procedure)
# No LOINC code exists for a REMS comprehension check or a programme category: local codes.
LOCAL_COMPREHENSION: Final = "comprehension-check"
LOCAL_CATEGORY: Final = "programme-category"
LOCAL_ABSTINENCE: Final = "abstinence"
LOCAL_STARTED_ON: Final = "started-on"
LOCAL_CONCERN: Final = "concern"
LOCAL_OUTCOME: Final = "outcome"

# Encounter.class for visits (v3 ActCode): AMB ambulatory, VR virtual.
VISIT_CLASS: Final = {"in_person": "AMB", "telehealth": "VR"}

# UCUM codes for the units isotrack writes; anything else is sent as written, with no code.
UCUM_BY_UNIT: Final = {
    "mg": "mg", "kg": "kg", "U/L": "U/L", "mg/dL": "mg/dL", "mmol/L": "mmol/L",
    "umol/L": "umol/L", "ukat/L": "ukat/L", "g/L": "g/L", "g/dL": "g/dL", "mIU/mL": "m[IU]/mL",
    "IU/L": "[IU]/L", "10^9/L": "10*9/L", "%": "%", "d": "d",
}  # fmt: skip
UNIT_BY_UCUM: Final = {code: unit for unit, code in UCUM_BY_UNIT.items()}

# --- Clinical judgements (alert reviews, acne assessments, pregnancy outcomes) ---------------

# No reference note gives a verified LOINC or SNOMED code for these isotrack records, so they
# are coded in isotrack's own systems (listed in docs/fhir-mapping.md) rather than guessed.
ALERT_ID_SYSTEM: Final = f"{ISOTRACK_BASE}/alert-id"
ALERT_REVIEW_OUTCOME_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/alert-review-outcome"
PREGNANCY_OUTCOME_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/pregnancy-outcome"
ACNE_SCALE_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/acne-grading-scale"
ACNE_LESION_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/acne-lesion-count"
ACNE_SCARRING_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/acne-scarring"
ASSESSOR_SYSTEM: Final = f"{ISOTRACK_BASE}/CodeSystem/assessor"
LOCAL_PREGNANCY_OUTCOME: Final = "pregnancy-outcome"
LOCAL_OUTCOME_DETAILS: Final = "outcome-details"
LOCAL_SCARRING: Final = "scarring"
LOCAL_ASSESSED_BY: Final = "assessed-by"
