"""Issue 16, second factor for staff: a clinician sets up an authenticator app (RFC 6238
codes, computed here at a fixed moment, never from the wall clock), then signs in with the
password and the current code; a code counts once; a lost phone is recovered by an admin."""

from __future__ import annotations

from collections.abc import Iterator

import pyotp
import pytest
from service_clinic import PASSWORD, TODAY, Clinic

from isotrack.domain.errors import (
    ActionNotAllowed,
    IsotrackInputError,
    SecondFactorNotSetUp,
    SecondFactorRequired,
    SignInFailed,
)
from isotrack.service import accounts, clinic_settings, second_factor
from isotrack.service.accounts import SessionKind
from isotrack.service.context import Service, open_service
from isotrack.service.settings import Settings

# Monday 30 November 2026, 09:00:10 UTC: ten seconds into a 30-second step.
MOMENT = 1_796_029_210.0


class StoppedClock:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def service(settings: Settings, clinic: Clinic) -> Iterator[Service]:
    running = open_service(settings, today=lambda: TODAY, pool_size=4)
    running.now = StoppedClock(MOMENT)
    yield running
    running.close()


def _code(secret: str, at: float) -> str:
    """What the clinician's app shows at ``at`` (pyotp stands in for the phone)."""
    return pyotp.TOTP(secret).at(int(at))


def _enrolled(service: Service, clinic: Clinic, who: str) -> str:
    enrolment = second_factor.begin_enrolment(service, clinic.users[who])
    assert enrolment.otpauth_uri.startswith("otpauth://totp/isotrack:")
    assert f"secret={enrolment.secret}" in enrolment.otpauth_uri
    assert enrolment.qr_svg.startswith("<svg")
    second_factor.confirm_enrolment(service, clinic.users[who], _code(enrolment.secret, MOMENT))
    return enrolment.secret


def test_a_prescriber_with_a_code_signs_in_with_password_and_the_current_code(
    service: Service, clinic: Clinic
) -> None:
    secret = _enrolled(service, clinic, "dr.lee")
    assert second_factor.state_of(service, clinic.users["dr.lee"]).value == "on"
    # The password alone no longer opens a session: it asks for the code.
    with pytest.raises(SecondFactorRequired) as needed:
        accounts.sign_in(service, "dr.lee", PASSWORD, SessionKind.BROWSER)
    service.now = StoppedClock(MOMENT + 30)  # the next step: a new code on the phone
    user, session = accounts.complete_sign_in(
        service, needed.value.challenge, _code(secret, MOMENT + 30), SessionKind.BROWSER
    )
    assert user.username == "dr.lee" and session.csrf_token
    # The API takes password and code in one request.
    service.now = StoppedClock(MOMENT + 60)
    user, _ = accounts.sign_in(
        service, "dr.lee", PASSWORD, SessionKind.BEARER, code=_code(secret, MOMENT + 60)
    )
    assert user.username == "dr.lee"


def test_a_code_counts_once_and_a_stale_or_wrong_code_is_refused(
    service: Service, clinic: Clinic
) -> None:
    secret = _enrolled(service, clinic, "dr.lee")
    service.now = StoppedClock(MOMENT + 30)
    fresh = _code(secret, MOMENT + 30)
    accounts.sign_in(service, "dr.lee", PASSWORD, SessionKind.BEARER, code=fresh)
    with pytest.raises(SignInFailed, match="already used"):
        accounts.sign_in(service, "dr.lee", PASSWORD, SessionKind.BEARER, code=fresh)
    # One step of drift is allowed; two steps (a minute) old is not.
    service.now = StoppedClock(MOMENT + 120)
    with pytest.raises(SignInFailed, match="not right"):
        accounts.sign_in(service, "dr.lee", PASSWORD, SessionKind.BEARER, code=fresh)
    wrong = f"{(int(_code(secret, MOMENT + 120)) + 1) % 1_000_000:06d}"
    with pytest.raises(SignInFailed):
        accounts.sign_in(service, "dr.lee", PASSWORD, SessionKind.BEARER, code=wrong)
    accounts.sign_in(
        service, "dr.lee", PASSWORD, SessionKind.BEARER, code=_code(secret, MOMENT + 90)
    )


def test_a_wrong_first_code_leaves_the_factor_off(service: Service, clinic: Clinic) -> None:
    enrolment = second_factor.begin_enrolment(service, clinic.users["dr.lee"])
    with pytest.raises(IsotrackInputError) as refused:
        second_factor.confirm_enrolment(service, clinic.users["dr.lee"], "12345")
    problem = refused.value.problems[0]
    assert (problem.field, problem.value) == ("code", "12345")
    assert "6-digit" in problem.allowed
    assert second_factor.state_of(service, clinic.users["dr.lee"]).value == "pending"
    # The password alone still signs in until a first code confirms the app.
    accounts.sign_in(service, "dr.lee", PASSWORD, SessionKind.BEARER)
    assert second_factor.pending_enrolment(service, clinic.users["dr.lee"]) == enrolment


def test_a_challenge_that_was_altered_or_is_late_opens_nothing(
    service: Service, clinic: Clinic
) -> None:
    secret = _enrolled(service, clinic, "dr.lee")
    with pytest.raises(SecondFactorRequired) as needed:
        accounts.sign_in(service, "dr.lee", PASSWORD, SessionKind.BROWSER)
    challenge = needed.value.challenge
    forged = challenge.replace(clinic.users["dr.lee"].id, clinic.users["dr.patel"].id)
    service.now = StoppedClock(MOMENT + 30)
    with pytest.raises(SignInFailed, match="not started here"):
        accounts.complete_sign_in(service, forged, _code(secret, MOMENT + 30), SessionKind.BROWSER)
    late = MOMENT + second_factor.CHALLENGE_SECONDS + 30
    service.now = StoppedClock(late)
    with pytest.raises(SignInFailed, match="too long"):
        accounts.complete_sign_in(service, challenge, _code(secret, late), SessionKind.BROWSER)


def test_patients_use_no_second_factor(service: Service, clinic: Clinic) -> None:
    with pytest.raises(ActionNotAllowed):
        second_factor.begin_enrolment(service, clinic.users["maya"])


def test_an_admin_recovers_a_lost_phone_by_removing_the_factor(
    service: Service, clinic: Clinic
) -> None:
    _enrolled(service, clinic, "dr.lee")
    with pytest.raises(ActionNotAllowed):
        second_factor.reset_second_factor(
            service, clinic.users["dr.patel"], clinic.users["dr.lee"].id
        )
    second_factor.reset_second_factor(service, clinic.users["admin"], clinic.users["dr.lee"].id)
    assert second_factor.state_of(service, clinic.users["dr.lee"]).value == "none"
    user, _ = accounts.sign_in(service, "dr.lee", PASSWORD, SessionKind.BEARER)
    assert user.username == "dr.lee"
    # Their old sessions ended with the reset.
    assert accounts.session_of_token(service, clinic.tokens["dr.lee"], on_event_loop=False) is None


def test_when_the_clinic_requires_it_an_admin_without_a_code_may_only_set_one_up(
    service: Service, clinic: Clinic
) -> None:
    admin = clinic.users["admin"]
    clinic_settings.change_settings(
        service, admin, {clinic_settings.SECOND_FACTOR_FOR_ADMIN: "yes"}
    )
    with pytest.raises(SecondFactorNotSetUp):
        accounts.users(service, admin)
    with pytest.raises(SecondFactorNotSetUp):
        accounts.reset_password(service, admin, clinic.users["dr.lee"].id)
    _enrolled(service, clinic, "admin")
    assert any(u.username == "admin" for u in accounts.users(service, admin))
