"""Matching free-text clinical terms against the knowledge base's vocabulary.

Case, punctuation and spacing are ignored, and dose details after a medicine's name
("doxycycline 100 mg daily") are dropped, so the same term is recognised however it is typed.
A term that still matches nothing is the caller's to report as unknown.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from isotrack.knowledge.monitoring import Code

T = TypeVar("T")

# Words that only describe how a medicine is taken, never what it is.
_DOSE_WORDS = frozenset(
    {"mg", "mcg", "ug", "g", "ml", "iu", "units", "unit", "daily", "once", "twice", "od", "bd",
     "bid", "tds", "tid", "qds", "nocte", "prn", "tablet", "tablets", "capsule", "capsules",
     "oral", "po", "a", "day", "per", "x"}
)  # fmt: skip


# A pure function of a string, called for every term, name and synonym: the same few hundred
# spellings recur, so their normal forms are remembered.
@functools.lru_cache(maxsize=8192)
def normalise_term(text: str) -> str:
    """Lower-case, accents and punctuation removed, single spaces.

    >>> normalise_term("  St John’s  Wort ")
    'st johns wort'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = re.sub(r"['’`]", "", plain)
    plain = re.sub(r"[^a-z0-9]+", " ", plain)
    return " ".join(plain.split())


def strip_dose(normalised: str) -> str:
    """Drop tokens holding digits or dosing words: 'doxycycline 100 mg daily' -> 'doxycycline'."""
    kept = [
        t for t in normalised.split() if not any(c.isdigit() for c in t) and t not in _DOSE_WORDS
    ]
    return " ".join(kept)


def term_keys(term: str, synonyms: Sequence[str], codes: Sequence[Code] = ()) -> set[str]:
    """Every normalised spelling under which a record is found."""
    keys = {normalise_term(term), *(normalise_term(s) for s in synonyms)}
    keys.update(normalise_term(code.code) for code in codes)
    return {key for key in keys if key}


class Vocabulary(Generic[T]):
    """Records indexed by their normalised terms, synonyms and codes."""

    def __init__(self, entries: Iterable[tuple[T, set[str]]]) -> None:
        self._index: dict[str, list[T]] = {}
        for record, keys in entries:
            for key in keys:
                self._index.setdefault(key, []).append(record)

    def match(self, text: str) -> list[T]:
        """Records matching ``text`` exactly, else its name before the first number ("vitamin
        a 10000 iu" -> "vitamin a"), else with every dose detail dropped."""
        key = normalise_term(text)
        for candidate in (key, name_before_dose(key), strip_dose(key)):
            found = self._index.get(candidate)
            if found:
                return list(found)
        return []


def name_before_dose(normalised: str) -> str:
    """The words before the first token holding a digit: 'vitamin a 10000 iu' -> 'vitamin a'."""
    words: list[str] = []
    for token in normalised.split():
        if any(c.isdigit() for c in token):
            break
        words.append(token)
    return " ".join(words)
