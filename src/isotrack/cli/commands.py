"""Imports every command module so that each registers itself on the app."""

from __future__ import annotations

import isotrack.cli.audit_commands
import isotrack.cli.cds_commands
import isotrack.cli.facts_commands
import isotrack.cli.fhir_commands
import isotrack.cli.monitoring_commands
import isotrack.cli.pk_commands
import isotrack.cli.plan_commands
import isotrack.cli.programme_commands
import isotrack.cli.service_commands
import isotrack.cli.worklist_commands  # noqa: F401
from isotrack.cli import timeline_commands  # noqa: F401
