"""Knowledge records of the pregnancy-prevention programmes (iPLEDGE, EU PPP, UK MHRA).

Two record types, both in ``knowledge/data/programmes.toml``:

- ``[[programme_rule]]``: one rule of a programme edition (the rule ids of
  ``docs/dispense-check.md``), the policies it belongs to, the patients it concerns, the
  parameter names whose numbers the policy supplies, its dated validity and its sources.
  The engine knows what each ``kind`` means; whether a rule applies is data.
- ``[[contraception_scheme]]``: how a programme classes contraceptive methods and which
  combinations of classes it accepts.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from isotrack.knowledge.model import Record, in_force
from isotrack.knowledge.sections import EXTRA_SECTIONS

SNAKE_CASE = r"^[a-z][a-z0-9_]*$"


class RuleKind(StrEnum):
    """What a rule asks for; the programme engine has one check per kind."""

    CATEGORY = "category"
    ENROLMENT = "enrolment"
    COUNSELLING_AT_START = "counselling_at_start"
    COUNSELLING_EACH_PRESCRIPTION = "counselling_each_prescription"
    COMPREHENSION_EACH_PRESCRIPTION = "comprehension_each_prescription"
    SCREENING_TEST = "screening_test"
    CONFIRMATION_TEST = "confirmation_test"
    TEST_BEFORE_FIRST_PRESCRIPTION = "test_before_first_prescription"
    TEST_EACH_PRESCRIPTION = "test_each_prescription"
    # A warning, not a gate: no test since the last dispense (EU base policy).
    TEST_EACH_PRESCRIPTION_ADVISED = "test_each_prescription_advised"
    TEST_SETTING = "test_setting"
    TEST_SENSITIVITY = "test_sensitivity"
    END_OF_COURSE_TEST = "end_of_course_test"
    POST_TREATMENT_TEST = "post_treatment_test"
    CONTRACEPTION = "contraception"
    CONTRACEPTION_AFTER_LAST_DOSE = "contraception_after_last_dose"
    MAX_SUPPLY = "max_supply"
    NO_REFILLS = "no_refills"
    WINDOW_FROM_TEST = "window_from_test"
    WINDOW_FROM_VISIT = "window_from_visit"
    WINDOW_FROM_PRESCRIPTION = "window_from_prescription"
    MISSED_FIRST_WINDOW = "missed_first_window"
    MISSED_LATER_WINDOW = "missed_later_window"
    NO_PREGNANCY = "no_pregnancy"
    NO_BLOOD_DONATION = "no_blood_donation"
    MENTAL_HEALTH_AT_START = "mental_health_at_start"
    MENTAL_HEALTH_EACH_FOLLOW_UP = "mental_health_each_follow_up"
    SEXUAL_FUNCTION_AT_START = "sexual_function_at_start"
    SEXUAL_FUNCTION_EACH_FOLLOW_UP = "sexual_function_each_follow_up"
    TWO_PRESCRIBERS_UNDER_AGE = "two_prescribers_under_age"
    AUTHORIZATION_EACH_DISPENSE = "authorization_each_dispense"


class RuleAudience(StrEnum):
    """Which patients a rule concerns (the programme category)."""

    CAN_GET_PREGNANT = "can_get_pregnant"
    CANNOT_GET_PREGNANT = "cannot_get_pregnant"
    ALL = "all"


class TreatmentPhase(StrEnum):
    BEFORE_FIRST_DOSE = "before_first_dose"
    DURING_AND_AFTER = "during_and_after"


class ProgrammeRule(Record):
    """One rule of a programme edition, with the policies it belongs to and its sources."""

    id: str = Field(pattern=r"^[A-Z]{2,5}(-[A-Za-z0-9]+)+$")
    kind: RuleKind
    title: str = Field(min_length=1)
    policies: list[str] = Field(
        default_factory=list,
        description="policy ids the rule belongs to; empty = only where a clinic override "
        "switches it on",
    )
    audience: RuleAudience
    parameters: list[str] = Field(
        default_factory=list, description="parameter names the policy must map to facts"
    )
    effective_from: dt.date | None = None
    effective_until: dt.date | None = Field(
        default=None, description="first day the rule no longer applies (a dated removal)"
    )
    phase: TreatmentPhase | None = None
    allowed_test_settings: list[str] = Field(default_factory=list)
    contraception_scheme: str | None = None
    replaced_by: str | None = None
    # An ``assessment`` kind whose dated record in the cycle stands in for this requirement
    # (the UK prescriber decision that there is no risk of pregnancy).
    waivable_by_assessment: str | None = None
    source_ids: list[str] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind is RuleKind.TEST_SETTING and (
            not self.allowed_test_settings or not self.phase
        ):
            raise ValueError(
                f"rule {self.id!r}: a test_setting rule needs a phase and allowed_test_settings"
            )
        if self.kind is RuleKind.CONTRACEPTION and self.contraception_scheme is None:
            raise ValueError(f"rule {self.id!r}: a contraception rule names its scheme")
        if (
            self.effective_from is not None
            and self.effective_until is not None
            and self.effective_until <= self.effective_from
        ):
            raise ValueError(f"rule {self.id!r}: effective_until must follow effective_from")
        return self

    def in_force_on(self, day: dt.date) -> bool:
        """True when ``day`` falls inside the rule's dated validity."""
        return in_force(self.effective_from, self.effective_until, day)


class MethodCombination(Record):
    """One accepted way to be covered: at least ``count_parameter`` methods of these classes."""

    classes: list[str] = Field(min_length=1)
    count_parameter: str = Field(pattern=SNAKE_CASE)
    # What one such method is called in the output ("barrier method"); shown with the count the
    # policy asks for, so the reading the policy chose is visible (e.g. "1 hormonal method").
    label: str = ""


class ContraceptionOption(Record):
    """An accepted set of methods: every combination in ``needs`` must hold at once."""

    id: str = Field(pattern=SNAKE_CASE)
    title: str
    needs: list[MethodCombination] = Field(min_length=1)


class ContraceptionScheme(Record):
    """A programme's classes of contraceptive methods and the combinations it accepts.

    Method codes are those of the timeline contract (``ContraceptionMethodCode``); a code the
    scheme does not list counts as not acceptable.
    """

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    classes: dict[str, list[str]] = Field(min_length=1)
    not_acceptable: list[str] = Field(default_factory=list)
    options: list[ContraceptionOption] = Field(min_length=1)
    abstinence_accepted: bool
    source_ids: list[str] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _each_method_once(self) -> Self:
        seen: dict[str, str] = {}
        for class_name, codes in [*self.classes.items(), ("not_acceptable", self.not_acceptable)]:
            for code in codes:
                if code in seen:
                    raise ValueError(
                        f"scheme {self.id!r}: method {code!r} is in both {seen[code]!r} "
                        f"and {class_name!r}"
                    )
                seen[code] = class_name
        for option in self.options:
            for need in option.needs:
                unknown = set(need.classes) - set(self.classes)
                if unknown:
                    raise ValueError(
                        f"scheme {self.id!r} option {option.id!r}: unknown classes "
                        f"{sorted(unknown)}"
                    )
        return self

    def class_of(self, code: str) -> str | None:
        """The class of a method code, or None when the scheme does not accept it."""
        for class_name, codes in self.classes.items():
            if code in codes:
                return class_name
        return None


EXTRA_SECTIONS["programme_rule"] = ProgrammeRule
EXTRA_SECTIONS["contraception_scheme"] = ContraceptionScheme
