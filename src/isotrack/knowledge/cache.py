"""The packaged knowledge base as last validated, kept between runs in the user's cache folder.

Validating the knowledge base costs more than a one-off command may take in all (issue 12:
``check-dispense`` in 0.35 s): pint (with NumPy) must load and build its unit registry to check
every unit, and pydantic must build every record model, before a single record is read. The
result depends only on the knowledge files, on the code that validates them and on the library
versions that code runs on, so it is kept, pickled, under a key that is a SHA-256 of all of these:

- every knowledge data file (name and text: a changed threshold is a new key);
- the source of every module of ``isotrack.knowledge`` (models, validators, cross-checks), the
  sections and checks registered at run time, and isotrack's version;
- the versions of Python, pydantic, pydantic-core and pint.

A file is used only if it holds that same key and its payload's SHA-256 matches, is owned by
this user and writable by no one else; anything else (no file, another key, a truncated or
corrupted file, an unpickling error, an unreadable folder) is a miss, and a miss validates in
full, as if there were no cache. Only a knowledge base that validated is written, to a temporary
file renamed into place (``os.replace``), so no reader sees half a file. A stale threshold can
therefore never be served: changing any knowledge file changes the key.

``ISOTRACK_KNOWLEDGE_CACHE`` chooses the folder, or turns the cache off with ``off``.
``isotrack facts --check`` always validates in full.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from isotrack.knowledge.loader import Knowledge
from isotrack.knowledge.sections import CROSS_CHECKS, all_sections

ENVIRONMENT_VARIABLE = "ISOTRACK_KNOWLEDGE_CACHE"
_FORMAT = b"isotrack-knowledge-cache/1\n"
_PREFIX = "knowledge-"
_SUFFIX = ".pickle"
_PACKAGE_DIR = Path(__file__).parent


def cache_folder() -> Path | None:
    """Where the validated knowledge is kept, or ``None`` when the cache is off."""
    chosen = os.environ.get(ENVIRONMENT_VARIABLE)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "isotrack" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "isotrack"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "isotrack"


def cache_key(files: Mapping[str, str]) -> str:
    """SHA-256 over everything a validation's outcome depends on (see the module's text)."""
    import pydantic
    import pydantic_core

    digest = hashlib.sha256()

    def add(label: str, value: str | bytes) -> None:
        data = value.encode() if isinstance(value, str) else value
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("isotrack", _distribution_version("isotrack"))
    add("python", sys.version)
    add("pydantic", pydantic.VERSION)
    add("pydantic-core", pydantic_core.__version__)
    add("pint", _distribution_version("pint"))
    for path in sorted(_PACKAGE_DIR.glob("*.py")):
        add(f"code:{path.name}", path.read_bytes())
    for section, model in sorted(all_sections().items()):
        add(f"section:{section}", f"{model.__module__}.{model.__qualname__}")
    for check in CROSS_CHECKS:
        add("check", f"{check.__module__}.{check.__qualname__}")
    for name, text in sorted(files.items()):
        add(f"data:{name}", text)
    return digest.hexdigest()


def _distribution_version(name: str) -> str:
    # Read from the installed metadata: importing pint to ask it would cost what the cache saves
    # (and the knowledge package imports nothing else of isotrack, not even its version).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def load_validated(
    files: Mapping[str, str],
    validate: Callable[[], Knowledge],
    folder: Path | None = None,
) -> Knowledge:
    """The knowledge base ``validate()`` gives for ``files``: from the cache when it holds one
    validated under the same key, else validated now (and kept for the next run)."""
    folder = folder if folder is not None else cache_folder()
    if folder is None:
        return validate()
    key = cache_key(files)
    path = folder / f"{_PREFIX}{key}{_SUFFIX}"
    cached = _read(path, key)
    if cached is not None:
        return cached
    knowledge = validate()  # raises on an invalid base: nothing is written
    _write(folder, path, key, knowledge)
    return knowledge


def _read(path: Path, key: str) -> Knowledge | None:
    try:
        with path.open("rb") as stream:
            if not _trusted(os.fstat(stream.fileno())):
                return None
            content = stream.read()
        head, expected_key, payload_digest, payload = content.split(b"\n", 3)
        if head + b"\n" != _FORMAT or expected_key.decode() != key:
            return None
        if hashlib.sha256(payload).hexdigest() != payload_digest.decode():
            return None
        knowledge = pickle.loads(payload)  # our own file, checked above
    except Exception:  # any failure to read is a miss: validate instead
        return None
    return knowledge if isinstance(knowledge, Knowledge) else None


def _trusted(status: os.stat_result) -> bool:
    """Unpickling runs code, so only a file this user owns and no one else may write."""
    if status.st_mode & 0o022:
        return False
    return not hasattr(os, "geteuid") or status.st_uid == os.geteuid()


def _write(folder: Path, path: Path, key: str, knowledge: Knowledge) -> None:
    # Views derived while validating are rebuilt on use, not kept (they may hold closures).
    try:
        payload = pickle.dumps(replace(knowledge, _derived={}), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # e.g. a record type defined inside a test: not kept, still returned
        return
    content = b"".join(
        (_FORMAT, key.encode(), b"\n", hashlib.sha256(payload).hexdigest().encode(), b"\n", payload)
    )
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".knowledge-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _forget_old(folder)
    except OSError:
        return  # a cache that cannot be written only means the next run validates again


_KEEP = 8  # several checkouts or versions may share the folder; each keeps its own entry


def _forget_old(folder: Path) -> None:
    entries = sorted(
        folder.glob(f"{_PREFIX}*{_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for older in entries[_KEEP:]:
        older.unlink(missing_ok=True)
