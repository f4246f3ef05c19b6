"""What the stores report when their file cannot be written, or cannot be read at all: one
message that names the file, says what is wrong and what to do about it."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from emulator.namespace.errors import EmulatorError

# SQLite's primary result codes for "cannot write here": retrying will not help.
_UNWRITABLE = (
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_PERM,
)
# And for "this is not (or no longer) a database SQLite can read".
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
MOVE_ASIDE = "move it aside (or delete it) and start again; records will start empty"


def _code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def is_unwritable(error: sqlite3.Error) -> bool:
    """Whether `error` means the disk is full, or the file or its folder is read-only."""
    return _code(error) in _UNWRITABLE


def is_damaged(error: sqlite3.Error) -> bool:
    """Whether `error` means the file is not a database, or a damaged one."""
    return _code(error) in _DAMAGED


class StoreUnwritable(EmulatorError):
    """A record could not be saved; reads still work, so the server stays up."""

    status = 503

    def __init__(self, path: Path, error: sqlite3.Error, what: str = "activation record") -> None:
        super().__init__(
            f"The {what} could not be saved: {error} ({path}). "
            "Free disk space or make the file writable; records already saved can still be read."
        )


class StoreDamaged(EmulatorError):
    """The database file is not one the emulator can read: damaged, or not a database."""

    status = 503

    def __init__(self, path: Path, problem: str, remedy: str = MOVE_ASIDE) -> None:
        super().__init__(f"The database {path} {problem}: {remedy}.")


@contextlib.contextmanager
def store_errors(path: Path, what: str = "activation record") -> Iterator[None]:
    """SQLite's errors as the stores report them: a file that cannot be written, or read."""
    try:
        yield
    except sqlite3.Error as error:
        if is_damaged(error):
            raise StoreDamaged(path, f"is damaged ({error})") from error
        if is_unwritable(error):
            raise StoreUnwritable(path, error, what) from error
        raise
