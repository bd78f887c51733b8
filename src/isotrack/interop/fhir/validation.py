"""Strict R4 structure checks of emitted resources with the ``fhir.resources`` R4B models.

R4B shares R4's structure for every resource type isotrack writes. The models are imported
lazily so the rest of isotrack does not pay for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any


def validate_r4(resource: Mapping[str, Any]) -> list[str]:
    """Problems found by strict parsing (empty when the resource is valid)."""
    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str) or not resource_type.isalpha():
        return [f"resourceType {resource_type!r} is not a FHIR resource type"]
    try:
        module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
        model = getattr(module, resource_type)
    except (ImportError, AttributeError):
        return [f"{resource_type} is not an R4 resource type"]
    try:
        model.model_validate(dict(resource), strict=True)
    except Exception as exc:  # pydantic's ValidationError and FHIR checks alike
        return [line for line in str(exc).splitlines() if line.strip()]
    return []
