"""The strict reader: what arrives from outside is JSON a clinic would write, or a named error."""

from __future__ import annotations

import pytest

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.json_input import JsonLimits, read_json
from isotrack.domain.timeline import load_timeline


def _only_problem(error: pytest.ExceptionInfo[IsotrackInputError]) -> tuple[str, object, str]:
    (problem,) = error.value.problems
    return problem.field, problem.value, problem.allowed


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_weight_of_nan_or_infinity_is_refused_by_name(constant: str) -> None:
    with pytest.raises(IsotrackInputError) as error:
        read_json('{"type": "weight", "weight_kg": ' + constant + "}")
    assert _only_problem(error) == ("(number)", constant, "finite numbers only")


def test_a_key_given_twice_is_refused_rather_than_the_last_one_winning() -> None:
    # {"authorized": false, "authorized": true} would otherwise read as authorized.
    with pytest.raises(IsotrackInputError) as error:
        read_json('{"authorized": false, "authorized": true}')
    field, _, allowed = _only_problem(error)
    assert field == "authorized"
    assert "at most once" in allowed


def test_a_document_nested_100000_levels_is_refused_naming_where() -> None:
    with pytest.raises(IsotrackInputError) as error:
        read_json("[" * 100_000 + "]" * 100_000)
    field, value, allowed = _only_problem(error)
    assert field == "(nesting)"
    assert "64" in allowed
    assert "character 64" in str(value)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    note = "[" * 500 + '\\"{' * 100
    assert read_json('{"note": "' + note + '"}') == {"note": note.replace('\\"', '"')}


def test_a_string_that_ends_in_an_escaped_backslash_ends_there() -> None:
    # A path like C:\\ closes its string: the 64 brackets after it, inside the object, nest
    # 65 levels deep.
    with pytest.raises(IsotrackInputError) as error:
        read_json('{"note": "C:\\\\", "list": ' + "[" * 64 + "]" * 64 + "}")
    field, _, _ = _only_problem(error)
    assert field == "(nesting)"


def test_nesting_up_to_the_limit_is_accepted() -> None:
    assert read_json("[" * 64 + "]" * 64) is not None


def test_one_level_past_the_limit_deep_inside_an_event_is_refused_naming_where() -> None:
    # Shallow enough for the parser, one level too deep for the limit: refused all the same.
    nested = "[" * 62 + "1" + "]" * 62
    text = '{"events": [{"note": ' + nested + "}]}"
    with pytest.raises(IsotrackInputError) as error:
        read_json(text)
    field, value, _ = _only_problem(error)
    assert field == "(nesting)"
    assert f"character {text.index('[' * 62) + 61}" in str(value)
    assert read_json(text, limits=JsonLimits(max_depth=65)) is not None


def test_invalid_utf8_is_named_with_its_byte_offset() -> None:
    with pytest.raises(IsotrackInputError) as error:
        read_json(b'{"note": "caf\xe9"}', document="timeline")
    field, value, allowed = _only_problem(error)
    assert (field, allowed) == ("(encoding)", "UTF-8 text")
    assert value == "byte 0xe9 at offset 13"


def test_a_document_over_the_size_limit_is_refused() -> None:
    with pytest.raises(IsotrackInputError) as error:
        read_json(b'{"n": "' + b"x" * 200 + b'"}', limits=JsonLimits(max_bytes=100))
    assert _only_problem(error)[0] == "(size)"


def test_a_syntax_error_names_line_and_column() -> None:
    with pytest.raises(IsotrackInputError) as error:
        read_json('{\n  "a": 1,\n}')
    assert "line 3 column 1" in str(_only_problem(error)[1])


def test_a_byte_order_mark_is_tolerated() -> None:
    assert read_json("\ufeff[1]".encode()) == [1]


def test_load_timeline_uses_the_strict_reader_for_text() -> None:
    with pytest.raises(IsotrackInputError) as error:
        load_timeline('{"schema": "isotrack.timeline/1", "schema": "x"}')
    assert error.value.summary == "invalid timeline"
    assert error.value.problems[0].field == "schema"
