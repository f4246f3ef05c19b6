"""The SQLite file every store opens: WAL mode, the current schema, and one transaction helper."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiosqlite

from emulator.store.busy import retry_busy
from emulator.store.faults import MOVE_ASIDE, StoreDamaged, store_errors
from emulator.store.schema import SchemaTooNew, load_upgrades, upgrade

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long SQLite itself waits for a lock before reporting busy. Kept short so that the
# connection's one thread is not blocked for long: retry_busy does the patient waiting,
# and reads queued meanwhile get their turn between attempts.
_BUSY_TIMEOUT_MS = 250
CHOOSE_ANOTHER = "make its folder writable, or name another file with --db"
NEWER_REMEDY = f"serve it with that emulator, or {MOVE_ASIDE}"


async def connect(path: Path) -> aiosqlite.Connection:
    """A connection to the database at `path` (created if needed), WAL mode, upgraded to the
    current schema: what every store of the emulator opens. StoreDamaged or StoreUnwritable,
    naming the file and what to do, when it cannot be."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreDamaged(path, f"cannot be created ({error})", CHOOSE_ANOTHER) from None
    try:
        # isolation_level=None: transactions are only the ones we BEGIN ourselves.
        db = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise StoreDamaged(path, f"cannot be opened ({error})", CHOOSE_ANOTHER) from None
    try:
        with store_errors(path, "database's schema"):
            try:
                await configure(db)
                upgrades = load_upgrades()
                await retry_busy(lambda: upgrade(db, upgrades), what="schema upgrade")
            except sqlite3.DatabaseError as error:
                if error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_NOTADB:
                    raise StoreDamaged(path, f"is not an SQLite database ({error})") from None
                raise
            except SchemaTooNew as error:
                raise StoreDamaged(
                    path, f"was written by a newer emulator ({error})", NEWER_REMEDY
                ) from None
    except BaseException:
        await db.close()
        raise
    return db


async def configure(db: aiosqlite.Connection) -> None:
    await db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS:d}")

    async def wal() -> None:
        async with db.execute("PRAGMA journal_mode = WAL") as cursor:
            row = await cursor.fetchone()
        if row is None or str(row[0]).lower() != "wal":
            logger.warning("activation store could not switch to WAL mode (%s)", row)

    # Switching to WAL needs a moment of exclusive access to the file.
    await retry_busy(wal, what="journal_mode=WAL")
    # With WAL, NORMAL loses nothing on a process crash (only on power loss), and skips an
    # fsync per commit.
    await db.execute("PRAGMA synchronous = NORMAL")


async def transaction(
    db: aiosqlite.Connection, body: Callable[[aiosqlite.Connection], Awaitable[T]]
) -> T:
    # IMMEDIATE takes the write lock up front, so a busy database shows up here and not as
    # an un-retryable failure halfway through.
    try:
        # Inside the try: a caller cancelled while BEGIN runs must not leave it open.
        await db.execute("BEGIN IMMEDIATE")
        result = await body(db)
        await db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.OperationalError):
            await db.execute("ROLLBACK")
        raise
    return result
