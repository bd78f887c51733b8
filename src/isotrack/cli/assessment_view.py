"""The readable form of ``isotrack evaluate``: each engine's section, in clinical order."""

from __future__ import annotations

from rich.console import Console
from rich.rule import Rule

from isotrack.cli.dose_view import dose_view
from isotrack.cli.monitoring_view import monitoring_view
from isotrack.cli.programme_view import programme_view, schedule_view
from isotrack.cli.response_view import pk_view, response_view
from isotrack.cli.safety_view import exposure_view, safety_view
from isotrack.engines.assessment import Assessment


def print_assessment(console: Console, assessment: Assessment) -> None:
    """Print programme status first (what blocks the patient today), then safety, dose, plan."""
    console.print(
        f"[bold]Course of patient {assessment.patient_id}[/] under policy "
        f"[bold]{assessment.policy}[/], as of {assessment.as_of.isoformat()}",
        highlight=False,
    )
    if assessment.pregnancy_exposure is not None:
        console.print(Rule("Pregnancy exposure"))
        console.print(exposure_view(assessment.pregnancy_exposure))
    sections = (
        ("Clinical holds", safety_view(assessment.monitoring.safety)),
        ("Pregnancy-prevention programme", programme_view(assessment.programme)),
        ("Safety monitoring", monitoring_view(assessment.monitoring)),
        ("Dose progress", dose_view(assessment.dose)),
        ("Schedule", schedule_view(assessment.schedule)),
        ("Response to treatment", response_view(assessment.response)),
        ("Drug levels (estimate, for explanation)", pk_view(assessment.pk)),
    )
    for title, body in sections:
        console.print(Rule(title))
        console.print(body)
