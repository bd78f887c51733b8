"""Knowledge records of the pharmacokinetic model: disposition and absorption per product state.

The numbers come from a fit (``scripts/fit_pk.py``) to label and study figures; each record keeps
the figures it was fitted to, their sources, and what the fitted model gives for them, so the
residuals can be shown next to every curve (docs/pharmacokinetics.md).
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from isotrack.knowledge.model import EvidenceLevel, Formulation, Record
from isotrack.knowledge.sections import EXTRA_SECTIONS

Food = Literal["fed", "fasted"]


class FitProvenance(Record):
    """How a parameter set was obtained: the script, its command and when it ran."""

    script: str
    command: str
    run_on: str
    objective: str


class PkDisposition(Record):
    """What the body does with isotretinoin once absorbed, shared by every product and state.

    Parent: two compartments (a fast distribution phase ``alpha`` and the terminal phase whose
    half-life is a cited fact); ``terminal_auc_share`` is the part of the exposure in the
    terminal phase. 4-oxo-isotretinoin is formed from the parent and eliminated with its own
    cited half-life, scaled to the cited metabolite-to-parent exposure ratio.
    """

    id: str
    clearance_l_per_h: float = Field(gt=0, description="apparent clearance at relative F = 1")
    alpha_per_h: float = Field(gt=0)
    terminal_half_life_fact: str
    terminal_auc_share: float = Field(gt=0, lt=1)
    metabolite_half_life_fact: str
    metabolite_auc_ratio_fact: str
    fit: FitProvenance
    evidence: EvidenceLevel
    source_ids: list[str] = Field(min_length=1)
    note: str


class PkTarget(Record):
    """A single-dose figure the fit had to reproduce (``None`` where no source gives one)."""

    dose_mg: float = Field(gt=0)
    cmax_ng_per_ml: float | None = None
    tmax_h: float | None = None
    auc_ng_h_per_ml: float | None = None
    auc_kind: Literal["0-inf", "0-t"] | None = None
    unverified: bool = False
    source_ids: list[str] = Field(min_length=1)
    note: str


class PkFitted(Record):
    """What the fitted model gives for the target's dose (the residuals are target vs these)."""

    cmax_ng_per_ml: float
    tmax_h: float
    auc_ng_h_per_ml: float


class PkAbsorption(Record):
    """Absorption of one formulation taken fed or fasted: relative bioavailability, rate, lag."""

    id: str
    formulation: Formulation
    food: Food
    relative_bioavailability: float = Field(gt=0)
    ka_per_h: float = Field(gt=0)
    lag_h: float = Field(ge=0)
    target: PkTarget
    fitted: PkFitted
    evidence: EvidenceLevel
    source_ids: list[str] = Field(min_length=1)
    note: str

    @model_validator(mode="after")
    def _id_names_state(self) -> Self:
        if self.id != f"{self.formulation.value}-{self.food}":
            raise ValueError(
                f"pk_absorption {self.id!r}: id must be '<formulation>-<food>' "
                f"({self.formulation.value}-{self.food})"
            )
        return self


EXTRA_SECTIONS["pk_disposition"] = PkDisposition
EXTRA_SECTIONS["pk_absorption"] = PkAbsorption
