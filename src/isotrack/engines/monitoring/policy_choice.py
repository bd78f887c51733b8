"""Which position of a disagreement the course's policy takes, named in the output."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.knowledge import Knowledge


class PolicyChoice(BaseModel):
    """The position used for one disagreement, where it came from, and what else sources say."""

    model_config = ConfigDict(frozen=True)

    disagreement: str
    position: str
    summary: str
    source_ids: list[str]
    chosen_by: str  # the policy id, or "override" when the caller chose
    alternatives: list[str]


def choose_position(
    knowledge: Knowledge, policy_id: str | None, disagreement_id: str, override: str | None = None
) -> PolicyChoice | None:
    """The position for ``disagreement_id``: the override if given, else the policy's.

    ``None`` when neither says: the caller must then report the rule as not applied.
    """
    disagreement = knowledge.disagreements.get(disagreement_id)
    if disagreement is None:
        return None
    chosen_by = "override"
    position_id = override
    if position_id is None and policy_id is not None and policy_id in knowledge.policies:
        position_id = knowledge.policy(policy_id).positions.get(disagreement_id)
        chosen_by = policy_id
    if position_id is None:
        return None
    try:
        position = disagreement.position(position_id)
    except KeyError:
        allowed = ", ".join(p.id for p in disagreement.positions)
        raise IsotrackInputError(
            [FieldProblem(disagreement_id, "position", position_id, f"one of: {allowed}")],
            "unknown position",
        ) from None
    return PolicyChoice(
        disagreement=disagreement_id,
        position=position.id,
        summary=position.summary,
        source_ids=list(position.source_ids),
        chosen_by=chosen_by,
        alternatives=[p.id for p in disagreement.positions if p.id != position.id],
    )
