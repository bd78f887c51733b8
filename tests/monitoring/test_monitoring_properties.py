"""Properties: every screened input is accounted for, whatever is typed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isotrack.engines.monitoring import screen
from isotrack.knowledge import Knowledge

KNOWN_WORDS = ["doxycycline", "peanut", "pregnant", "PCOS", "ibuprofen", "alcohol", "acne"]
terms = st.lists(
    st.one_of(st.sampled_from(KNOWN_WORDS), st.text(min_size=1, max_size=20)), max_size=4
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(conditions=terms, allergies=terms, medications=terms)
def test_no_input_is_silently_passed(
    knowledge: Knowledge, conditions: list[str], allergies: list[str], medications: list[str]
) -> None:
    report = screen(knowledge, conditions, allergies, medications, age_years=30)
    accounted = (
        {(f.input_kind, f.input) for f in report.findings}
        | {(r.input_kind, r.input) for r in report.recognised}
        | {(u.input_kind, u.input) for u in report.unknown}
    )
    given_inputs = {
        *(("condition", t) for t in conditions),
        *(("allergy", t) for t in allergies),
        *(("medication", t) for t in medications),
    }
    assert given_inputs <= accounted
