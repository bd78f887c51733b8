"""Cited clinical knowledge: sources, facts, products, disagreements, myths and policies.

Nothing here imports any other part of isotrack.
"""

from isotrack.knowledge.loader import Knowledge, KnowledgeError, parse_knowledge
from isotrack.knowledge.packaged import load_knowledge

__all__ = ["Knowledge", "KnowledgeError", "load_knowledge", "parse_knowledge"]
