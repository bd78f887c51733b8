"""Cited clinical knowledge: sources, facts, products, disagreements, myths and policies.

Nothing here imports any other part of isotrack.
"""

from isotrack.knowledge.clinic_overlay import ClinicOverlay
from isotrack.knowledge.loader import Knowledge, KnowledgeError, parse_knowledge
from isotrack.knowledge.packaged import clinic_knowledge, load_knowledge

__all__ = [
    "ClinicOverlay",
    "Knowledge",
    "KnowledgeError",
    "clinic_knowledge",
    "load_knowledge",
    "parse_knowledge",
]
