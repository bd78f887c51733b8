"""Order entry: check a draft prescription before it is stored (:func:`check_prescription`)."""

from isotrack.engines.prescribing.check import (
    FieldError,
    PrescribingWarning,
    PrescriptionCheck,
    check_prescription,
)

__all__ = ["FieldError", "PrescribingWarning", "PrescriptionCheck", "check_prescription"]
