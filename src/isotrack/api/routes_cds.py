"""CDS Hooks 2.0: discovery, the three services, and feedback (``/cds-services``).

Every service call and feedback carries the client's signed JWT (see ``routes_cds_auth``);
discovery lists only what isotrack offers and is open. Bad input is a 4xx OperationOutcome;
a patient isotrack does not know gets an "enrol" card; data that could not be had becomes a
card saying what was not checked.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from isotrack.api.dependencies import service_of
from isotrack.api.routes_cds_auth import (
    base_url,
    call_journal,
    first_use,
    outcome,
    validation_lines,
    verified_client,
)
from isotrack.domain.errors import RecordNotFound
from isotrack.interop.cds.card_parts import CardLinks
from isotrack.interop.cds.discovery import BY_ID, discovery_json
from isotrack.interop.cds.hooks import HookInput, hook_cards
from isotrack.interop.cds.models import FeedbackRequest, HookRequest, HookResponse
from isotrack.interop.cds.prefetch import (
    fetch_missing,
    isotrack_patient_ids,
    medication_names,
    prefetch_plan,
)
from isotrack.service import cds

router = APIRouter(prefix="/cds-services", tags=["cds-hooks"])
MAX_BODY_BYTES = 2_000_000


@router.get("", summary="CDS Hooks discovery: the services isotrack offers")
async def discovery() -> dict[str, object]:
    return discovery_json()


async def _json_body(request: Request) -> Any | JSONResponse:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return outcome(413, "too-costly", f"The request body is over {MAX_BODY_BYTES} bytes.")
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return outcome(400, "structure", f"The request body is not valid JSON: {exc}.")


def _hook_request(document: Any, service_id: str) -> HookRequest | JSONResponse:
    try:
        hook = HookRequest.model_validate(document)
    except ValidationError as exc:
        return outcome(400, "structure", "The CDS Hooks request is not valid.",
                       extra=validation_lines(exc))  # fmt: skip
    expected = BY_ID[service_id].hook
    if hook.hook != expected:
        return outcome(400, "value", f"hook is {hook.hook!r}; service {service_id} answers "
                       f"{expected!r}.")  # fmt: skip
    patient_id = hook.context.get("patientId")
    if not isinstance(patient_id, str) or not patient_id.strip():
        return outcome(400, "required", "context.patientId is required (the patient's FHIR id).")
    return hook


async def _authorised_call(service_id: str, request: Request) -> tuple[Any, Any] | JSONResponse:
    """The verified client and the JSON body of a call to one service, or the refusal (the
    token's ``jti`` is still to be noted)."""
    if service_id not in BY_ID:
        return outcome(404, "not-found", f"No CDS service {service_id!r}; see /cds-services.")
    client = verified_client(request)
    if isinstance(client, JSONResponse):
        return client
    document = await _json_body(request)
    if isinstance(document, JSONResponse):
        return document
    return client, document


@router.post("/{service_id}", summary="Call one CDS service")
async def call_service(service_id: str, request: Request) -> Response:
    called = await _authorised_call(service_id, request)
    if isinstance(called, JSONResponse):
        return called
    client, document = called
    hook = _hook_request(document, service_id)
    if isinstance(hook, JSONResponse):
        return hook
    service = service_of(request)
    refusal = (
        cds.fhir_server_refusal(service, client.issuer, hook.fhirServer)
        if hook.fhirServer
        else None
    )
    prefetched, wanted = prefetch_plan(hook, BY_ID[service_id].prefetch, fetch_refused=refusal)
    if wanted:
        # The EHR's token goes to its FHIR server only on a call not seen before.
        replayed = await first_use(request, client)
        if replayed is not None:
            return replayed
        prefetched = await fetch_missing(
            hook, prefetched, wanted, service.settings.cds_fetch_budget_seconds
        )
    patient_id = str(hook.context["patientId"]).strip()
    patient = cds.ehr_patient(
        service, patient_id, isotrack_patient_ids(prefetched.data.get("patient"))
    )
    # Every call that reads a course is a disclosure to the client: its access-log row is
    # written with the token's jti (one durable transaction), before the answer is built.
    if not wanted:
        replayed = await first_use(request, client, patient)
        if replayed is not None:
            return replayed
    elif patient is not None:
        await call_journal(request).disclosure(client.issuer, patient)
    found = cds.course_answers(service, patient) if patient is not None else None
    links = CardLinks(
        base_url(request),
        found.course_id if found else None,
        service.settings.smart_launch_url,
    )
    result = hook_cards(HookInput(
        request=hook, knowledge=found.knowledge if found else service.knowledge(),
        today=service.today(), links=links,
        timeline=found.timeline if found else None,
        assessment=found,
        check_order=(lambda rx: cds.order_check(found, rx)) if found else None,
        ehr_medications=medication_names(prefetched.data.get("medications")),
        unchecked=prefetched.unchecked if found else (),
        knowledge_key=found.knowledge_key if found else None,
    ))  # fmt: skip
    if found is not None and result.overridable:
        clinician = hook.context.get("userId")
        cds.remember_critical_cards(service, [
            cds.IssuedCard(
                uuid=card_uuid, course_id=found.course_id, alert_ids=tuple(alert_ids),
                service_id=service_id, issuer=client.issuer,
                clinician=clinician if isinstance(clinician, str) else None,
                hook_instance=hook.hookInstance,
            )
            for card_uuid, alert_ids in result.overridable.items()
        ])  # fmt: skip
    # Serialised by pydantic straight to JSON bytes (no dict, no second encoder).
    response = HookResponse(cards=result.cards).model_dump_json(exclude_none=True)
    return Response(response, media_type="application/json")


def _reason_text(item: Any) -> str:
    reason = item.overrideReason
    parts: list[str] = []
    if reason is not None and isinstance(reason.reason, dict):
        display = reason.reason.get("display") or reason.reason.get("code")
        if isinstance(display, str) and display:
            parts.append(display)
    if reason is not None and reason.userComment:
        parts.append(reason.userComment)
    return "; ".join(parts) or "no reason given"


@router.post("/{service_id}/feedback", summary="Feedback on the cards of one CDS service")
async def feedback(service_id: str, request: Request) -> JSONResponse:
    called = await _authorised_call(service_id, request)
    if isinstance(called, JSONResponse):
        return called
    client, document = called
    replayed = await first_use(request, client)
    if replayed is not None:
        return replayed
    try:
        given = FeedbackRequest.model_validate(document)
    except ValidationError as exc:
        return outcome(400, "structure", "The feedback is not valid.", extra=validation_lines(exc))
    service = service_of(request)
    answers: list[dict[str, Any]] = []
    for item in given.feedback:
        if item.outcome != "overridden":
            answers.append({"card": item.card, "recorded": []})
            continue
        try:
            recorded = cds.record_override(service, client.issuer, item.card, _reason_text(item))
        except RecordNotFound:
            answers.append({"card": item.card, "recorded": [],
                            "note": "not a critical card isotrack gave this client"})  # fmt: skip
            continue
        answers.append({"card": item.card, "recorded": list(recorded.event_ids),
                        "already_recorded": recorded.already_recorded})  # fmt: skip
    return JSONResponse({"feedback": answers})
