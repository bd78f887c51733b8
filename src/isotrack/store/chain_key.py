"""The key that signs chain heads, rows and checkpoints, kept outside the database.

Someone who can write to the database but not read this file cannot forge a signature, so
editing, deleting or appending rows shows up in ``isotrack verify``. The key is a file of 64
hex digits, created on first use with permissions 0600. Its path comes from
``ISOTRACK_CHAIN_KEY_FILE``; without it, a SQLite store keeps the key beside its file
(``<database>.chain-key``) and any other store uses ``./var/isotrack.chain-key``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import weakref
from pathlib import Path

from sqlalchemy import Connection, Engine, make_url

CHAIN_KEY_FILE_ENV = "ISOTRACK_CHAIN_KEY_FILE"
_KEY_BYTES = 32
_lock = threading.Lock()
_keys: dict[Path, bytes] = {}
# One look-up per engine, not one per write (the key never changes while a process runs).
_engine_keys: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


class ChainKeyError(RuntimeError):
    """The key file exists but cannot be used (unreadable, wrong length, too open)."""


def key_path_for(database_url: str) -> Path:
    configured = os.environ.get(CHAIN_KEY_FILE_ENV, "").strip()
    if configured:
        return Path(configured)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database + ".chain-key")
    return Path("var") / "isotrack.chain-key"


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(_KEY_BYTES) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def load_key(path: Path) -> bytes:
    """The key in ``path``, created with permissions 0600 when the file does not exist."""
    resolved = path.resolve()
    with _lock:
        cached = _keys.get(resolved)
        if cached is not None:
            return cached
        if not resolved.exists():
            _create(resolved)
        if resolved.stat().st_mode & 0o077:
            raise ChainKeyError(f"chain key file {resolved} is readable by others; chmod 600 it")
        text = resolved.read_text(encoding="ascii").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) != _KEY_BYTES:
            raise ChainKeyError(f"chain key file {resolved} does not hold 64 hex digits")
        _keys[resolved] = key
        return key


def key_for(connection: Connection) -> bytes:
    """The signing key of the store this connection belongs to."""
    engine = connection.engine
    key = _engine_keys.get(engine)
    if key is None:
        key = load_key(key_path_for(engine.url.render_as_string(hide_password=True)))
        _engine_keys[engine] = key
    return key


def sign(key: bytes, purpose: str, text: str) -> str:
    """HMAC-SHA256 of ``text`` under ``key``, separated by ``purpose`` so no signature of one
    kind can be replayed as another."""
    return hmac.digest(key, f"{purpose}\n{text}".encode(), hashlib.sha256).hex()


def signature_matches(key: bytes, purpose: str, text: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, purpose, text), signature)
