"""ActivationStore: activation records and in-flight activations in one SQLite file."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from emulator.entities import Activation, Annotations, PendingActivation
from emulator.serialize import activation_from_json, activation_to_json
from emulator.store.busy import retry_busy
from emulator.store.schema import load_upgrades, upgrade

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long SQLite itself waits for a lock before reporting busy. Kept short so that the
# connection's one thread is not blocked for long: retry_busy does the patient waiting,
# and reads queued meanwhile get their turn between attempts.
_BUSY_TIMEOUT_MS = 250
# Retention deletes in batches so that no single transaction holds the write lock for long.
_PRUNE_BATCH = 5_000

_RECORD_COLUMNS = 'activation_id, namespace, name, package, start, "end", status_code, doc'
_PENDING_COLUMNS = (
    "activation_id, namespace, name, package, version, subject, start, annotations, cause"
)


class ActivationStore:
    """Records are written once, when an activation ends; `begin` marks one as running.

    Annotations say `builtins.list` because, inside this class, `list` is the method.
    """

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self._path = path
        self._closed = False
        # One connection means one transaction at a time: BEGIN … COMMIT must not interleave.
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> ActivationStore:
        """Open (creating if needed) the database at `path`, upgraded to the current schema."""
        db = await connect(path)
        logger.debug("activation store open at %s", path)
        return cls(db, path)

    async def close(self) -> None:
        """Wait for writes in progress, fold the WAL back into the database, and close."""
        async with self._write_lock:
            if self._closed:
                return
            self._closed = True
            try:
                # A write whose caller was cancelled may have left its transaction open.
                with contextlib.suppress(sqlite3.OperationalError):
                    await self._db.execute("ROLLBACK")
                # Not fatal if another process is reading: its own close checkpoints later.
                async with self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                    await cursor.fetchall()
            except sqlite3.OperationalError as error:
                logger.warning("could not checkpoint %s: %s", self._path, error)
            finally:
                await self._db.close()

    async def begin(self, pending: PendingActivation) -> None:
        """Record that `pending` has started; it has no activation record until `finish`."""
        row = (
            pending.activation_id,
            pending.namespace,
            pending.name,
            pending.package,
            pending.version,
            pending.subject,
            pending.start,
            json.dumps(pending.annotations.as_json()),
            pending.cause,
        )

        async def insert(db: aiosqlite.Connection) -> None:
            await db.execute(
                f"INSERT OR REPLACE INTO pending ({_PENDING_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

        await self._write("begin", insert)

    async def finish(self, activation: Activation) -> bool:
        """Write `activation`'s record and drop its pending row; False if it already existed."""
        row = (
            activation.activation_id,
            activation.namespace,
            activation.name,
            activation.package,
            activation.start,
            activation.end,
            int(activation.response.status_code),
            json.dumps(activation_to_json(activation), separators=(",", ":")),
        )

        async def insert(db: aiosqlite.Connection) -> bool:
            async with db.execute(
                f"INSERT OR IGNORE INTO activations ({_RECORD_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            ) as cursor:
                written = cursor.rowcount == 1
            await db.execute("DELETE FROM pending WHERE activation_id = ?", (row[0],))
            return written

        # Shielded: the activation has ended, so its record is written even if the caller
        # (say, a request whose client went away) is cancelled.
        return await asyncio.shield(self._write("finish", insert))

    async def get(self, activation_id: str) -> Activation | None:
        rows = await self._db.execute_fetchall(
            "SELECT package, doc FROM activations WHERE activation_id = ?", (activation_id,)
        )
        return next((_activation(row) for row in rows), None)

    async def list(
        self,
        *,
        namespace: str,
        name: str | None = None,
        since: int | None = None,
        upto: int | None = None,
        limit: int = 30,
        skip: int = 0,
    ) -> builtins.list[Activation]:
        """Newest first by start, then by latest written; since/upto are inclusive epoch ms."""
        where, params = _filters(namespace, name, since, upto)
        rows = await self._db.execute_fetchall(
            f"SELECT package, doc FROM activations WHERE {where} "
            "ORDER BY start DESC, rowid DESC LIMIT ? OFFSET ?",
            (*params, limit, skip),
        )
        return [_activation(row) for row in rows]

    async def count(
        self,
        *,
        namespace: str,
        name: str | None = None,
        since: int | None = None,
        upto: int | None = None,
    ) -> int:
        where, params = _filters(namespace, name, since, upto)
        rows = await self._db.execute_fetchall(
            f"SELECT count(*) FROM activations WHERE {where}", params
        )
        return next(int(row[0]) for row in rows)

    async def interrupted(self) -> builtins.list[PendingActivation]:
        """Activations begun and never finished, oldest first (an emulator killed mid-run)."""
        rows = await self._db.execute_fetchall(
            f"SELECT {_PENDING_COLUMNS} FROM pending ORDER BY start, rowid"
        )
        return [_pending(row) for row in rows]

    async def prune(self, older_than_ms: int) -> int:
        """Delete the records whose start is before `older_than_ms`; returns how many."""

        async def delete_batch(db: aiosqlite.Connection) -> int:
            async with db.execute(
                "DELETE FROM activations WHERE rowid IN "
                "(SELECT rowid FROM activations WHERE start < ? LIMIT ?)",
                (older_than_ms, _PRUNE_BATCH),
            ) as cursor:
                return cursor.rowcount

        deleted = 0
        while (batch := await self._write("prune", delete_batch)) > 0:
            deleted += batch
        return deleted

    async def _write(self, what: str, body: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        async with self._write_lock:
            if self._closed:
                raise ValueError(f"activation store at {self._path} is closed")
            return await retry_busy(lambda: transaction(self._db, body), what=what)


async def connect(path: Path) -> aiosqlite.Connection:
    """A connection to the database at `path` (created if needed), WAL mode, upgraded to the
    current schema: what every store of the emulator opens."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: transactions are only the ones we BEGIN ourselves.
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        await configure(db)
        upgrades = load_upgrades()
        await retry_busy(lambda: upgrade(db, upgrades), what="schema upgrade")
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


def _filters(
    namespace: str, name: str | None, since: int | None, upto: int | None
) -> tuple[str, Sequence[object]]:
    """The WHERE clause shared by list and count; `name` is `action` or `pkg/action`."""
    clauses = ["namespace = ?"]
    params: list[object] = [namespace]
    if name is not None:
        package, _, simple = name.rpartition("/")
        clauses.append("name = ?")
        params.append(simple)
        if package:
            clauses.append("package = ?")
            params.append(package)
    if since is not None:
        clauses.append("start >= ?")
        params.append(since)
    if upto is not None:
        clauses.append("start <= ?")
        params.append(upto)
    return " AND ".join(clauses), params


def _activation(row: Any) -> Activation:
    activation = activation_from_json(json.loads(row[1]))
    # The JSON only carries the package inside the `path` annotation; the column is the truth.
    return replace(activation, package=row[0])


def _pending(row: Any) -> PendingActivation:
    (activation_id, namespace, name, package, version, subject, start, annotations, cause) = row
    return PendingActivation(
        activation_id=activation_id,
        namespace=namespace,
        name=name,
        package=package,
        version=version,
        subject=subject,
        start=start,
        annotations=Annotations.of((a["key"], a["value"]) for a in json.loads(annotations)),
        cause=cause,
    )
