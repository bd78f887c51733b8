"""Pregnancy-prevention programme engine: requirements, the dispense decision, the report.

Pure functions over (knowledge, timeline, date). The rules and their numbers are knowledge
(``knowledge/data/programmes.toml`` and ``policies.toml``); this package only knows what each
kind of rule asks for.
"""

from isotrack.engines.programme.decision import decide_dispense, evaluate_programme
from isotrack.engines.programme.policy import active_policy, edition_in_force
from isotrack.engines.programme.pregnancy_tests import home_test_accepted
from isotrack.engines.programme.report import (
    BLOCKING_STATUSES,
    AppliedOverride,
    DispenseDecision,
    DispenseReason,
    NextStep,
    PolicySummary,
    ProgrammeReport,
    Requirement,
    RequirementStatus,
    Role,
)

__all__ = [
    "BLOCKING_STATUSES",
    "AppliedOverride",
    "DispenseDecision",
    "DispenseReason",
    "NextStep",
    "PolicySummary",
    "ProgrammeReport",
    "Requirement",
    "RequirementStatus",
    "Role",
    "active_policy",
    "decide_dispense",
    "edition_in_force",
    "evaluate_programme",
    "home_test_accepted",
]
