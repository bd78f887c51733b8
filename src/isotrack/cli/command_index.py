"""Every top-level ``isotrack`` command: its name, the module that defines it and its help.

``isotrack --help`` lists the commands from this table alone, and running a command imports
only the module named here (issue 12: building every command of every module cost more than
the help itself). The help texts are the commands' own docstrings (or their group's help),
copied; ``tests/architecture/test_cli_imports.py`` fails when a command is added, renamed or
re-worded without this table, so the list people read cannot drift from the commands run.
Standard library only: this module is imported before anything else of the CLI.
"""

from __future__ import annotations

from typing import NamedTuple

ROOT_HELP = (
    "isotretinoin therapy management: plan, programme, monitoring, with cited sources. "
    "Clinical decision support for licensed prescribers."
)


class IndexedCommand(NamedTuple):
    name: str
    module: str  # defines ``commands``, a Typer holding this command or command group
    help: str


_CLI = "isotrack.cli."

# In the order ``isotrack --help`` has always listed them: single commands, then groups.
COMMANDS: tuple[IndexedCommand, ...] = (
    IndexedCommand(
        "schema",
        _CLI + "timeline_commands",
        "Print the JSON Schema of a data contract (``isotrack.timeline/1``).",
    ),
    IndexedCommand(
        "evaluate",
        _CLI + "timeline_commands",
        "Evaluate a course as of a date: dose progress, programme, monitoring, schedule.",
    ),
    IndexedCommand(
        "audit",
        _CLI + "audit_commands",
        "Audit a population of courses (default: every course of the configured store); the\n"
        "engines judge every dispense and every course.",
    ),
    IndexedCommand(
        "synth",
        _CLI + "audit_commands",
        "Write a synthetic programme population with violations at known rates (truth.json).",
    ),
    IndexedCommand(
        "facts",
        _CLI + "facts_commands",
        "List cited facts, myths, disagreements or sources; ``--check`` validates the base.",
    ),
    IndexedCommand(
        "screen",
        _CLI + "monitoring_commands",
        "Screen a patient before or during a course. Exit 3 on an absolute contraindication.",
    ),
    IndexedCommand(
        "pk",
        _CLI + "pk_commands",
        "Estimated drug levels after a dose, over a course, and after the last dose.",
    ),
    IndexedCommand(
        "plan",
        _CLI + "plan_commands",
        "Plan a course: capsules per day, supply per prescription, running total and end date.",
    ),
    IndexedCommand(
        "check-dispense",
        _CLI + "programme_commands",
        "May this prescription be dispensed on this day? Exit 0 when authorized, 3 when not.",
    ),
    IndexedCommand(
        "serve",
        _CLI + "service_commands",
        "Start the web service (API at /api/v1, documentation at /docs).",
    ),
    IndexedCommand(
        "demo",
        _CLI + "service_commands",
        "Create demo users and a clinic of demo patients dated from today.",
    ),
    IndexedCommand(
        "import",
        _CLI + "service_commands",
        "Store a course (the patient is created if new). With --format fhir the Patient's "
        "logical\nid and identifiers are kept, so later EHR calls about that Patient find the "
        "course.",
    ),
    IndexedCommand(
        "export",
        _CLI + "service_commands",
        "Write a course as an isotrack.timeline/1 JSON document, or (--format fhir-ndjson) the\n"
        "store's courses as FHIR Bulk Data: one NDJSON file per resource type in a folder.",
    ),
    IndexedCommand(
        "verify",
        _CLI + "service_commands",
        "Check every course's chain and every signed seal; with --checkpoint, sign a new one.",
    ),
    IndexedCommand(
        "cds-client",
        _CLI + "cds_commands",
        "CDS Hooks clients (EHRs) and their signing keys.",
    ),
    IndexedCommand(
        "fhir",
        _CLI + "fhir_commands",
        "FHIR R4: a course timeline as a Bundle, and a Bundle as a course timeline.",
    ),
    IndexedCommand("db", _CLI + "service_commands", "Database schema: create or upgrade it."),
    IndexedCommand("user", _CLI + "service_commands", "User accounts."),
    IndexedCommand("worklist", _CLI + "worklist_commands", "The prescribers' today list."),
)

COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(entry.module for entry in COMMANDS))
