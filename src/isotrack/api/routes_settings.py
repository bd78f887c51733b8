"""The clinic's settings over the API: read them (admins and auditors), change them (admins).

The same use cases as the admin console (``service/clinic_settings.py``): a change is all or
nothing, each value is checked against what the knowledge base allows (a refused value is a
422 naming the setting, the value and what is allowed, and nothing is stored), and every
change is kept with who, when and the value before. A programme setting changes what every
dispense decision, the worklist, CDS Hooks and FHIR judge with, from the next request on.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from isotrack.api.auth import Principal, current_principal
from isotrack.api.dependencies import get_service
from isotrack.service import clinic_settings
from isotrack.service.context import Service

router = APIRouter(tags=["settings"])


class SettingsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: dict[str, str | float | bool | None] = Field(
        min_length=1,
        description="setting name → new value; a yes/no setting takes true or false, the "
        "urine kit's sensitivity a number in mIU/mL or null for no kit",
    )


def _as_text(value: str | float | bool | None) -> str:
    # The use case reads what a form sends: "yes"/"no", a number as text, "" for no kit.
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _changed(change: Any) -> dict[str, str] | None:
    if change is None:
        return None
    return {"changed_at": change.changed_at, "changed_by": change.changed_by}


def _in_force(service: Service, principal: Principal) -> dict[str, Any]:
    clinic = [
        {
            "name": s.spec.name,
            "label": s.spec.label,
            "explanation": s.spec.explanation,
            "value": s.value,
            "allowed": list(s.spec.choices),
            "default": s.spec.default,
            "changed": _changed(s.changed),
        }
        for s in clinic_settings.settings_in_force(service, principal.user)
    ]
    programme = [
        {
            "name": s.spec.name,
            "label": s.spec.label,
            "explanation": s.spec.explanation,
            "value": s.value,
            "shown": s.shown,
            "allowed": [c.value for c in s.spec.choices] if s.spec.choices else None,
            "maximum": s.spec.maximum,
            "default": s.spec.default,
            "changed": _changed(s.changed),
            "sources": [{"title": x.title, "issuer": x.issuer, "url": x.url} for x in s.sources],
        }
        for s in clinic_settings.programme_settings_in_force(service, principal.user)
    ]
    return {"clinic": clinic, "programme": programme}


@router.get("/settings", summary="The clinic's and the programme's settings in force")
def settings_read(
    principal: Principal = Depends(current_principal), service: Service = Depends(get_service)
) -> dict[str, Any]:
    return _in_force(service, principal)


@router.patch("/settings", summary="Change settings (all or nothing)")
def settings_change(
    body: SettingsChange,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    changed = clinic_settings.change_settings(
        service, principal.user, {name: _as_text(v) for name, v in body.values.items()}
    )
    return {"changed": changed, **_in_force(service, principal)}


@router.get("/settings/history", summary="The latest setting changes, newest first")
def settings_history(
    limit: int = Query(default=20, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> list[dict[str, str]]:
    return [
        {"setting": h.label, "before": h.before, "after": h.after,
         "changed_at": h.changed_at, "changed_by": h.changed_by}
        for h in clinic_settings.settings_history(service, principal.user, limit=limit)
    ]  # fmt: skip
