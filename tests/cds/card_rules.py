"""The response rules every isotrack card must meet: CDS Hooks 2.0 and the 3.0 ballot's
invariants (cds-resp-1 to -7), checked on every answer the tests receive."""

from __future__ import annotations

from typing import Any


def broken_rules(response: dict[str, Any]) -> list[str]:
    broken: list[str] = []
    if not isinstance(response.get("cards"), list):
        return ["cards: required (may be empty)"]
    for card in response["cards"]:
        name = card.get("summary", "?")
        if not card.get("uuid"):
            broken.append(f"{name}: no uuid (feedback cannot name it)")
        if not 0 < len(card.get("summary", "")) <= 140:
            broken.append(f"{name}: summary must be 1 to 140 characters")
        if card.get("indicator") not in ("info", "warning", "critical"):
            broken.append(f"{name}: indicator {card.get('indicator')!r}")
        if not card.get("source", {}).get("label"):
            broken.append(f"{name}: source.label required")
        suggestions = card.get("suggestions") or []
        if suggestions and card.get("selectionBehavior") not in ("at-most-one", "any"):
            broken.append(f"{name}: selectionBehavior required with suggestions (cds-resp-6)")
        if (
            card.get("selectionBehavior") == "at-most-one"
            and sum(1 for s in suggestions if s.get("isRecommended")) > 1
        ):
            broken.append(f"{name}: at most one recommended suggestion (cds-resp-1)")
        for suggestion in suggestions:
            for action in suggestion.get("actions", []):
                if not action.get("description"):
                    broken.append(f"{name}: action without description (cds-resp-5)")
                if action.get("type") == "delete" and not action.get("resourceId"):
                    broken.append(f"{name}: delete needs resourceId (cds-resp-2)")
        for link in card.get("links") or []:
            if "appContext" in link and link.get("type") != "smart":
                broken.append(f"{name}: appContext only on smart links (cds-resp-3)")
        for reason in card.get("overrideReasons") or []:
            if not reason.get("display"):
                broken.append(f"{name}: override reason without display (cds-resp-4)")
        if card.get("indicator") == "critical" and not card.get("overrideReasons"):
            broken.append(f"{name}: a critical card offers override reasons")
    return broken
