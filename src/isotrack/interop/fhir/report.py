"""What a FHIR conversion could not do, said plainly: warnings, ignored resources and facts
FHIR does not carry. Nothing is dropped without an entry here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from isotrack.domain.timeline import Timeline


@dataclass(frozen=True)
class Finding:
    """One problem: ``where`` names the resource (``Observation/abc``) or entry, or an event."""

    where: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message}


@dataclass
class ConversionReport:
    warnings: list[Finding] = field(default_factory=list)
    ignored: list[Finding] = field(default_factory=list)
    not_carried: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "warnings": [f.to_json() for f in self.warnings],
            "ignored": [f.to_json() for f in self.ignored],
            "not_carried": [f.to_json() for f in self.not_carried],
        }

    def lines(self) -> list[str]:
        """One line per finding, for a person reading a terminal."""
        out = [f"warning: {f.where}: {f.message}" for f in self.warnings]
        out += [f"ignored: {f.where}: {f.message}" for f in self.ignored]
        out += [f"not carried: {f.where}: {f.message}" for f in self.not_carried]
        return out


@dataclass(frozen=True)
class BundleResult:
    bundle: dict[str, Any]
    report: ConversionReport


@dataclass(frozen=True)
class TimelineResult:
    """``timeline`` is None when no course could be built (the report says why)."""

    timeline: Timeline | None
    report: ConversionReport
