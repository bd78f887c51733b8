"""Which of a clinic's programme settings a fill was decided with (decision 60): the state the
admin console's history was in when the fill was recorded, or, for a fill imported with its
course, at the start of its day."""

from __future__ import annotations

import datetime as dt

from isotrack.knowledge.clinic_overlay import ClinicOverlay, SettingsPeriod, settings_in_force

FILL_DAY = dt.date(2026, 10, 15)


def _overlay(state: str) -> ClinicOverlay:
    """A distinct overlay per state of the settings (what it overrides is beside the point)."""
    return ClinicOverlay({state: ()})


KIT_SET = SettingsPeriod("2026-10-15T09:30:00.000000Z", _overlay("kit 20 mIU/mL"))
KIT_CHANGED = SettingsPeriod("2026-10-20T08:00:00.000000Z", _overlay("kit 25 mIU/mL"))
HISTORY = (KIT_SET, KIT_CHANGED)


def test_a_fill_recorded_before_the_first_change_had_the_packaged_settings() -> None:
    assert settings_in_force(HISTORY, "2026-10-15T09:29:59.999999Z", FILL_DAY) is None


def test_a_fill_recorded_at_or_after_a_change_was_decided_under_it() -> None:
    assert settings_in_force(HISTORY, KIT_SET.since, FILL_DAY) == KIT_SET.overlay
    assert settings_in_force(HISTORY, "2026-10-19T23:59:59.000000Z", FILL_DAY) == KIT_SET.overlay
    assert settings_in_force(HISTORY, "2026-11-30T10:00:00.000000Z", FILL_DAY) == (
        KIT_CHANGED.overlay
    )


def test_an_imported_fill_has_the_settings_of_the_start_of_its_day() -> None:
    # Imported with its course, the fill has no recording time: a change made during its day
    # is not known to have come before it.
    assert settings_in_force(HISTORY, None, FILL_DAY) is None
    assert settings_in_force(HISTORY, None, dt.date(2026, 10, 16)) == KIT_SET.overlay


def test_with_no_history_every_fill_has_the_packaged_settings() -> None:
    assert settings_in_force((), "2026-10-15T10:00:00.000000Z", FILL_DAY) is None
