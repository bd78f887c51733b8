"""A small, living demo clinic: users and 22 patients whose courses are dated from today.

Every course is a real ``isotrack.timeline/1`` timeline stored through the ordinary store
functions (validated, hash-chained). The patients cover the situations a new user should
meet at once: can and cannot get pregnant, every policy, a missed window, abnormal lipids,
a PHQ-9 alert, a completed course with its post-treatment test due, corrections.
Doses and intervals below are illustrative choices for fictitious people, not advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from isotrack.domain.timeline import Timeline, load_timeline
from isotrack.store.users import Role


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    prescriber: str | None = None
    patient_id: str | None = None


@dataclass
class _Course:
    """Builds one timeline; day offsets are relative to ``today`` (negative = past)."""

    today: dt.date
    patient_id: str
    birth_years_ago: int
    sex: str
    can_get_pregnant: bool
    policy: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def at(self, days: int) -> str:
        return (self.today + dt.timedelta(days=days)).isoformat()

    def add(self, days: int, event_type: str, /, **fields: Any) -> str:
        event_id = fields.pop("id", f"{event_type.replace('_', '-')}-{len(self.events) + 1}")
        self.events.append({"id": event_id, "type": event_type, "date": self.at(days), **fields})
        return str(event_id)

    def timeline(self) -> Timeline:
        birth = self.today.replace(year=self.today.year - self.birth_years_ago, day=1)
        return load_timeline(
            {
                "schema": "isotrack.timeline/1",
                "patient": {
                    "id": self.patient_id,
                    "birth_date": (birth - dt.timedelta(days=40)).isoformat(),
                    "sex_at_birth": self.sex,
                    "can_get_pregnant": self.can_get_pregnant,
                },
                "policy": self.policy,
                "events": self.events,
            }
        )

    # -- building blocks -------------------------------------------------------------------

    def enrol(self, days: int, *, weight_kg: float, confirmed: bool = True) -> None:
        """Enrol on day ``days``. A patient who can get pregnant started contraception five
        weeks before; with ``confirmed`` her screening test was three weeks before and the
        enrolment-day test is the confirmation test, otherwise that test is her screening."""
        category = "can_get_pregnant" if self.can_get_pregnant else "cannot_get_pregnant"
        self.add(days, "enrolment", programme=self.policy, category=category)
        self.add(days, "weight", weight_kg=weight_kg)
        self.add(days, "counselling", topics=["birth_defects", "contraception", "mood"])
        self.add(days, "comprehension_check", passed=True)
        self.add(days, "assessment", kind="mental_health", concern=False)
        if self.can_get_pregnant:
            self.add(days - 35, "contraception", methods=["iud", "male_condom"])
            if confirmed:
                self.add(days - 21, "pregnancy_test", result="negative", kind="urine",
                         setting="medical", sensitivity_miu_per_ml=25)  # fmt: skip
            self.add(days, "pregnancy_test", result="negative", kind="urine", setting="medical",
                     sensitivity_miu_per_ml=25)  # fmt: skip
        self.add(days, "lab_result", test="triglycerides", value=110, unit="mg/dL")
        self.add(days, "lab_result", test="alt", value=22, unit="U/L")

    def month(
        self, days: int, *, product: str, dose_mg: float, dispensed: bool = True, test: bool = True
    ) -> str:
        """A monthly visit: counselling, a test where needed, a prescription, its dispense."""
        self.add(days, "visit")
        self.add(days, "counselling", topics=["contraception", "mood"])
        self.add(days, "comprehension_check", passed=True)
        if self.can_get_pregnant and test:
            self.add(days, "pregnancy_test", result="negative", kind="urine", setting="medical",
                     sensitivity_miu_per_ml=25)  # fmt: skip
        rx = self.add(days, "prescription", product=product, daily_dose_mg=dose_mg, days_supply=30)
        if dispensed:
            self.add(days + 1, "dispense", prescription_id=rx, days_supply=30)
        return rx


def _three_months(course: _Course, start: int, product: str, dose_mg: float, weight: float) -> None:
    course.enrol(start, weight_kg=weight)
    course.month(start + 2, product=product, dose_mg=dose_mg)
    course.add(start + 3, "course_start")
    course.month(start + 32, product=product, dose_mg=dose_mg)
    course.add(start + 32, "mood_screen", item_scores=[0, 1, 0, 0, 0, 0, 0, 0, 0])
    course.month(start + 62, product=product, dose_mg=dose_mg)


@dataclass(frozen=True)
class DemoPatient:
    display_name: str
    prescriber: str
    story: str
    timeline: Timeline


def demo_patients(today: dt.date) -> list[DemoPatient]:
    """The demo clinic's patients, dated from ``today``."""
    built: list[tuple[str, str, str, _Course]] = []

    def course(pid: str, years: int, sex: str, cgp: bool, policy: str) -> _Course:
        return _Course(today, pid, years, sex, cgp, policy)

    c = course("demo-01", 17, "male", False, "us-ipledge-2026")
    _three_months(c, -70, "claravis", 40, 62)
    built.append(("Jonas Berger", "dr.lee", "cannot get pregnant, month 3, all in order", c))

    c = course("demo-02", 22, "female", True, "us-ipledge-2026")
    _three_months(c, -66, "absorica", 40, 58)
    c.add(-1, "pregnancy_test", result="negative", kind="urine", setting="medical",
          sensitivity_miu_per_ml=25)  # fmt: skip
    c.add(-1, "visit")
    c.add(-1, "counselling", topics=["contraception"])
    c.add(-1, "comprehension_check", passed=True)
    c.add(-1, "prescription", product="absorica", daily_dose_mg=40, days_supply=30)
    built.append(
        ("Maya Okafor", "dr.lee", "can get pregnant: prescription waiting to be filled", c)
    )

    c = course("demo-03", 24, "female", True, "us-ipledge-2026")
    c.enrol(-40, weight_kg=64)
    c.month(-12, product="claravis", dose_mg=30, dispensed=False)
    built.append(("Lena Fischer", "dr.lee", "missed the 7-day pick-up window", c))

    c = course("demo-04", 19, "male", False, "us-ipledge-2023")
    _three_months(c, -75, "amnesteem", 60, 81)
    c.add(-5, "lab_result", test="triglycerides", value=620, unit="mg/dL")
    built.append(("Tomás Reyes", "dr.lee", "abnormal lipid panel (triglycerides 620 mg/dL)", c))

    c = course("demo-05", 20, "female", True, "us-ipledge-2026")
    _three_months(c, -68, "claravis", 40, 60)
    c.add(-2, "mood_screen", item_scores=[2, 2, 1, 2, 1, 1, 1, 0, 1])
    built.append(("Priya Nair", "dr.lee", "PHQ-9 with thoughts of self-harm: urgent", c))

    c = course("demo-06", 26, "female", True, "us-ipledge-2026")
    _three_months(c, -160, "absorica", 50, 66)
    c.month(-68, product="absorica", dose_mg=50)
    c.month(-38, product="absorica", dose_mg=50)
    c.add(-8, "course_end", reason="completed")
    built.append(("Sofia Lindqvist", "dr.lee", "course completed: post-treatment test due", c))

    c = course("demo-07", 23, "female", True, "eu-ppp-2018")
    _three_months(c, -64, "roaccutane", 30, 57)
    built.append(("Elena Rossi", "dr.patel", "EU programme, monthly tests, in order", c))

    c = course("demo-08", 16, "female", True, "uk-mhra-2023")
    c.enrol(-10, weight_kg=52)
    c.add(-3, "pregnancy_test", result="negative", kind="urine", setting="medical",
          sensitivity_miu_per_ml=25)  # fmt: skip
    built.append(("Amelia Hughes", "dr.patel", "under 18 in the UK: second prescriber needed", c))

    c = course("demo-09", 29, "male", False, "eu-ppp-2018")
    _three_months(c, -62, "isotretinoin-eu", 40, 77)
    built.append(("Lukas Novak", "dr.patel", "EU, cannot get pregnant, month 3", c))

    c = course("demo-10", 21, "female", True, "uk-mhra-2023")
    _three_months(c, -63, "roaccutane", 30, 61)
    c.add(-3, "assessment", kind="sexual_function", concern=False)
    built.append(("Grace Whitfield", "dr.patel", "UK programme with assessments", c))

    c = course("demo-11", 38, "female", False, "us-ipledge-2023")
    c.add(-90, "condition", term="hysterectomy", status="resolved")
    _three_months(c, -72, "claravis", 40, 70)
    built.append(("Hannah Moreau", "dr.lee", "cannot get pregnant after hysterectomy", c))

    c = course("demo-12", 18, "female", True, "us-ipledge-2026")
    c.enrol(0, weight_kg=55, confirmed=False)
    built.append(("Chloe Adams", "dr.lee", "enrolled today: confirmation test next", c))

    c = course("demo-13", 25, "male", False, "us-ipledge-2026")
    _three_months(c, -70, "absorica", 40, 74)
    c.add(-4, "adverse_event", term="back pain", severity=3)
    c.add(-4, "pause", reason="back pain under assessment")
    built.append(("Omar Haddad", "dr.lee", "paused for a side effect", c))

    c = course("demo-14", 31, "male", False, "us-ipledge-2026")
    _three_months(c, -66, "claravis", 60, 88)
    c.add(-6, "lab_result", test="alt", value=140, unit="U/L", reference_high=40)
    built.append(("Daniel Kowalski", "dr.lee", "ALT above 3 times the upper limit", c))

    c = course("demo-15", 20, "male", False, "us-ipledge-2023")
    _three_months(c, -65, "amnesteem", 40, 68)
    c.add(-20, "dose_missed", days=4)
    built.append(("Ethan Brooks", "dr.lee", "reported four missed days", c))

    c = course("demo-16", 27, "female", True, "us-ipledge-2026")
    _three_months(c, -61, "claravis", 40, 59)
    wrong = c.add(-30, "weight", weight_kg=95)
    c.add(-29, "void", target_id=wrong, reason="typed 95 instead of 59")
    built.append(("Isabel Duarte", "dr.lee", "a corrected (voided) weight", c))

    c = course("demo-17", 22, "male", False, "eu-ppp-2018")
    _three_months(c, -60, "roaccutane", 20, 71)
    dose = c.add(-20, "dose_change", daily_dose_mg=30)
    c.add(-19, "amend", target_id=dose, changes={"daily_dose_mg": 20}, reason="dose kept at 20 mg")
    built.append(("Mateo García", "dr.patel", "low-dose course with an amended dose change", c))

    c = course("demo-18", 24, "female", True, "eu-ppp-2018-monthly-tests")
    _three_months(c, -63, "isotretinoin-eu", 30, 63)
    built.append(("Zoë van Dijk", "dr.patel", "clinic policy with monthly tests", c))

    c = course("demo-19", 28, "female", True, "us-ipledge-2023")
    _three_months(c, -70, "claravis", 40, 65)
    c.add(-3, "pregnancy_test", result="positive", kind="serum", setting="laboratory")
    c.add(-3, "pregnancy_reported")
    c.add(-3, "course_end", reason="pregnancy")
    built.append(("Nora Jensen", "dr.lee", "positive test: treatment stopped, referral", c))

    c = course("demo-20", 21, "female", True, "us-ipledge-2026")
    _three_months(c, -64, "absorica", 40, 57)
    c.add(-2, "pregnancy_test", result="negative", kind="urine", setting="home",
          sensitivity_miu_per_ml=25)  # fmt: skip
    built.append(("Aisha Bello", "dr.lee", "reported a home pregnancy test", c))

    c = course("demo-21", 33, "male", False, "us-ipledge-2026")
    _three_months(c, -190, "claravis", 60, 90)
    c.month(-98, product="claravis", dose_mg=60)
    c.month(-68, product="claravis", dose_mg=60)
    c.add(-40, "course_end", reason="completed")
    built.append(("Marcus Webb", "dr.lee", "completed course, cannot get pregnant", c))

    c = course("demo-22", 30, "female", True, "uk-mhra-2023")
    _three_months(c, -66, "roaccutane", 40, 68)
    c.add(-5, "lab_result", test="cholesterol_total", value=8.4, unit="mmol/L")
    built.append(("Ruth Campbell", "dr.patel", "UK, raised cholesterol", c))

    return [DemoPatient(name, who, story, c.timeline()) for name, who, story, c in built]


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Clinic administrator", Role.ADMIN),
    DemoUser("dr.lee", "Dr Jordan Lee", Role.PRESCRIBER),
    DemoUser("dr.patel", "Dr Anika Patel", Role.PRESCRIBER),
    DemoUser("nurse.kim", "Nurse Sam Kim", Role.DESIGNEE, prescriber="dr.lee"),
    DemoUser("pharmacist", "Robin Ross, pharmacist", Role.PHARMACIST),
    DemoUser("auditor", "Programme auditor", Role.AUDITOR),
    DemoUser("maya", "Maya Okafor", Role.PATIENT, patient_id="demo-02"),
    DemoUser("priya", "Priya Nair", Role.PATIENT, patient_id="demo-05"),
    DemoUser("jonas", "Jonas Berger", Role.PATIENT, patient_id="demo-01"),
)
