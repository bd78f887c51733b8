"""Clinical safety: holds, alert lifecycle, the pregnancy exposure record, crisis guidance.

The public door for the service, API and web layers. The holds themselves are computed in
``engines/monitoring/holds.py`` (beside the rules whose alerts they track); the programme's
dispense decision calls that engine, so every caller of ``decide_dispense`` sees the holds.
"""

from isotrack.engines.holds.crisis import CrisisContact, CrisisGuidance, mood_crisis_guidance
from isotrack.engines.monitoring.hold_models import (
    AlertReview,
    AlertState,
    ClinicalHold,
    SafetyStatus,
    TrackedAlert,
)
from isotrack.engines.monitoring.holds import clinical_safety
from isotrack.engines.pregnancy_exposure import (
    PregnancyExposure,
    ReportingTask,
    pregnancy_exposure,
)

__all__ = [
    "AlertReview",
    "AlertState",
    "ClinicalHold",
    "CrisisContact",
    "CrisisGuidance",
    "PregnancyExposure",
    "ReportingTask",
    "SafetyStatus",
    "TrackedAlert",
    "clinical_safety",
    "mood_crisis_guidance",
    "pregnancy_exposure",
]
