"""Files kept by their content: uploaded returns and compiled reports, each named by its sha256,
written once and never overwritten."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


class StorageError(OSError):
    """A stored file is missing or no longer has the content its name promises."""


@dataclass(frozen=True)
class StoredFile:
    """Where a file was kept: its sha256, its size and its path relative to the storage folder."""

    sha256: str
    size: int
    relative_path: str


def store_bytes(folder: Path, data: bytes, suffix: str = "") -> StoredFile:
    """Keep `data` under `folder` as `<sha[:2]>/<sha><suffix>`. The file is written to a temporary
    name and linked into place, so a reader never sees half a file; content already kept is left
    as it is, and nothing is ever overwritten."""
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{digest[:2]}/{digest}{suffix}"
    target = Path(folder) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o444)
            try:
                os.link(temporary, target)
            except FileExistsError:
                pass  # another process kept the same content first
        finally:
            os.unlink(temporary)
    return StoredFile(digest, len(data), relative)


def read_stored(folder: Path, relative_path: str) -> bytes:
    """The bytes of a kept file, checked against the sha256 in its name."""
    path = Path(folder) / relative_path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StorageError(f"stored file {relative_path} is missing from {folder}") from None
    expected = path.name.split(".", 1)[0]
    if hashlib.sha256(data).hexdigest() != expected:
        raise StorageError(f"stored file {relative_path} no longer matches its sha256")
    return data
