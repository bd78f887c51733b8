"""A synthetic programme population with violations injected at known rates (``truth.json``).

Every course follows the programme of its policy (all four policies, both categories, complete
and interrupted courses); a share of courses then gets exactly one deliberate violation, and the
truth file names the rule the audit must report, the event concerned, and every finding the
injection may cause. Deterministic per seed: course ``i`` depends only on (seed, i).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

POLICIES = ("us-ipledge-2023", "us-ipledge-2026", "eu-ppp-2018", "uk-mhra-2023")
PROGRAMME_NAME = {"us": "ipledge", "eu": "eu-ppp", "uk": "uk-ppp"}
FIRST_DISPENSE = dt.date(2025, 1, 6)
AUDIT_DATE = dt.date(2026, 11, 1)
VIOLATION_RATE = 0.3
INTERRUPTED_RATE = 0.2
LAB_PANEL = (
    ("alt", 22.0, "U/L"),
    ("ast", 24.0, "U/L"),
    ("triglycerides", 110.0, "mg/dL"),
    ("cholesterol_total", 175.0, "mg/dL"),
    ("ldl_cholesterol", 95.0, "mg/dL"),
    ("hdl_cholesterol", 55.0, "mg/dL"),
)
KINDS = (
    "missing_monthly_test",
    "double_dispense",
    "supply_over_limit",
    "missing_post_test",
    "late_post_test",
    "exposure",
    "missing_labs",
    "missing_mood",
    "contraception_gap",
)


@dataclass
class Injection:
    """One deliberate violation: the finding that must appear, and all it may cause."""

    course_id: str
    kind: str
    rule_id: str
    event_id: str
    allowed_rules: list[str]
    allowed_events: list[str]

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class _Builder:
    events: list[dict[str, Any]] = field(default_factory=list)

    def add(self, event_id: str, event_type: str, day: dt.date, /, **fields: Any) -> None:
        self.events.append({"id": event_id, "type": event_type, "date": day.isoformat(), **fields})

    def drop(self, *event_ids: str) -> None:
        self.events = [e for e in self.events if e["id"] not in event_ids]


def synth_course(seed: int, index: int) -> tuple[dict[str, Any], Injection | None]:
    """Course ``index`` of the population of ``seed`` and its injected violation, if any."""
    rng = random.Random(seed * 1_000_003 + index)
    policy = POLICIES[rng.randrange(len(POLICIES))]
    female = rng.random() < 0.75
    cgp = female and rng.random() < 0.8
    patient = {
        "id": f"syn-{seed}-{index:07d}",
        "birth_date": dt.date(
            rng.randint(1980, 2005), rng.randint(1, 12), rng.randint(1, 28)
        ).isoformat(),
        "sex_at_birth": "female" if female else "male",
        "can_get_pregnant": cgp,
    }
    cycles = rng.randint(4, 6)
    interrupted = rng.random() < INTERRUPTED_RATE
    if interrupted:
        cycles = rng.randint(2, cycles - 1)
    d0 = FIRST_DISPENSE + dt.timedelta(days=rng.randrange(365))
    prescriber = f"prescriber-{rng.randint(1, 40):03d}"
    b = _course(policy, cgp, cycles, interrupted, d0, prescriber)
    timeline: dict[str, Any] = {
        "schema": "isotrack.timeline/1",
        "policy": policy,
        "patient": patient,
    }
    course_id = f"{patient['id']}:{b.events[0]['id']}"
    injection = None
    if rng.random() < VIOLATION_RATE:
        kinds = [k for k in KINDS if _applies(k, policy, cgp, interrupted, cycles)]
        kind = kinds[rng.randrange(len(kinds))]
        injection = _inject(b, kind, course_id, cycles, d0, rng)
    timeline["events"] = b.events
    return timeline, injection


def _day(d0: dt.date, offset: int) -> dt.date:
    return d0 + dt.timedelta(days=offset)


def _test(b: _Builder, event_id: str, day: dt.date, result: str = "negative") -> None:
    b.add(
        event_id,
        "pregnancy_test",
        day,
        result=result,
        kind="urine",
        setting="medical",
        sensitivity_miu_per_ml=25,
    )


def _cycle_care(b: _Builder, k: int, day: dt.date, cgp: bool) -> None:
    """What each prescription visit holds: counselling, assessments, labs, mood, a visit."""
    if cgp and k > 0:
        _test(b, f"pt{k}", day)
    b.add(f"cns{k}", "counselling", day)
    b.add(f"v{k}", "visit", day)
    b.add(f"cc{k}", "comprehension_check", day, passed=True)
    for kind in ("mental_health", "sexual_function"):
        b.add(f"{kind[:2]}{k}", "assessment", day, kind=kind, concern=False)
    for test, value, unit in LAB_PANEL:
        b.add(f"lab{k}-{test}", "lab_result", day, test=test, value=value, unit=unit)
    b.add(f"mood{k}", "mood_screen", day, item_scores=[0] * 9)


def _course(
    policy: str, cgp: bool, cycles: int, interrupted: bool, d0: dt.date, prescriber: str
) -> _Builder:
    b = _Builder()
    pre = _day(d0, -35)
    if cgp:
        b.add("c1", "contraception", pre, methods=["combined_oral_contraceptive", "male_condom"])
    category = "can_get_pregnant" if cgp else "cannot_get_pregnant"
    b.add(
        "enr", "enrolment", _day(d0, -33), programme=PROGRAMME_NAME[policy[:2]], category=category
    )
    b.add("cns-start", "counselling", _day(d0, -33))
    if cgp:
        _test(b, "pt-screen", _day(d0, -33))
        _test(b, "pt0", _day(d0, -2))
    for k in range(cycles):
        rx_day = _day(d0, 30 * k - 2)
        _cycle_care(b, k, rx_day, cgp)
        b.add(
            f"rx{k}",
            "prescription",
            rx_day,
            product="claravis",
            daily_dose_mg=40,
            days_supply=30,
            refills=0,
            prescriber_id=prescriber,
        )
        b.add(f"disp{k}", "dispense", _day(d0, 30 * k), prescription_id=f"rx{k}", days_supply=30)
        if k == 0:
            b.add("start", "course_start", d0)
    last = _day(d0, 30 * (cycles - 1) + (10 if interrupted else 29))
    b.add("end", "course_end", last, reason="patient_choice" if interrupted else "completed")
    if cgp:
        _test(b, "pt-end", _day(last, 1))
        _test(b, "pt-post", _day(last, 33))
    return b


def _applies(kind: str, policy: str, cgp: bool, interrupted: bool, cycles: int) -> bool:
    if kind == "missing_monthly_test":  # every policy, UK included (UK-PT-03, decision 25)
        return cgp
    if kind in ("missing_post_test", "late_post_test", "exposure", "contraception_gap"):
        return cgp
    if kind == "supply_over_limit":
        return cgp or policy.startswith("us-")
    return True


def _inject(
    b: _Builder, kind: str, course_id: str, cycles: int, d0: dt.date, rng: random.Random
) -> Injection:
    k = rng.randint(1, cycles - 1)
    disp = f"disp{k}"
    if kind == "missing_monthly_test":
        b.drop(f"pt{k}")
        return Injection(
            course_id, kind, "unauthorized_dispense.test", disp, ["unauthorized_dispense."], [disp]
        )
    if kind == "double_dispense":
        at = next(i for i, e in enumerate(b.events) if e["id"] == disp)
        b.events.insert(
            at + 1,
            {
                "id": "disp-again",
                "type": "dispense",
                "date": _day(d0, 30 * k + 1).isoformat(),
                "prescription_id": f"rx{k}",
                "days_supply": 30,
            },
        )
        return Injection(
            course_id,
            kind,
            "double_dispense",
            "disp-again",
            ["double_dispense", "monitoring."],
            ["disp-again"],
        )
    if kind == "supply_over_limit":
        next(e for e in b.events if e["id"] == disp)["days_supply"] = 35
        return Injection(course_id, kind, "supply_over_limit", disp, ["supply_over_limit"], [disp])
    if kind == "missing_post_test":
        b.drop("pt-post")
        return Injection(
            course_id,
            kind,
            "post_treatment_test.missing",
            "end",
            ["post_treatment_test.missing"],
            ["end"],
        )
    if kind == "late_post_test":
        post = next(e for e in b.events if e["id"] == "pt-post")
        post["date"] = (dt.date.fromisoformat(post["date"]) + dt.timedelta(days=25)).isoformat()
        return Injection(
            course_id,
            kind,
            "post_treatment_test.late",
            "pt-post",
            ["post_treatment_test.late"],
            ["pt-post"],
        )
    if kind == "exposure":
        end = dt.date.fromisoformat(next(e for e in b.events if e["id"] == "end")["date"])
        _test(b, "pt-positive", _day(end, 10), result="positive")
        reported = rng.random() < 0.5
        if reported:
            b.add("preg-report", "pregnancy_reported", _day(end, 12))
        rules = ["pregnancy.exposure"] + ([] if reported else ["pregnancy.exposure_not_reported"])
        return Injection(
            course_id, kind, "pregnancy.exposure", "pt-positive", rules, ["pt-positive"]
        )
    if kind == "missing_labs":
        b.drop(*[f"lab0-{test}" for test, _, _ in LAB_PANEL])
        return Injection(
            course_id,
            kind,
            "monitoring.lab_overdue",
            "disp1",
            ["monitoring.lab_overdue"],
            [f"disp{i}" for i in range(cycles)],
        )
    if kind == "missing_mood":
        b.drop(*[f"mood{i}" for i in range(cycles)])
        return Injection(
            course_id,
            kind,
            "monitoring.mood_screen_overdue",
            "disp1",
            ["monitoring.mood_screen_overdue"],
            [f"disp{i}" for i in range(cycles)],
        )
    # contraception_gap: no method recorded for a few days before this fill
    at = next(i for i, e in enumerate(b.events) if e["id"] == f"rx{k}")
    gap = {
        "id": "c-gap",
        "type": "contraception",
        "date": _day(d0, 30 * k - 5).isoformat(),
        "methods": [],
    }
    back = {
        "id": "c-back",
        "type": "contraception",
        "date": _day(d0, 30 * k - 1).isoformat(),
        "methods": ["combined_oral_contraceptive", "male_condom"],
    }
    b.events[at:at] = [gap, back]
    b.events.sort(key=lambda e: e["date"])
    return Injection(
        course_id,
        kind,
        "unauthorized_dispense.contraception",
        disp,
        ["unauthorized_dispense."],
        [disp],
    )
