"""The file store: exported reports, the year-end archive, later homework and message attachments.

One interface, ``FileStore``: bytes put, got, listed and deleted by key. A key is a
``/``-separated path of plain segments (``reports/<school>/<job>.xlsx``), the same shape an
S3-compatible object store takes as its object key, so a bucket-backed store implements
the same four methods with the same keys and nothing above it changes. ``DirectoryStore``
keeps each key as a file under one directory: what runs here, and what a mounted volume
gives in a deployment.

It lives in the chassis because more than one service writes files (reporting its exports
and archive, gradebook homework attachments, notifications message attachments).
"""

import asyncio
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

#: One key segment: letters, digits, dot, dash, underscore; never "." or "..".
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
MAX_KEY_LENGTH = 512


class FileStoreError(Exception):
    """A key that is not a key, or a store that cannot be written."""


class FileNotFound(FileStoreError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no file under key {key!r}")
        self.key = key


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    modified: datetime


def check_key(key: str) -> str:
    """``key`` when it is a plain relative path of safe segments (no ``..``, no absolute path)."""
    segments = key.split("/")
    if not key or len(key) > MAX_KEY_LENGTH or not all(_SEGMENT.match(s) for s in segments):
        raise FileStoreError(f"not a file key: {key!r}")
    return key


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileStore(Protocol):
    async def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, replacing what was there; a reader sees the old or the new bytes, whole."""
        ...

    async def get(self, key: str) -> bytes:
        """The bytes under ``key``; ``FileNotFound`` when there are none."""
        ...

    async def list(self, prefix: str = "") -> list[StoredFile]:
        """The files whose key starts with ``prefix`` (a whole segment path, or empty for all), by key."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error (deletes are retried)."""
        ...


class DirectoryStore:
    """Each key a file under ``root``; written to a temporary name and renamed, so a crash leaves no half file."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def _put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)

    def _get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise FileNotFound(key) from None

    def _list(self, prefix: str) -> list[StoredFile]:
        base = self._path(prefix.rstrip("/")) if prefix else self.root
        if not base.is_dir():
            return []
        found = []
        for path in base.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                stat = path.stat()
                key = path.relative_to(self.root).as_posix()
                found.append(StoredFile(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
        return sorted(found, key=lambda f: f.key)

    def _delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    # File I/O runs in a worker thread: a large export must not stall the event loop.
    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, key, data)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._get, key)

    async def list(self, prefix: str = "") -> list[StoredFile]:
        return await asyncio.to_thread(self._list, prefix)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, key)
