"""Imports every knowledge module that registers an extra section or a cross-record check, so
loading sees them all."""

from __future__ import annotations

import isotrack.knowledge.comprehension  # comprehension_question
import isotrack.knowledge.monitoring  # registers lab tests, side effects, screening, mood
import isotrack.knowledge.monitoring_checks  # links between monitoring records and facts
import isotrack.knowledge.pk  # pk_disposition, pk_absorption
import isotrack.knowledge.programme  # programme_rule, contraception_scheme
import isotrack.knowledge.programme_checks  # rule <-> policy <-> parameter
import isotrack.knowledge.response  # grading_scale
import isotrack.knowledge.rxnorm  # rxnorm_drug
import isotrack.knowledge.safety  # noqa: F401  (clinical_hold, crisis_line, reporting_duty)
