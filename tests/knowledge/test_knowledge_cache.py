"""The validated knowledge base kept between runs (``isotrack.knowledge.cache``, issue 12).

The safety property: a pharmacist's ``check-dispense`` after a threshold was changed in the
knowledge files must use the new threshold, never the one validated before. Every way a cache
file can be wrong (another key, cut short, tampered with, writable by others) must end in a full
validation, not in an error and not in stale knowledge.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from isotrack.knowledge import Knowledge, KnowledgeError, parse_knowledge
from isotrack.knowledge import cache as knowledge_cache
from isotrack.knowledge.cache import cache_key, load_validated
from isotrack.knowledge.loader import read_data_files

SUPPLY_FACT = "programme.max_days_supply"


@pytest.fixture(scope="module")
def packaged_files() -> dict[str, str]:
    return read_data_files()


def _with_supply_limit(files: dict[str, str], days: int) -> dict[str, str]:
    """The knowledge files with the programme's supply limit (30 days) set to ``days``."""
    pattern = re.compile(r'(id = "programme\.max_days_supply"\nvalue = )30\n')
    changed = {name: pattern.sub(rf"\g<1>{days}\n", text) for name, text in files.items()}
    assert changed != files, "the supply limit fact was not found in the knowledge files"
    return changed


class CountingValidation:
    """``parse_knowledge`` of the given files, counting how often it really ran."""

    def __init__(self) -> None:
        self.runs = 0

    def of(self, files: dict[str, str]) -> Callable[[], Knowledge]:
        def validate() -> Knowledge:
            self.runs += 1
            return parse_knowledge(files)

        return validate


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("knowledge-*.pickle"))


def test_a_validated_base_is_read_back_unchanged_on_the_next_run(
    tmp_path: Path, packaged_files: dict[str, str]
) -> None:
    validation = CountingValidation()
    first = load_validated(packaged_files, validation.of(packaged_files), tmp_path)
    again = load_validated(packaged_files, validation.of(packaged_files), tmp_path)
    assert validation.runs == 1
    assert again.sections == first.sections
    assert again.origin == first.origin
    assert again.number(SUPPLY_FACT) == 30.0
    assert len(_cache_files(tmp_path)) == 1
    assert not list(tmp_path.glob(".knowledge-*")), "no temporary file is left behind"


def test_a_changed_threshold_is_validated_and_used_never_the_cached_one(
    tmp_path: Path, packaged_files: dict[str, str]
) -> None:
    validation = CountingValidation()
    assert (
        load_validated(packaged_files, validation.of(packaged_files), tmp_path).number(SUPPLY_FACT)
        == 30.0
    )
    edited = _with_supply_limit(packaged_files, 28)
    assert cache_key(edited) != cache_key(packaged_files)
    after_edit = load_validated(edited, validation.of(edited), tmp_path)
    assert after_edit.number(SUPPLY_FACT) == 28.0
    assert validation.runs == 2
    # And the edited base is itself read back from then on, with its own threshold.
    assert load_validated(edited, validation.of(edited), tmp_path).number(SUPPLY_FACT) == 28.0
    assert validation.runs == 2


def test_a_cache_file_holding_another_key_is_not_used(
    tmp_path: Path, packaged_files: dict[str, str]
) -> None:
    validation = CountingValidation()
    load_validated(packaged_files, validation.of(packaged_files), tmp_path)
    edited = _with_supply_limit(packaged_files, 28)
    # The old base's file renamed to the edited base's name (a copy, a clock, a bug...).
    (old,) = _cache_files(tmp_path)
    old.rename(tmp_path / f"knowledge-{cache_key(edited)}.pickle")
    assert load_validated(edited, validation.of(edited), tmp_path).number(SUPPLY_FACT) == 28.0
    assert validation.runs == 2


@pytest.mark.parametrize(
    "damage",
    [
        lambda content: content[: len(content) // 2],  # cut short
        lambda content: content[:-10] + b"0123456789",  # payload changed
        lambda content: b"",  # empty
        lambda content: b"not a cache file at all",
    ],
    ids=["truncated", "tampered", "empty", "garbage"],
)
def test_a_damaged_cache_file_means_a_full_validation_not_an_error(
    tmp_path: Path, packaged_files: dict[str, str], damage: Callable[[bytes], bytes]
) -> None:
    validation = CountingValidation()
    load_validated(packaged_files, validation.of(packaged_files), tmp_path)
    (path,) = _cache_files(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    knowledge = load_validated(packaged_files, validation.of(packaged_files), tmp_path)
    assert validation.runs == 2
    assert knowledge.number(SUPPLY_FACT) == 30.0


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_cache_file_others_may_write_is_not_trusted(
    tmp_path: Path, packaged_files: dict[str, str]
) -> None:
    validation = CountingValidation()
    load_validated(packaged_files, validation.of(packaged_files), tmp_path)
    (path,) = _cache_files(tmp_path)
    path.chmod(0o666)
    load_validated(packaged_files, validation.of(packaged_files), tmp_path)
    assert validation.runs == 2


def test_an_invalid_base_is_never_kept(tmp_path: Path, packaged_files: dict[str, str]) -> None:
    typo = '[[fact]]\nid = "x"\nvalue = 1\nunit = "mg/kg/dy"\n'  # no source, unknown unit
    broken = {**packaged_files, "zz-broken.toml": typo}
    for _ in range(2):  # and the second run fails just the same
        with pytest.raises(KnowledgeError):
            load_validated(broken, lambda: parse_knowledge(broken), tmp_path)
    assert _cache_files(tmp_path) == []


def test_the_key_covers_the_code_that_validates(
    tmp_path: Path, packaged_files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "model.py").write_text("MAX = 30\n")
    monkeypatch.setattr(knowledge_cache, "_PACKAGE_DIR", code)
    before = cache_key(packaged_files)
    (code / "model.py").write_text("MAX = 28\n")
    assert cache_key(packaged_files) != before


def test_the_cache_can_be_turned_off_or_moved(
    tmp_path: Path, packaged_files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(knowledge_cache.ENVIRONMENT_VARIABLE, "off")
    assert knowledge_cache.cache_folder() is None
    validation = CountingValidation()
    for _ in range(2):
        load_validated(packaged_files, validation.of(packaged_files))
    assert validation.runs == 2
    monkeypatch.setenv(knowledge_cache.ENVIRONMENT_VARIABLE, str(tmp_path / "elsewhere"))
    load_validated(packaged_files, validation.of(packaged_files))
    assert len(_cache_files(tmp_path / "elsewhere")) == 1


def test_a_base_that_cannot_be_kept_is_still_returned(
    tmp_path: Path, packaged_files: dict[str, str]
) -> None:
    knowledge = parse_knowledge(packaged_files)
    unpicklable = Knowledge(
        sections=knowledge.sections,
        origin=knowledge.origin,
        models={**knowledge.models, "local": type("Local", (), {})},  # type: ignore[dict-item]
    )
    assert load_validated(packaged_files, lambda: unpicklable, tmp_path) is unpicklable
    assert _cache_files(tmp_path) == []


def test_every_section_and_check_is_defined_where_the_cache_key_reads_code() -> None:
    # The key hashes the modules directly in isotrack/knowledge/. A section model or a
    # cross-check defined anywhere else would enter the key by its name only: its code could
    # change and a base validated by the old code be served.
    import isotrack.knowledge as package
    from isotrack.knowledge import load_knowledge
    from isotrack.knowledge.sections import CROSS_CHECKS, all_sections

    load_knowledge()
    hashed = {f"isotrack.knowledge.{p.stem}" for p in Path(package.__file__).parent.glob("*.py")}
    defined = {m.__module__ for m in all_sections().values()}
    defined |= {check.__module__ for check in CROSS_CHECKS}
    assert defined <= hashed, defined - hashed
