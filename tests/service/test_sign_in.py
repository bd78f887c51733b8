"""Sign-in throttling and account housekeeping in the store (issue 16, sign-in)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from service_clinic import PASSWORD, Clinic

from isotrack.domain.errors import IsotrackInputError
from isotrack.store.accounts import (
    change_password,
    reset_password,
    revoke_own_session,
    sessions_of_user,
)
from isotrack.store.sign_in import (
    SignInThrottled,
    ThrottlePolicy,
    account_scope,
    failures_counted,
    sign_in,
)
from isotrack.store.users import SessionKind, issue_session, session_for_token
from isotrack.store.verify import verify_all

QUICK = ThrottlePolicy(account_free_failures=5, address_free_failures=8, first_delay_seconds=1)


class StoppedClock:
    """An epoch-second clock that moves only when the story says so, however slow the runner."""

    def __init__(self, now: int = 1_790_000_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


SLOW = ThrottlePolicy(account_free_failures=5, address_free_failures=100, first_delay_seconds=600)
# The address limit with a delay far longer than a loaded runner can take between two attempts.
SPRAY = ThrottlePolicy(account_free_failures=5, address_free_failures=8, first_delay_seconds=600)


def test_the_owner_signs_in_after_the_delay_despite_an_attackers_guesses(clinic: Clinic) -> None:
    db = clinic.database
    clock = StoppedClock()
    for _ in range(5):
        guess = sign_in(db, "dr.lee", "wrong guess", address="10.0.0.66", policy=QUICK, clock=clock)
        assert guess is None
    with pytest.raises(SignInThrottled) as throttled:
        sign_in(db, "dr.lee", PASSWORD, address="10.0.0.7", policy=QUICK, clock=clock)
    assert throttled.value.retry_after_seconds == QUICK.first_delay_seconds
    clock.now += throttled.value.retry_after_seconds
    user = sign_in(db, "dr.lee", PASSWORD, address="10.0.0.7", policy=QUICK, clock=clock)
    assert user is not None and user.username == "dr.lee"
    with db.reading() as connection:
        assert failures_counted(connection, account_scope("dr.lee")) == 0


def test_delays_grow_with_each_further_failure() -> None:
    policy = ThrottlePolicy(account_free_failures=5, first_delay_seconds=1, max_delay_seconds=900)
    assert [policy.delay_after(n, 5) for n in (4, 5, 6, 7, 20)] == [0, 1, 2, 4, 900]


def test_spraying_many_accounts_from_one_address_is_throttled(clinic: Clinic) -> None:
    # One guess per account never reaches an account's limit; the address limit catches it.
    db = clinic.database
    names = [f"guess-{n}" for n in range(8)]
    for name in names:
        assert sign_in(db, name, "Winter2026!", address="203.0.113.9", policy=SPRAY) is None
    with pytest.raises(SignInThrottled):
        sign_in(db, "dr.patel", "Winter2026!", address="203.0.113.9", policy=SPRAY)
    # Another address is not affected.
    assert sign_in(db, "dr.patel", PASSWORD, address="198.51.100.2", policy=SPRAY) is not None


def test_64_simultaneous_wrong_passwords_are_counted_exactly(clinic: Clinic) -> None:
    db = clinic.database

    def attempt(n: int) -> str:
        try:
            result = sign_in(db, "pharmacist", f"wrong-{n}", address=None, policy=SLOW)
        except SignInThrottled:
            return "throttled"
        return "checked" if result is None else "signed in"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(64)))
    assert outcomes.count("checked") == SLOW.account_free_failures
    assert outcomes.count("throttled") == 64 - SLOW.account_free_failures
    with db.reading() as connection:
        assert failures_counted(connection, account_scope("pharmacist")) == 5


def test_a_password_change_needs_the_current_one_and_ends_other_sessions(clinic: Clinic) -> None:
    db = clinic.database
    lee = clinic.users["dr.lee"]
    with db.writing() as connection:
        kept = issue_session(connection, lee, SessionKind.BROWSER, 3600)
        other = issue_session(connection, lee, SessionKind.BEARER, 3600)
        kept_sha = session_for_token(connection, kept.token)
    assert kept_sha is not None
    with pytest.raises(IsotrackInputError) as wrong:
        change_password(db, lee.id, "not my password", "a new long password")
    assert wrong.value.problems[0].field == "current_password"
    with pytest.raises(IsotrackInputError) as short:
        change_password(db, lee.id, PASSWORD, "short")
    assert short.value.problems[0].field == "new_password"
    change_password(
        db, lee.id, PASSWORD, "a new long password", keep_session_sha256=kept_sha.token_sha256
    )
    assert sign_in(db, "dr.lee", PASSWORD, address=None) is None
    assert sign_in(db, "dr.lee", "a new long password", address=None) is not None
    with db.reading() as connection:
        assert session_for_token(connection, kept.token) is not None
        assert session_for_token(connection, other.token) is None
        assert verify_all(connection).intact  # the user's seal moved with the change


def test_an_admin_reset_gives_a_new_password_and_ends_every_session(clinic: Clinic) -> None:
    db = clinic.database
    nurse = clinic.users["nurse.kim"]
    new_password = reset_password(db, nurse.id, "admin")
    assert sign_in(db, "nurse.kim", PASSWORD, address=None) is None
    assert sign_in(db, "nurse.kim", new_password, address=None) is not None
    with db.reading() as connection:
        assert session_for_token(connection, clinic.tokens["nurse.kim"]) is None
        assert verify_all(connection).intact


def test_a_user_lists_and_revokes_their_own_sessions_only(clinic: Clinic) -> None:
    db = clinic.database
    lee, patel = clinic.users["dr.lee"], clinic.users["dr.patel"]
    with db.writing() as connection:
        for _ in range(3):
            issue_session(connection, lee, SessionKind.BROWSER, 3600)
    with db.reading() as connection:
        listed = sessions_of_user(connection, lee.id)
    assert len(listed) == 4  # the fixture's bearer token and three browser sessions
    target = listed[0].session_id
    with db.writing() as connection:
        assert not revoke_own_session(connection, patel.id, target)  # not Dr Patel's
        assert revoke_own_session(connection, lee.id, target)
        assert not revoke_own_session(connection, lee.id, target)  # already ended
    with db.reading() as connection:
        assert target not in {s.session_id for s in sessions_of_user(connection, lee.id)}
