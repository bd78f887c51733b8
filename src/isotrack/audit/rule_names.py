"""What each audit rule is called where a person reads it (the report, the auditor's pages)."""

from __future__ import annotations

# Rule ids stay in files for machines; people read these names.
RULE_NAMES = {
    "double_dispense": "Same prescription dispensed twice",
    "supply_over_limit": "More days supplied than the policy allows",
    "post_treatment_test.missing": "Post-treatment pregnancy test missing",
    "post_treatment_test.late": "Post-treatment pregnancy test late",
    "pregnancy.exposure": "Pregnancy exposure",
    "pregnancy.exposure_not_reported": "Exposure without a pregnancy report",
    "pregnancy.exposure_reported_late": "Exposure reported late",
    "monitoring.lab_overdue": "Laboratory tests overdue at a dispense",
    "monitoring.mood_screen_overdue": "Mood screen overdue at a dispense",
    "contraception.gap_after_last_dose": "Contraception lapsed after the last dose",
    "recording.late": "Event recorded long after its date",
}


def rule_name(rule_id: str) -> str:
    """A readable name for an audit rule; programme refusals and holds by their reason."""
    if rule_id in RULE_NAMES:
        return RULE_NAMES[rule_id]
    if rule_id.startswith("unauthorized_dispense.clinical_hold."):
        code = rule_id.removeprefix("unauthorized_dispense.clinical_hold.")
        return f"Dispensed during a clinical hold ({code.replace('_', ' ').lower()})"
    if rule_id.startswith("unauthorized_dispense."):
        reason = rule_id.removeprefix("unauthorized_dispense.").replace(".", ", ")
        return f"Dispensed without authorization ({reason.replace('_', ' ')})"
    return rule_id.replace("_", " ").replace(".", ": ")
