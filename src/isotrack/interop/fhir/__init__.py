"""FHIR R4 in and out for isotrack timelines (pure: no clock, no database, no network).

Public entry points: ``convert.timeline_to_fhir`` / ``convert.fhir_to_timeline``,
``bulk.write_bulk`` / ``bulk.read_bulk``, ``decisions`` for alerts and dispense decisions,
``validation.validate_r4`` for strict R4 parsing. See docs/fhir-mapping.md.
"""
