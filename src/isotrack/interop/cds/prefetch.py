"""Prefetch the client did not send: fetched from the request's ``fhirServer``, within a hard
time budget, and otherwise listed as not checked.

A key left out of ``prefetch`` means the client did not fetch it; a key sent as ``null``
means there is no such data (CDS Hooks 2.0); both are accepted. ``fhirAuthorization`` is sent
only to the ``fhirServer`` of the same request, and never stored.
"""

from __future__ import annotations

import asyncio
import functools
import re
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from isotrack.interop.cds.models import HookRequest
from isotrack.interop.fhir import codes

# The whole fetch, every key at once, from the first connection to the last byte; a call
# with missing prefetch and a hanging FHIR server answers within this plus its own work.
FETCH_BUDGET_SECONDS = 0.25  # the default of Settings.cds_fetch_budget_seconds
_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z0-9_]+)\s*\}\}")

# What each prefetch key is for, in words a prescriber reads on the "not checked" card.
PURPOSE = {
    "patient": "the EHR's Patient record (matching by identifier)",
    "medications": "the EHR's active medication orders (interactions)",
}


@dataclass
class Prefetched:
    data: dict[str, Any] = field(default_factory=dict)
    unchecked: list[str] = field(default_factory=list)


def fill_template(template: str, context: Mapping[str, Any]) -> str | None:
    """The template with first-level context tokens filled; None when a token has no value."""
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        found = context.get(match.group(1))
        if not isinstance(found, str) or not found:
            missing = True
            return ""
        return found

    filled = _TOKEN.sub(value, template)
    return None if missing else filled


_tls_lock = threading.Lock()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def tls_context() -> ssl.SSLContext:
    """The certificate store for FHIR servers, loaded once per process: building it takes
    tens of milliseconds (hundreds on a loaded machine), too much to pay on every call.
    The app loads it at start-up; a call arriving meanwhile waits for that load."""
    with _tls_lock:
        return _tls_context()


async def _get(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Any:
    response = await client.get(url, headers=headers)
    response.raise_for_status()
    return response.json()


def prefetch_plan(
    request: HookRequest, templates: Mapping[str, str], *, fetch_refused: str | None = None
) -> tuple[Prefetched, dict[str, str]]:
    """What the client prefetched, and the address of each templated key left to fetch from
    the request's ``fhirServer`` (a key that cannot be fetched is listed as unchecked).

    ``fetch_refused`` says why the request's ``fhirServer`` may not be used (a host not
    registered for the client): nothing is to be fetched and the keys are listed with that
    reason.
    """
    given = request.prefetch or {}
    found = Prefetched()
    wanted: dict[str, str] = {}
    for key, template in templates.items():
        if key in given:
            if given[key] is not None:
                found.data[key] = given[key]
            continue
        query = fill_template(template, request.context)
        if query is None or not request.fhirServer:
            found.unchecked.append(PURPOSE.get(key, key) + ": not sent and no FHIR server given")
            continue
        if fetch_refused is not None:
            found.unchecked.append(f"{PURPOSE.get(key, key)}: not fetched, {fetch_refused}")
            continue
        wanted[key] = request.fhirServer.rstrip("/") + "/" + query
    return found, wanted


async def fetch_missing(
    request: HookRequest,
    found: Prefetched,
    wanted: Mapping[str, str],
    budget_seconds: float = FETCH_BUDGET_SECONDS,
) -> Prefetched:
    """``found`` completed with each key of ``wanted`` fetched within the budget, or listed
    as unchecked with the reason."""
    if not wanted:
        return found
    headers = {"Accept": "application/fhir+json"}
    if request.fhirAuthorization is not None:
        auth = request.fhirAuthorization
        headers["Authorization"] = f"{auth.token_type or 'Bearer'} {auth.access_token}"
    deadline = asyncio.get_running_loop().time() + budget_seconds
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(budget_seconds), follow_redirects=False, trust_env=False,
        verify=tls_context(),
    ) as client:  # fmt: skip
        tasks = {
            key: asyncio.create_task(_get(client, url, headers)) for key, url in wanted.items()
        }
        remaining = max(0.0, deadline - asyncio.get_running_loop().time())
        done, pending = await asyncio.wait(tasks.values(), timeout=remaining)
        for task in pending:
            task.cancel()
        # Reaped before the client closes, so closing does not wait on a hanging connection.
        await asyncio.gather(*pending, return_exceptions=True)
        for key, task in tasks.items():
            if task in done and not task.cancelled() and task.exception() is None:
                found.data[key] = task.result()
            else:
                reason = "timed out" if task in pending else "could not be fetched"
                found.unchecked.append(f"{PURPOSE.get(key, key)}: {reason}")
    return found


def medication_names(bundle: Any) -> list[str]:
    """Names of the medications in a searchset Bundle of MedicationRequests (any shape)."""
    names: list[str] = []
    entries = bundle.get("entry") if isinstance(bundle, Mapping) else None
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping):
            continue
        concept = resource.get("medicationCodeableConcept")
        if isinstance(concept, Mapping):
            text = concept.get("text")
            codings = concept.get("coding")
            if isinstance(text, str) and text:
                names.append(text)
            elif isinstance(codings, list):
                names.extend(
                    c["display"] for c in codings
                    if isinstance(c, Mapping) and isinstance(c.get("display"), str)
                )  # fmt: skip
    return names


def isotrack_patient_ids(patient: Any) -> list[str]:
    """Identifier values of the isotrack patient-id system on a prefetched Patient."""
    identifiers = patient.get("identifier") if isinstance(patient, Mapping) else None
    listed = identifiers if isinstance(identifiers, list) else []
    return [
        i["value"]
        for i in listed
        if isinstance(i, Mapping) and i.get("system") == codes.PATIENT_ID_SYSTEM
        and isinstance(i.get("value"), str) and i["value"]
    ]  # fmt: skip
