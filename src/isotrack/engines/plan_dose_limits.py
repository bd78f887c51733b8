"""Plan warnings about who may have the high dose and about a capsule limit (issue 11, item 9).

- US labels give up to 2 mg/kg/day to adults with very severe disease; a plan above the usual
  1 mg/kg/day for a patient under the adult age on a US product is warned.
- No label caps capsules per day: by default the planner sets no limit that could lower a
  labelled dose (``planner.default_max_capsules_per_day`` is the typing-error ceiling). A limit
  the prescriber or clinic sets is shown in the output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from isotrack.domain.timeline import completed_years
from isotrack.engines.plan_warnings import _SEVERITY_ORDER, PlanWarning, plan_warnings
from isotrack.engines.regimen import RegimenChoice
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Product

if TYPE_CHECKING:
    from isotrack.engines.plan_request import PhasePlan, PlanRequest

HIGH_DOSE = "dosing.high_dose_threshold_mg_per_kg_day"
US_ADULT_AGE = "dosing.us_high_dose_adult_age_years"


def _age(request: PlanRequest) -> int | None:
    if request.birth_date is not None:
        return completed_years(request.birth_date, request.start)
    return request.age_years


def dose_limit_warnings(
    knowledge: Knowledge, request: PlanRequest, product: Product, phases: list[PhasePlan]
) -> list[PlanWarning]:
    found: list[PlanWarning] = []
    adult_fact = knowledge.fact(US_ADULT_AGE)
    threshold = knowledge.number(HIGH_DOSE)
    age = _age(request)
    high = [p for p in phases if p.requested_mg_per_kg_per_day > threshold]
    if (
        "US" in product.markets
        and high
        and age is not None
        and age < knowledge.number(US_ADULT_AGE)
    ):
        most = max(p.requested_mg_per_kg_per_day for p in high)
        found.append(
            PlanWarning(
                code="us_high_dose_adults_only",
                severity="warning",
                message=f"{most:g} mg/kg/day is above the usual {threshold:g} mg/kg/day; US labels "
                f"give higher doses (up to 2 mg/kg/day) to adults, and the patient is {age}.",
                source_ids=sorted(adult_fact.source_ids),
            )
        )
    if request.max_capsules_per_day is not None:
        found.append(
            PlanWarning(
                code="capsule_limit_set",
                severity="info",
                message=f"Capsule limit of {request.max_capsules_per_day} a day set for this plan "
                "(no label caps capsules; a dose it cannot reach is flagged).",
                source_ids=sorted(
                    knowledge.fact("planner.default_max_capsules_per_day").source_ids
                ),
            )
        )
    return found


def all_plan_warnings(
    knowledge: Knowledge,
    request: PlanRequest,
    product: Product,
    phases: list[PhasePlan],
    choices: list[RegimenChoice],
    max_capsules: int,
    projected_days: int | None,
) -> list[PlanWarning]:
    """Every plan warning, most serious first."""
    found = [
        *plan_warnings(knowledge, request, product, phases, choices, max_capsules, projected_days),
        *dose_limit_warnings(knowledge, request, product, phases),
    ]
    return sorted(found, key=lambda w: _SEVERITY_ORDER[w.severity])
