"""Finding English left on a page meant to be in Spanish or Russian.

What a person reads is the page's text (SVG chart text included) outside any element marked
``lang="en"`` (the sources, cited as they are, and the PHQ-9, kept as validated). In that text,
a Russian page holds no Latin-script word but names; a Spanish page holds none of the English
words that no Spanish sentence uses.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "path", "line", "rect", "circle", "polyline", "stop"}  # fmt: skip
# English words that are not also Spanish words (so "no", "a", "me" are left out).
ENGLISH_ONLY = {"the", "and", "your", "you", "of", "to", "with", "for", "this", "that", "is",
                "are", "from", "on", "it", "my", "what", "please", "be", "not", "or", "in",
                "choose", "yes", "stated", "send", "date", "sources", "when", "how",
                "will", "was", "has", "have", "at", "by", "an", "do", "does", "can"}  # fmt: skip
# Names a Russian page writes in Latin letters: people, the product, brands, programmes,
# organisations, the translator's own credit line, and vitamin "A".
LATIN_NAMES = {"isotrack", "contributors", "machine", "assisted", "draft", "iPLEDGE", "REMS",
               "AAD", "IgE", "NHS", "Samaritans", "Suicide", "Crisis", "Lifeline", "Absorica",
               "LD", "Lidose", "Claravis", "SMS", "PHQ", "phq", "English", "Español",
               "A"}  # fmt: skip


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _hidden(self) -> bool:
        return any(excluded for _, excluded in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        excluded = dict(attrs).get("lang") == "en" or tag in ("script", "style")
        self.stack.append((tag, excluded))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(data)


def read_text(html: str) -> str:
    """What a person reads on the page, outside the parts marked as English."""
    reader = _Reader()
    reader.feed(html)
    return " ".join(" ".join(reader.parts).split())


def english_left(text: str, language: str, names: frozenset[str] = frozenset()) -> list[str]:
    """Words of ``text`` that betray English in a ``language`` page."""
    words = re.findall(r"[^\W\d_]+", text)  # letters of any script; "PHQ-9" gives "PHQ"
    if language == "ru":
        latin = [w for w in words if re.fullmatch(r"[A-Za-zÀ-ÿ]+", w)]
        return sorted({w for w in latin if w not in LATIN_NAMES | names})
    return sorted({w for w in words if w.lower() in ENGLISH_ONLY})
