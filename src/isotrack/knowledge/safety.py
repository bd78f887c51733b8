"""Knowledge records of clinical safety: which alerts put a course on clinical hold, the patient's
crisis guidance, and the duties a pregnancy exposed to isotretinoin brings.

Which alert codes hold a course is knowledge, not code: each ``[[clinical_hold]]`` names the
alert codes it covers, the pharmacist's action, how the hold may end, and its sources. The
engines check that every named code is one a rule can raise (``engines/holds/rules.py``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from isotrack.knowledge.loader import Knowledge
from isotrack.knowledge.model import Record
from isotrack.knowledge.monitoring import LabGrade, LabStopRule, Phq9Band
from isotrack.knowledge.sections import CROSS_CHECKS, EXTRA_SECTIONS

Market = Literal["us", "uk", "eu"]

# Alert codes the monitoring engines raise from a fixed rule rather than from a record of their
# own (``engines/monitoring/mood.py`` item 9, ``adverse_events.py`` red flags); every other code
# a hold names must be a lab grade's, a stop rule's, a PHQ-9 band's or a pregnancy finding's.
ENGINE_RAISED_CODES = frozenset({"MOOD_SUICIDAL_IDEATION", "ADVERSE_RED_FLAG"})


class ClinicalHoldRule(Record):
    """Alert codes that put the course on clinical hold, and how such a hold ends.

    ``resolves_when_back_in_range``: a later result of the same test that no longer raises the
    code resolves the alert (labs). Otherwise only a prescriber's review ends it.
    ``review_can_lift``: whether a review with outcome ``continue`` lifts the hold (never for a
    pregnancy). ``course_status`` is what the course becomes (``stopped: pregnancy``).
    """

    id: str = Field(pattern=r"^hold\.[a-z0-9_.]+$")
    title: str
    codes: list[str] = Field(min_length=1)
    pharmacist_action: str = Field(min_length=1)
    resolves_when_back_in_range: bool = False
    review_can_lift: bool = True
    course_status: str | None = None
    # Myth topics the patient is not shown while such an alert holds (no myth cards about
    # depression in a mood crisis).
    suppress_myth_topics: list[str] = Field(default_factory=list)
    source_ids: list[str] = Field(min_length=1)
    note: str = ""


class PregnancyFinding(Record):
    """The critical alert a positive pregnancy test or a reported pregnancy raises."""

    id: str
    event: Literal["positive_test", "reported"]
    code: str = Field(pattern=r"^[A-Z0-9_]+$")
    message: str
    action: str
    source_ids: list[str] = Field(min_length=1)


class CrisisLine(Record):
    """A crisis or emergency line a patient can use, worded for the patient."""

    id: str
    market: Market
    name: str
    contact: str
    when: str
    source_ids: list[str] = Field(min_length=1)


class PatientGuidance(Record):
    """Guidance shown to the patient first, in the patient's words (``steps`` in order)."""

    id: str
    headline: str
    steps: list[str] = Field(min_length=1)
    source_ids: list[str] = Field(min_length=1)


class ReportingDuty(Record):
    """Whom a pregnancy exposed to isotretinoin must be reported to, in one market."""

    id: str
    market: Market
    report_to: str
    how: str
    who: Literal["prescriber", "pharmacist", "prescriber_or_pharmacist"]
    source_ids: list[str] = Field(min_length=1)


EXTRA_SECTIONS.update(
    {
        "clinical_hold": ClinicalHoldRule,
        "pregnancy_finding": PregnancyFinding,
        "crisis_line": CrisisLine,
        "patient_guidance": PatientGuidance,
        "reporting_duty": ReportingDuty,
    }
)


def clinical_hold_rules(knowledge: Knowledge) -> list[ClinicalHoldRule]:
    return list(knowledge.records("clinical_hold", ClinicalHoldRule).values())


def hold_rule_by_code(knowledge: Knowledge) -> dict[str, ClinicalHoldRule]:
    """Each holding alert code and the rule that makes it hold (built once per knowledge)."""

    def build() -> dict[str, ClinicalHoldRule]:
        return {code: rule for rule in clinical_hold_rules(knowledge) for code in rule.codes}

    return knowledge.derived("safety.hold_rule_by_code", build)


def pregnancy_findings(knowledge: Knowledge) -> dict[str, PregnancyFinding]:
    return {f.event: f for f in knowledge.records("pregnancy_finding", PregnancyFinding).values()}


def crisis_lines(knowledge: Knowledge, market: str) -> list[CrisisLine]:
    return [c for c in knowledge.records("crisis_line", CrisisLine).values() if c.market == market]


def patient_guidance(knowledge: Knowledge, guidance_id: str) -> PatientGuidance:
    return knowledge.records("patient_guidance", PatientGuidance)[guidance_id]


def reporting_duties(knowledge: Knowledge, market: str) -> list[ReportingDuty]:
    duties = knowledge.records("reporting_duty", ReportingDuty).values()
    return [d for d in duties if d.market == market]


def raisable_codes(knowledge: Knowledge) -> set[str]:
    """Every alert code a record of the knowledge base (or a fixed engine rule) can raise."""
    codes = set(ENGINE_RAISED_CODES)
    codes.update(g.code for g in knowledge.records("lab_grade", LabGrade).values())
    codes.update(r.code for r in knowledge.records("lab_stop_rule", LabStopRule).values())
    bands = knowledge.records("phq9_band", Phq9Band).values()
    codes.update(f"MOOD_PHQ9_{b.id.removeprefix('phq9.').upper()}" for b in bands)
    codes.update(f.code for f in pregnancy_findings(knowledge).values())
    return codes


def safety_problems(knowledge: Knowledge) -> list[str]:
    """Broken links in the safety records: a held code nothing raises, a code held twice, a
    market without crisis lines or reporting duties. Silent when no hold rule is loaded."""
    problems: list[str] = []
    rules = clinical_hold_rules(knowledge)
    if not rules:
        return problems
    known = raisable_codes(knowledge)
    seen: dict[str, str] = {}
    for rule in rules:
        for code in rule.codes:
            if code not in known:
                problems.append(
                    f"clinical hold {rule.id!r} names code {code!r}, which no rule raises"
                )
            if code in seen:
                problems.append(
                    f"clinical hold {rule.id!r}: code {code!r} is already held by {seen[code]!r}"
                )
            seen[code] = rule.id
    for finding in pregnancy_findings(knowledge).values():
        if finding.code not in seen:
            problems.append(
                f"pregnancy finding {finding.id!r}: code {finding.code!r} holds nothing"
            )
    for market in ("us", "uk", "eu"):
        if not crisis_lines(knowledge, market):
            problems.append(f"no crisis line for market {market!r}")
        if not reporting_duties(knowledge, market):
            problems.append(f"no pregnancy reporting duty for market {market!r}")
    return problems


CROSS_CHECKS.append(safety_problems)
