"""Safety monitoring: labs, adverse events, mood, screening, risk factors and education.

Entry points: :func:`evaluate_monitoring` (the ``monitoring`` section of ``evaluate``),
:func:`screen` (contraindications and interactions of given terms) and
:func:`check_lab_result` (resolve and convert one result, rejecting a unit that does not fit).
"""

from __future__ import annotations

from isotrack.engines.monitoring.alerts import Alert
from isotrack.engines.monitoring.education import EducationItem
from isotrack.engines.monitoring.lab_schedule import LabDue
from isotrack.engines.monitoring.lab_units import LabReading, check_lab_result
from isotrack.engines.monitoring.mood import MoodStatus
from isotrack.engines.monitoring.policy_choice import PolicyChoice
from isotrack.engines.monitoring.report import MonitoringReport, evaluate_monitoring
from isotrack.engines.monitoring.risk_factors import RiskFactorPresent
from isotrack.engines.monitoring.screening import (
    RecognisedTerm,
    ScreeningFinding,
    ScreeningReport,
    UnknownInput,
    screen,
)
from isotrack.knowledge.monitoring import Severity

__all__ = [
    "Alert",
    "EducationItem",
    "LabDue",
    "LabReading",
    "MonitoringReport",
    "MoodStatus",
    "PolicyChoice",
    "RecognisedTerm",
    "RiskFactorPresent",
    "ScreeningFinding",
    "ScreeningReport",
    "Severity",
    "UnknownInput",
    "check_lab_result",
    "evaluate_monitoring",
    "screen",
]
