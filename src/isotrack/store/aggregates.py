"""De-identified counts over the whole store, for auditors: no names, no ids, no dates of birth."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from isotrack.store.tables import courses, dispense_authorizations, events, patients


@dataclass(frozen=True)
class StoreAggregates:
    patients: int
    courses_by_policy: dict[str, int]
    events_by_type: dict[str, int]
    dispense_decisions: dict[str, int]  # "authorized" / "refused"
    dispense_decisions_by_month: dict[str, dict[str, int]]


def store_aggregates(connection: Connection) -> StoreAggregates:
    patient_count = connection.execute(select(func.count()).select_from(patients)).scalar_one()
    by_policy = {
        str(policy): int(count)
        for policy, count in connection.execute(
            select(courses.c.policy, func.count()).group_by(courses.c.policy)
        )
    }
    by_type = {
        str(kind): int(count)
        for kind, count in connection.execute(
            select(events.c.type, func.count()).group_by(events.c.type)
        )
    }
    decisions = {"authorized": 0, "refused": 0}
    by_month: dict[str, dict[str, int]] = {}
    rows = connection.execute(
        select(
            dispense_authorizations.c.decided_on,
            dispense_authorizations.c.authorized,
        )
    ).all()
    # Decisions are few per patient per month; counting in Python keeps the SQL portable.
    for decided_on, authorized in rows:
        outcome = "authorized" if authorized else "refused"
        decisions[outcome] += 1
        month = by_month.setdefault(decided_on.strftime("%Y-%m"), {"authorized": 0, "refused": 0})
        month[outcome] += 1
    return StoreAggregates(
        patients=int(patient_count),
        courses_by_policy=by_policy,
        events_by_type=by_type,
        dispense_decisions=decisions,
        dispense_decisions_by_month=dict(sorted(by_month.items())),
    )
