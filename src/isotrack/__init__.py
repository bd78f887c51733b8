"""isotrack: isotretinoin therapy management with cited clinical knowledge.

Clinical decision support for licensed prescribers; it informs their judgement and
never replaces it.
"""

__version__ = "0.1.0"
