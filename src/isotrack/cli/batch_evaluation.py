"""``isotrack evaluate --batch``: one assessment per NDJSON line, streamed.

Each input line is one ``isotrack.timeline/1`` document; each output line is that course's
assessment (the same JSON as ``evaluate --json`` for the document alone, on one line) or, when the
line cannot be evaluated, an error object naming the line number and every rejected field with
its value and what is allowed. A bad line never stops the batch; the exit code says whether any
line failed. Lines are read and written one at a time, so a file of any size runs in the memory
of one course.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from isotrack.cli.output import fail
from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.timeline import load_timeline
from isotrack.engines.assessment import Assessment, assess
from isotrack.knowledge import Knowledge, load_knowledge

EXIT_SOME_LINES_FAILED = 2
_SERIALISER = Assessment.__pydantic_serializer__


def error_line(line_number: int, error: IsotrackInputError) -> bytes:
    """The output line for an input line that could not be evaluated."""
    problems = [
        {
            "location": problem.location,
            "field": problem.field,
            "value": problem.value,
            "allowed": problem.allowed,
        }
        for problem in error.problems
    ]
    payload = {"line": line_number, "error": error.summary, "problems": problems}
    return json.dumps(payload, ensure_ascii=False, default=str).encode()


def _not_utf8(line_number: int, exc: UnicodeDecodeError) -> IsotrackInputError:
    problem = FieldProblem(f"line {line_number}", "(text)", repr(exc.object[:40]), "UTF-8 text")
    return IsotrackInputError([problem], "invalid timeline")


def assessment_lines(
    knowledge: Knowledge, lines: Iterable[bytes], as_of: dt.date
) -> Iterator[tuple[bytes, bool]]:
    """Each non-blank input line's output line, and whether that line was evaluated.

    Blank lines are skipped (and counted, so line numbers match the file).
    """
    for line_number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            line.decode("utf-8")
            timeline = load_timeline(line)
            assessment = assess(knowledge, timeline, as_of)
        except UnicodeDecodeError as exc:
            yield error_line(line_number, _not_utf8(line_number, exc)), False
        except IsotrackInputError as exc:
            yield error_line(line_number, exc), False
        else:
            yield _SERIALISER.to_json(assessment, by_alias=True), True


@contextmanager
def _opened(source: str) -> Iterator[BinaryIO]:
    if source == "-":
        yield sys.stdin.buffer
        return
    try:
        stream = open(source, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        fail(f"cannot read {source}: {exc.strerror}")
    with stream:
        yield stream


def evaluate_batch(source: str, as_of: dt.date) -> int:
    """Evaluate every line of ``source`` (a path, or '-' for standard input); the exit code."""
    knowledge = load_knowledge()
    # What lives for the whole run (the knowledge base, the modules) is moved out of the cyclic
    # collector's sight: otherwise each full collection walks it again, once per few courses.
    gc.freeze()
    out = sys.stdout.buffer
    failed = 0
    with _opened(source) as stream:
        for output, evaluated in assessment_lines(knowledge, stream, as_of):
            out.write(output)
            out.write(b"\n")
            failed += not evaluated
    out.flush()
    return EXIT_SOME_LINES_FAILED if failed else 0
