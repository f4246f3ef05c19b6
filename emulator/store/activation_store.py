"""ActivationStore: activation records and in-flight activations in one SQLite file."""

from __future__ import annotations

import asyncio
import builtins
import functools
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from emulator.namespace.documents import activation_to_json
from emulator.namespace.entities import Activation, Annotations, PendingActivation
from emulator.namespace.recordings import RecordedRequest, StoredRequest, bounded_text
from emulator.store.codecs import activation_from_json
from emulator.store.database import connect
from emulator.store.faults import StoreDamaged, store_errors
from emulator.store.json_text import dumps, loads
from emulator.store.writer import GroupCommit, Marker, RowWrite

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Retention deletes in batches so that no single transaction holds the write lock for long.
_PRUNE_BATCH = 5_000

_RECORD_COLUMNS = 'activation_id, namespace, name, package, start, "end", status_code, doc'
_RECORD_WRITE = RowWrite(
    insert=f"INSERT OR IGNORE INTO activations ({_RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    cleanup="DELETE FROM pending WHERE activation_id = ?",
    companion="INSERT OR IGNORE INTO activation_requests (activation_id, doc, size, cut, code) "
    "VALUES (?, ?, ?, ?, ?)",
)
_PENDING_COLUMNS = (
    "activation_id, namespace, name, package, version, subject, start, annotations, cause"
)


class ActivationStore:
    """Records are written once, when an activation ends; `begin` marks one as running.

    Annotations say `builtins.list` because, inside this class, `list` is the method.
    """

    def __init__(self, db: aiosqlite.Connection, path: Path, writer: GroupCommit) -> None:
        """Reads go through `db`; every write goes through `writer`, one commit per batch."""
        self._db = db
        self._path = path
        self._writer = writer
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> ActivationStore:
        """Open (creating if needed) the database at `path`, upgraded to the current schema."""
        db = await connect(path)
        writer = GroupCommit(path, functools.partial(_checkpoint, db))
        try:
            await writer.start()
        except BaseException:
            await db.close()
            raise
        logger.debug("activation store open at %s", path)
        return cls(db, path, writer)

    async def close(self) -> None:
        """Write what is queued, fold the WAL back into the database, and close."""
        if self._closed:
            return
        self._closed = True
        await self._writer.close()
        try:
            # Not fatal if another process is reading: its own close checkpoints later.
            async with self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                await cursor.fetchall()
        except sqlite3.OperationalError as error:
            logger.warning("could not checkpoint %s: %s", self._path, error)
        finally:
            await self._db.close()

    async def begin(self, pending: PendingActivation) -> None:
        """Record that `pending` has started; it has no activation record until `finish`."""
        # Not shielded, nor need it be: a queued write is committed whether or not anyone
        # still waits for it.
        await self.begin_soon(pending).done

    def begin_soon(self, pending: PendingActivation) -> Marker:
        """Queue `pending`'s marker; await its `done` for the commit. A `finish` queued before
        the marker was written drops it: the record, committed at once, supersedes it."""
        row = (
            pending.activation_id,
            pending.namespace,
            pending.name,
            pending.package,
            pending.version,
            pending.subject,
            pending.start,
            dumps(pending.annotations.as_json()),
            pending.cause,
        )

        def insert(db: sqlite3.Connection) -> None:
            db.execute(
                f"INSERT OR REPLACE INTO pending ({_PENDING_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

        return self._writer.submit(insert)

    def finish(
        self,
        activation: Activation,
        *,
        marker: Marker | None = None,
        marked: bool = True,
        request: RecordedRequest | None = None,
    ) -> asyncio.Future[bool]:
        """Queue `activation`'s record and the removal of its pending row; await the result for
        the commit: True, or False if the record already existed.

        `marker`, from `begin_soon`, is dropped if it has not been written yet; `marked=False`
        says no marker was ever queued (a blocking call that ended quickly), so there is no
        pending row to drop. `request`, what the activation was invoked with, is written in
        the record's own transaction (bounded: see `requests`).

        A plain method returning the commit's future, not a coroutine: a burst of thousands of
        records ending together then costs no task per record. A caller cancelled while it
        awaits (say, a request whose client went away) cancels only its wait: the record is
        queued, and written all the same."""
        activation_id = activation.activation_id
        row = (
            activation_id,
            activation.namespace,
            activation.name,
            activation.package,
            activation.start,
            activation.end,
            int(activation.response.status_code),
            dumps(activation_to_json(activation)),
        )
        companion = None
        if request is not None:
            doc, size, cut = bounded_text(dumps(request.as_json()))
            companion = (activation_id, doc, size, int(cut), request.code)
        write = self._writer.submit_row(
            _RECORD_WRITE, row, (activation_id,) if marked else None, companion
        )
        if marker is not None and self._writer.supersede(marker, write):
            write.cleanup = None  # the marker never reaches the database
        done: asyncio.Future[bool] = write.done
        return done

    async def get(self, activation_id: str) -> Activation | None:
        with store_errors(self._path):
            rows = await self._db.execute_fetchall(
                "SELECT package, doc FROM activations WHERE activation_id = ?", (activation_id,)
            )
            return next((self._activation(row) for row in rows), None)

    async def request(self, activation_id: str) -> StoredRequest | None:
        """What the activation was invoked with; None when nothing was kept (a record from
        before requests were kept, or an activation interrupted by a stop)."""
        rows = await self._db.execute_fetchall(
            "SELECT doc, size, cut, code FROM activation_requests WHERE activation_id = ?",
            (activation_id,),
        )
        for doc, size, cut, code in rows:
            if cut:
                return StoredRequest(None, int(size), prefix=doc, code=code)
            return StoredRequest(RecordedRequest.from_json(loads(doc), code), int(size), code=code)
        return None

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
        with store_errors(self._path):
            rows = await self._db.execute_fetchall(
                f"SELECT package, doc FROM activations WHERE {where} "
                "ORDER BY start DESC, rowid DESC LIMIT ? OFFSET ?",
                (*params, limit, skip),
            )
            return [self._activation(row) for row in rows]

    async def count(
        self,
        *,
        namespace: str,
        name: str | None = None,
        since: int | None = None,
        upto: int | None = None,
    ) -> int:
        where, params = _filters(namespace, name, since, upto)
        with store_errors(self._path):
            rows = await self._db.execute_fetchall(
                f"SELECT count(*) FROM activations WHERE {where}", params
            )
        return next(int(row[0]) for row in rows)

    async def interrupted(self) -> builtins.list[PendingActivation]:
        """Activations begun and never finished, oldest first (an emulator killed mid-run)."""
        with store_errors(self._path):
            rows = await self._db.execute_fetchall(
                f"SELECT {_PENDING_COLUMNS} FROM pending ORDER BY start, rowid"
            )
        try:
            return [_pending(row) for row in rows]
        except (ValueError, KeyError, TypeError) as error:
            raise StoreDamaged(self._path, f"holds an unreadable activation ({error})") from None

    def _activation(self, row: Any) -> Activation:
        try:
            return _activation(row)
        except (ValueError, KeyError, TypeError) as error:
            raise StoreDamaged(
                self._path, f"holds an activation record that cannot be read ({error!r})"
            ) from None

    async def prune(self, older_than_ms: int) -> int:
        """Delete the records whose start is before `older_than_ms`; returns how many."""

        def delete_batch(db: sqlite3.Connection) -> int:
            return db.execute(
                "DELETE FROM activations WHERE rowid IN "
                "(SELECT rowid FROM activations WHERE start < ? LIMIT ?)",
                (older_than_ms, _PRUNE_BATCH),
            ).rowcount

        deleted = 0
        # One batch per commit, so that new records are written in between.
        while (batch := await self._writer.submit(delete_batch).done) > 0:
            deleted += batch
        return int(deleted)


async def _checkpoint(db: aiosqlite.Connection) -> None:
    # PASSIVE: copies what no reader still needs, never waits, never blocks the writer.
    async with db.execute("PRAGMA wal_checkpoint(PASSIVE)") as cursor:
        await cursor.fetchall()


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
    activation = activation_from_json(loads(row[1]))
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
        annotations=Annotations.of((a["key"], a["value"]) for a in loads(annotations)),
        cause=cause,
    )
