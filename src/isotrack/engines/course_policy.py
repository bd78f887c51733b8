"""The policy a timeline names, checked the same way by every engine."""

from __future__ import annotations

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Policy


def require_policy(knowledge: Knowledge, policy_id: str) -> Policy:
    """The timeline's policy; an unknown id is an input error naming the known ones."""
    if policy_id not in knowledge.policies:
        known = ", ".join(sorted(knowledge.policies))
        raise IsotrackInputError(
            [FieldProblem("timeline", "policy", policy_id, f"one of: {known}")],
            "unknown policy",
        )
    return knowledge.policy(policy_id)
