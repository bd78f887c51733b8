"""The attacker's tools of the tamper tests: remove the append-only guards, then ask verify."""

from __future__ import annotations

from sqlalchemy import text

from isotrack.store.database import Database
from isotrack.store.verify import VerifyReport, verify_all


def without_guards(db: Database) -> None:
    """The attacker first removes the append-only triggers (they own the database)."""
    with db.writing() as connection:
        for table in ("events", "dispense_authorizations"):
            if db.dialect == "postgresql":
                connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            else:
                connection.execute(text(f"DROP TRIGGER {table}_no_update"))
                connection.execute(text(f"DROP TRIGGER {table}_no_delete"))


def verify(db: Database) -> VerifyReport:
    with db.reading() as connection:
        return verify_all(connection)


def problems_of(report: VerifyReport, subject: str) -> list[str]:
    return [f.problem for f in report.findings if f.subject == subject]
