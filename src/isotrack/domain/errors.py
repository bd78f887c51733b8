"""Errors that name what was wrong, where, and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One rejected field: where it is, what it held, and what would have been accepted."""

    location: str  # e.g. "events[3] (id 'rx1').daily_dose_mg"
    field: str
    value: object
    allowed: str

    def message(self) -> str:
        return (
            f"{self.location}, field {self.field!r}: value {self.value!r} is not allowed; "
            f"allowed: {self.allowed}"
        )


class IsotrackError(Exception):
    """Every error a use case raises on purpose. Each door (API, web, CLI) maps the kinds
    below through one table of its own; ``summary`` is a sentence a person can read and
    ``problems`` names each field at fault (empty when no single field is)."""

    def __init__(self, summary: str, problems: list[FieldProblem] | None = None) -> None:
        self.summary = summary
        self.problems = list(problems or [])
        super().__init__(summary)


class RecordNotFound(IsotrackError):
    """No such record, or none this caller may see: the two are not told apart, so that the
    existence of another clinic's patient is not revealed."""


class ActionNotAllowed(IsotrackError):
    """The caller's role may never do this (whatever the record)."""


class EventTypeNotAllowed(ActionNotAllowed):
    """The caller's role may not record this type of event; ``problems`` names the types
    it may record."""


class VersionMismatch(IsotrackError):
    """The course moved on since the caller read it (their ETag is stale)."""

    def __init__(
        self, summary: str, *, course_id: str, current: int, expected: int | None,
        current_etag: str, problems: list[FieldProblem] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(summary, problems)
        self.course_id = course_id
        self.current_etag = current_etag
        self.current = current
        self.expected = expected


class ConcurrentChange(IsotrackError):
    """Another writer recorded an event in the same course at the same moment."""

    def __init__(self, summary: str, *, current: int) -> None:
        super().__init__(summary)
        self.current = current


class IdempotencyKeyReused(IsotrackError):
    """A retry key that was already used for a different request."""


class SignInFailed(IsotrackError):
    """Unknown username or wrong password (the two are not told apart)."""


class SecondFactorRequired(SignInFailed):
    """The password was right and the account uses a second factor: a code from the
    authenticator app is needed. ``challenge`` (signed, short-lived) lets the sign-in go on
    with the code alone."""

    def __init__(self, summary: str, *, challenge: str) -> None:
        super().__init__(summary)
        self.challenge = challenge


class SecondFactorNotSetUp(ActionNotAllowed):
    """The clinic requires a second factor for this role and the account has none yet."""


class SignInThrottled(IsotrackError):
    """Too many failed sign-ins for this username lately."""

    def __init__(self, summary: str, *, retry_after_seconds: int) -> None:
        super().__init__(summary)
        self.retry_after_seconds = retry_after_seconds


class IsotrackInputError(IsotrackError, ValueError):
    """Input was rejected. ``problems`` lists every field at fault."""

    def __init__(self, problems: list[FieldProblem], summary: str = "invalid input") -> None:
        lines = "\n".join(f"- {p.message()}" for p in problems)
        Exception.__init__(self, f"{summary}:\n{lines}" if problems else summary)
        self.problems = problems
        self.summary = summary


def rejected_field(field: str, value: object, allowed: str, summary: str) -> IsotrackInputError:
    """One field of a request body refused by a rule, with what the rule would accept."""
    return IsotrackInputError([FieldProblem("body", field, value, allowed)], summary)


class ClinicalHoldsUnreviewed(IsotrackInputError):
    """A prescription sent while a clinical hold is open and no review answers it.

    ``holds`` are the open holds as plain data (alert id, code, message, action), so each door
    can show them; ``problems`` name the ``reviews`` field, one per hold.
    """

    def __init__(
        self, problems: list[FieldProblem], holds: list[dict[str, object]], summary: str
    ) -> None:
        super().__init__(problems, summary)
        self.holds = holds


class WarningsNotConfirmed(IsotrackError):
    """A prescription with warnings the prescriber has not yet confirmed (nothing stored).

    ``warnings`` as plain data (code, message, needs_second_confirmation); the caller sends
    the prescription again with the confirmations once the prescriber has read them.
    """

    def __init__(self, summary: str, warnings: list[dict[str, object]]) -> None:
        super().__init__(summary)
        self.warnings = warnings
