"""What the activation store reports when its file cannot be written at all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from emulator.namespace.errors import EmulatorError

# SQLite's primary result codes for "cannot write here": retrying will not help.
_UNWRITABLE = (
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CANTOPEN,
)


def is_unwritable(error: sqlite3.Error) -> bool:
    """Whether `error` means the disk is full, or the file or its folder is read-only."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _UNWRITABLE


class StoreUnwritable(EmulatorError):
    """An activation could not be recorded; reads still work, so the server stays up."""

    status = 503

    def __init__(self, path: Path, error: sqlite3.Error) -> None:
        super().__init__(
            f"The activation record could not be saved: {error} ({path}). "
            "Free disk space or make the file writable; records already saved can still be read."
        )
