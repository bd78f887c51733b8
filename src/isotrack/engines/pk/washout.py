"""After the last dose: how long until both analytes are back at the body's own levels, set
beside the one-month rules of the policy and the seed claims about elimination."""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict

from isotrack.engines.periods import fact_days
from isotrack.engines.pk.curves import Curves
from isotrack.engines.pk.regimen import HOURS_PER_DAY
from isotrack.knowledge import Knowledge

RULES = (
    ("contraception_after_last_dose", "Contraception continues after the last dose"),
    ("no_blood_donation_after_last_dose", "No blood donation after the last dose"),
    ("post_treatment_test_delay", "Pregnancy test after the last dose"),
)
MYTHS = ("endogenous_levels_within_2_weeks", "elimination_20_hours_skin_2_4_weeks",
         "pregnancy_years_later_at_risk")  # fmt: skip


class RuleComparison(BaseModel):
    model_config = ConfigDict(frozen=True)
    rule: str
    title: str
    fact_id: str
    rule_days: int
    model_days: float
    covered: bool  # the rule's interval lasts at least as long as the modelled washout
    source_ids: list[str]


class MythComparison(BaseModel):
    model_config = ConfigDict(frozen=True)
    myth_id: str
    claim: str
    verdict: str
    model_shows: str
    source_ids: list[str]


class Washout(BaseModel):
    model_config = ConfigDict(frozen=True)
    last_dose_h: float
    isotretinoin_days: float | None  # None: still above the level at the end of the horizon
    oxo_isotretinoin_days: float | None
    isotretinoin_endogenous_ng_per_ml: float
    oxo_isotretinoin_endogenous_ng_per_ml: float
    rules: list[RuleComparison]
    myths: list[MythComparison]
    source_ids: list[str]


def days_below(
    time_h: np.ndarray, level: np.ndarray, after_h: float, threshold: float
) -> float | None:
    """Days from ``after_h`` to the first point after which ``level`` stays under ``threshold``."""
    above = np.nonzero((time_h >= after_h) & (level >= threshold))[0]
    if above.size and above[-1] == time_h.size - 1:
        return None
    last_above_h = float(time_h[above[-1] + 1]) if above.size else after_h
    return round((last_above_h - after_h) / HOURS_PER_DAY, 1)


def washout(knowledge: Knowledge, policy_id: str, curve: Curves, last_dose_h: float) -> Washout:
    parent_fact = knowledge.fact("pk.endogenous_isotretinoin_ng_ml")
    oxo_fact = knowledge.fact("pk.endogenous_4_oxo_ng_ml")
    parent_days = days_below(
        curve.time_h, curve.isotretinoin_ng_per_ml, last_dose_h, knowledge.number(parent_fact.id)
    )
    oxo_days = days_below(
        curve.time_h, curve.oxo_isotretinoin_ng_per_ml, last_dose_h, knowledge.number(oxo_fact.id)
    )
    known = [d for d in (parent_days, oxo_days) if d is not None]
    model_days = max(known) if len(known) == len((parent_days, oxo_days)) else math.inf
    policy = knowledge.policy(policy_id)
    rules = []
    for parameter, title in RULES:
        fact_id = policy.parameters.get(parameter)
        if fact_id is None:
            continue
        rule_days = fact_days(knowledge, fact_id)
        rules.append(
            RuleComparison(
                rule=parameter,
                title=title,
                fact_id=fact_id,
                rule_days=rule_days,
                model_days=model_days,
                covered=rule_days >= model_days,
                source_ids=list(knowledge.fact(fact_id).source_ids),
            )
        )
    return Washout(
        last_dose_h=last_dose_h,
        isotretinoin_days=parent_days,
        oxo_isotretinoin_days=oxo_days,
        isotretinoin_endogenous_ng_per_ml=knowledge.number(parent_fact.id),
        oxo_isotretinoin_endogenous_ng_per_ml=knowledge.number(oxo_fact.id),
        rules=rules,
        myths=_myths(knowledge, parent_days, oxo_days),
        source_ids=sorted({*parent_fact.source_ids, *oxo_fact.source_ids}),
    )


def _myths(
    knowledge: Knowledge, parent_days: float | None, oxo_days: float | None
) -> list[MythComparison]:
    def shown(days: float | None) -> str:
        return "beyond the modelled horizon" if days is None else f"{days:g} days"

    figures = (
        f"the model puts isotretinoin back under the body's own level after "
        f"{shown(parent_days)} and 4-oxo-isotretinoin after {shown(oxo_days)}"
    )
    claimed_weeks = knowledge.number("pk.return_to_endogenous_after_stop_weeks")
    out = []
    for myth_id in MYTHS:
        myth = knowledge.myths[myth_id]
        if myth_id == "endogenous_levels_within_2_weeks":
            limit = fact_days(knowledge, "pk.return_to_endogenous_after_stop_weeks")
            inside = all(d is not None and d <= limit for d in (parent_days, oxo_days))
            verdict = "within" if inside else "not within"
            text = f"{figures}: {verdict} the {claimed_weeks:g} weeks claimed."
        elif myth_id == "elimination_20_hours_skin_2_4_weeks":
            text = f"{figures}, not within 20 hours of the last dose."
        else:
            text = f"{figures}; nothing of the drug remains above natural levels years later."
        out.append(
            MythComparison(
                myth_id=myth.id,
                claim=myth.claim,
                verdict=myth.verdict.value,
                model_shows=text,
                source_ids=list(myth.source_ids),
            )
        )
    return out
