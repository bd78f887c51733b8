"""Population audit: every course of a population judged by the engines.

Readers (:mod:`isotrack.audit.readers`) stream timelines; runners (DuckDB embedded, Spark) feed
them in batches to :func:`isotrack.audit.batch.audit_lines`, which calls the pure audit rules
(:mod:`isotrack.audit.rules`) per course. SQL only pre-filters and counts; the engines judge.
"""

from isotrack.audit.findings import SEVERITIES, CourseRow, Finding, Pseudonymiser
from isotrack.audit.rules import audit_course

__all__ = ["SEVERITIES", "CourseRow", "Finding", "Pseudonymiser", "audit_course"]
