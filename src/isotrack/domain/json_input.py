"""One strict JSON reader for everything that arrives from outside (files, request bodies).

Python's ``json`` module accepts ``NaN`` and ``Infinity``, keeps the last of two equal keys and
recurses once per nesting level, so a hostile or broken document either slips nonsense past
validation or crashes the reader with a ``RecursionError``. This reader rejects all of those
before any value reaches a model, and every rejection is an ``IsotrackInputError`` naming where
in the document the fault is and what is allowed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from isotrack.domain.errors import FieldProblem, IsotrackInputError


@dataclass(frozen=True)
class JsonLimits:
    """How much a document may hold. Generous for a course timeline, tiny for an attacker."""

    max_bytes: int = 8 * 1024 * 1024
    max_depth: int = 64


DEFAULT_LIMITS = JsonLimits()

# A string literal (with escapes) or one bracket: brackets inside strings must not count.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_UTF8_BOM = "\ufeff"


def _reject(document: str, field: str, value: object, allowed: str) -> NoReturn:
    raise IsotrackInputError([FieldProblem(document, field, value, allowed)], f"invalid {document}")


def _decode_utf8(raw: bytes, document: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        _reject(
            document,
            "(encoding)",
            f"byte 0x{bad} at offset {exc.start}",
            "UTF-8 text",
        )


def _check_depth(text: str, document: str, max_depth: int) -> None:
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                _reject(
                    document,
                    "(nesting)",
                    f"more than {max_depth} levels at character {match.start()}",
                    f"at most {max_depth} nested objects or arrays",
                )
        elif token in "]}":
            depth -= 1


def _refuse_constant(name: str) -> NoReturn:
    raise _NonFinite(name)


def _finite_float(text: str) -> float:
    # ``1e400`` parses as infinity: as unreadable as the literal ``Infinity``.
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NonFinite(text)
    return value


class _NonFinite(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):  # rare: find the key given twice, to name it
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _deepest(value: Any) -> int:
    """How many objects and arrays are nested in a parsed document (0 for a bare value)."""
    depth = 0
    level = [value] if type(value) in (dict, list) else []
    while level:
        depth += 1
        inner: list[Any] = []
        for node in level:
            inner.extend(
                child
                for child in (node.values() if type(node) is dict else node)
                if type(child) in (dict, list)
            )
        level = inner
    return depth


def read_json(
    data: str | bytes, *, document: str = "document", limits: JsonLimits = DEFAULT_LIMITS
) -> Any:
    """Parse ``data`` strictly: UTF-8, bounded size and depth, finite numbers, unique keys.

    ``document`` names the input in errors ("timeline", "request body").

    >>> read_json('{"weight_kg": 70}')
    {'weight_kg': 70}
    >>> read_json('{"weight_kg": NaN}')
    Traceback (most recent call last):
    ...
    isotrack.domain.errors.IsotrackInputError: invalid document:
    - document, field '(number)': value 'NaN' is not allowed; allowed: finite numbers only
    """
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        _reject(document, "(size)", f"{size} bytes", f"at most {limits.max_bytes} bytes")
    text = _decode_utf8(data, document) if isinstance(data, bytes) else data
    if text.startswith(_UTF8_BOM):
        text = text[1:]
    # The nesting limit is judged on the parsed value (one pass over its containers); the token
    # scan that names the character where the limit is crossed runs only for a document refused
    # for its depth, or one too deep for the parser itself.
    try:
        parsed = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            object_pairs_hook=_object_without_duplicates,
        )
    except RecursionError:
        _check_depth(text, document, limits.max_depth)
        _reject(document, "(nesting)", "too deep", f"at most {limits.max_depth} levels")
    except _NonFinite as exc:
        _reject(document, "(number)", exc.name, "finite numbers only")
    except _DuplicateKey as exc:
        _reject(document, exc.key, "(given twice)", "each key at most once per object")
    except json.JSONDecodeError as exc:
        _reject(
            document,
            "(json)",
            f"{exc.msg} at line {exc.lineno} column {exc.colno}",
            "valid JSON",
        )
    if _deepest(parsed) > limits.max_depth:
        _check_depth(text, document, limits.max_depth)  # names the character where
        _reject(document, "(nesting)", "too deep", f"at most {limits.max_depth} levels")
    return parsed
