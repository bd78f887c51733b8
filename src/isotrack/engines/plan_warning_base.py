"""What a plan warning is, and the facts shared by the rules that raise them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Product

Severity = Literal["info", "caution", "warning"]
_SEVERITY_ORDER: dict[str, int] = {"warning": 0, "caution": 1, "info": 2}


# Products whose mg are not conventional mg, and the fact giving the conversion ratio
# (product mg = ratio x conventional mg when both are taken with food).
EQUIVALENCE_FACTS: dict[str, str] = {"absorica-ld": "dosing.absorica_ld_to_absorica_ratio"}

COURSE_LENGTH_US = "dosing.course_length_us_weeks"
COURSE_LENGTH_EU = "dosing.course_length_eu_weeks"
# One fact for the UK age limit, shared with the programme engine's rule UK-U18-01.
UK_TWO_PRESCRIBER_AGE = "programme.uk.two_prescriber_age_below"


class PlanWarning(BaseModel):
    """Something the prescriber should see, with the rule's source."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    source_ids: list[str]


def market_course_length(knowledge: Knowledge, product: Product) -> tuple[str, float, float]:
    """The labelled usual course length (fact id, low weeks, high weeks) for a product's market."""
    fact_id = COURSE_LENGTH_US if "US" in product.markets else COURSE_LENGTH_EU
    low, high = knowledge.bounds(fact_id)
    return fact_id, low, high


# How a rule raises a warning: code, severity, message, then the source ids.
Warn = Callable[..., None]
