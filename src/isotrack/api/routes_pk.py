"""Estimated drug levels (explanation only, decisions 9 and 16): after a dose of a product, and
over a course's own counted doses. Same JSON as ``isotrack pk --json``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from isotrack.api.auth import Principal, current_principal
from isotrack.api.dependencies import get_service
from isotrack.service import biology
from isotrack.service.context import Service

router = APIRouter(tags=["drug levels"])

_REPORT_FIELDS = (
    "The PkReport of isotrack.engines.pk.report: `single_dose` and `metabolite_single_dose` "
    "(`cmax_ng_per_ml`, `tmax_h`, `auc_ng_h_per_ml` to infinity, `t_half_h`), `curve` (`time_h`, "
    "`isotretinoin_ng_per_ml`, `oxo_isotretinoin_ng_per_ml`), `dose_times_h`, "
    "`steady_state_day`, `washout_days` and `washout` (days until each analyte is back under "
    "the body's own level, beside the one-month rules of the policy and the seed claims), "
    "`notes`, `source_ids`. A population-mean model: for explanation, never for dosing."
)


@router.get(
    "/pk",
    summary="Estimated isotretinoin and 4-oxo-isotretinoin levels after a product's dose",
    description=_REPORT_FIELDS,
)
def product_levels(
    product: str = Query(description="product id, e.g. absorica (see the knowledge base)"),
    dose_mg: float = Query(description="mg per intake", gt=0),
    food: Literal["fed", "fasted"] = Query(default="fed", description="taken with a meal or not"),
    days: int | None = Query(
        default=None, description="repeat the dose daily for this many days; gives washout"
    ),
    doses_per_day: int = Query(default=1, description="intakes a day when `days` is given"),
    policy: str = Query(
        default="us-ipledge-2026", description="policy whose after-treatment rules are compared"
    ),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    report = biology.product_levels(
        service, principal.user, product=product, dose_mg=dose_mg, food=food, days=days,
        doses_per_day=doses_per_day, policy=policy,
    )  # fmt: skip
    return report.model_dump(mode="json", by_alias=True)


@router.get(
    "/courses/{course_id}/pk",
    summary="Estimated levels over the course's counted doses, and the washout after the last",
    description=_REPORT_FIELDS
    + " Each counted day's dose is split into `doses_per_day` equal intakes at the assumed "
    "clock hours. 204 before any dose is counted.",
    responses={204: {"description": "no dose counted yet on or before `as_of`"}},
)
def course_levels(
    course_id: str,
    as_of: dt.date | None = Query(default=None, description="default: today"),
    food: Literal["fed", "fasted"] = Query(default="fed"),
    doses_per_day: int = Query(default=2, description="intakes a day (default 2, as labelled)"),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> Any:
    report = biology.course_levels(
        service, principal.user, course_id, as_of, food=food, doses_per_day=doses_per_day
    )
    if report is None:
        return Response(status_code=204)
    return report.model_dump(mode="json", by_alias=True)
