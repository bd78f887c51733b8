"""A positive pregnancy test or a reported pregnancy: one critical alert for each."""

from __future__ import annotations

from collections.abc import Sequence

from isotrack.domain.events import (
    EventBase,
    PregnancyReported,
    PregnancyTestTaken,
    TestResult,
)
from isotrack.engines.monitoring.alerts import Alert
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import Severity
from isotrack.knowledge.safety import pregnancy_findings


def pregnancy_alerts(knowledge: Knowledge, events: Sequence[EventBase]) -> list[Alert]:
    """Critical alerts for every positive test and pregnancy report, in record order.

    A report counts even for a patient recorded as unable to get pregnant: the record of the
    category is what is wrong then, not the pregnancy.
    """
    findings = pregnancy_findings(knowledge)
    alerts: list[Alert] = []
    for event in events:
        if isinstance(event, PregnancyTestTaken) and event.result is TestResult.POSITIVE:
            finding = findings["positive_test"]
            detail = f"{finding.message}: {event.kind} test, {event.setting} setting, specimen "
        elif isinstance(event, PregnancyReported):
            finding = findings["reported"]
            detail = f"{finding.message} on "
        else:
            continue
        alerts.append(
            Alert(
                severity=Severity.CRITICAL,
                code=finding.code,
                topic="pregnancy",
                message=f"{detail}{event.date.isoformat()}.",
                action=finding.action,
                source_ids=list(finding.source_ids),
                event_ids=[event.id],
            )
        )
    return alerts
