"""GroupCommit: one writer for the activation store, batching concurrent writes into one commit.

Every caller queues its statement and awaits the commit of the batch that carried it, so
nothing is acknowledged before it is on disk, and a thousand concurrent activations cost a
handful of transactions instead of a thousand.

The writer runs its transactions on the event loop itself: in WAL mode without an fsync per
commit, a batch takes tens of microseconds, less than handing it to a thread and back. What
could stall the loop is avoided: the connection never waits for a lock (busy_timeout 0; the
retries sleep asynchronously) and never checkpoints (the store checkpoints from its reading
connection's thread, `checkpoint`, every CHECKPOINT_EVERY rows).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.store.busy import retry_busy
from emulator.store.faults import StoreDamaged, StoreUnwritable, is_damaged, is_unwritable

logger = logging.getLogger(__name__)

# Kept short so that a batch holds the loop and the write lock briefly; the next follows at once.
MAX_BATCH = 500
# About SQLite's own auto-checkpoint interval (1,000 pages) for records of a few hundred bytes.
CHECKPOINT_EVERY = 2_000

Statement = Callable[[sqlite3.Connection], Any]


@dataclass(frozen=True, slots=True)
class RowWrite:
    """A row insert (`INSERT OR IGNORE`) and the statement that cleans up after it, as SQL the
    writer runs for a whole run of such writes with two `executemany`: a record costs no
    Python callable and no statement preparation of its own."""

    insert: str
    cleanup: str
    # A second insert that goes with the row into the same transaction (its request).
    companion: str | None = None


@dataclass(eq=False, slots=True)
class Write:
    # None for a RowWrite: `row` and `cleanup` carry its parameters.
    statement: Statement | None
    done: asyncio.Future[Any]
    # Superseded before it was written (a pending marker whose record came in the same wait).
    dropped: bool = False
    # Taken into a batch: from then on it is written, whatever comes later.
    taken: bool = False
    # Futures to resolve with this write's commit: the writes it superseded.
    riders: list[asyncio.Future[Any]] = field(default_factory=list)
    sql: RowWrite | None = None
    row: tuple[Any, ...] = ()
    # The cleanup statement's parameters; None skips it for this row.
    cleanup: tuple[Any, ...] | None = None
    # The companion insert's parameters; None skips it for this row.
    companion: tuple[Any, ...] | None = None


# A pending marker queued with `ActivationStore.begin_soon`.
Marker = Write


class GroupCommit:
    """Owns a plain sqlite3 connection, used on the event loop's thread only."""

    def __init__(self, path: Path, checkpoint: Callable[[], Awaitable[object]]) -> None:
        self._path = path
        self._checkpoint = checkpoint
        self._checkpointing: asyncio.Task[object] | None = None
        self._unchecked = 0
        self._db: sqlite3.Connection | None = None
        self._queue: deque[Write] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def start(self) -> None:
        self._db = _open(self._path)
        self._task = asyncio.create_task(self._run(), name=f"activation writer {self._path}")

    def submit(self, statement: Statement) -> Write:
        """Queue `statement`; its `done` resolves with its result once its batch committed."""
        return self._enqueue(Write(statement, self._future()))

    def submit_row(
        self,
        sql: RowWrite,
        row: tuple[Any, ...],
        cleanup: tuple[Any, ...] | None,
        companion: tuple[Any, ...] | None = None,
    ) -> Write:
        """Queue `sql`'s insert of `row`, its companion insert with `companion` and its cleanup
        with `cleanup` (each unless None); `done` resolves with whether the row was new once
        its batch committed."""
        write = Write(None, self._future(), sql=sql, row=row, cleanup=cleanup, companion=companion)
        return self._enqueue(write)

    def _future(self) -> asyncio.Future[Any]:
        if self._closing or self._task is None:
            raise ValueError(f"activation store at {self._path} is closed")
        return asyncio.get_running_loop().create_future()

    def _enqueue(self, write: Write) -> Write:
        self._queue.append(write)
        self._wakeup.set()
        return write

    def supersede(self, earlier: Write, later: Write) -> bool:
        """Drop `earlier` if it is still queued; its waiters then wait for `later`'s commit."""
        if earlier.dropped or earlier.taken:
            return False
        earlier.dropped = True
        later.riders.append(earlier.done)
        return True

    async def close(self) -> None:
        """Write what is queued, then close the connection."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        if self._checkpointing is not None:
            await asyncio.gather(self._checkpointing, return_exceptions=True)
        db, self._db = self._db, None
        if db is not None:
            db.close()

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                batch = [self._queue.popleft() for _ in range(min(len(self._queue), MAX_BATCH))]
                for write in batch:
                    write.taken = True
                live = [w for w in batch if not w.dropped]
                if live:
                    await self._commit(live)
            if self._closing:
                return

    async def _commit(self, batch: Sequence[Write]) -> None:
        db = self._db
        assert db is not None

        async def attempt() -> list[Any]:
            return _write_batch(db, batch)

        try:
            results = await retry_busy(attempt, what=f"writing {len(batch)} activation rows")
        except Exception as error:
            # Any failure goes to the batch's callers: the writer itself must carry on.
            failure: Exception = error
            if isinstance(error, sqlite3.Error) and is_damaged(error):
                failure = StoreDamaged(self._path, f"is damaged ({error})")
                logger.error("%s", failure.message)
            elif isinstance(error, sqlite3.Error) and is_unwritable(error):
                failure = StoreUnwritable(self._path, error)
                logger.error("%s", failure.message)
            for write in batch:
                _settle(write, error=failure)
            return
        for write, result in zip(batch, results, strict=True):
            _settle(write, result=result)
        self._unchecked += len(batch)
        if self._unchecked >= CHECKPOINT_EVERY and self._checkpointing is None:
            self._unchecked = 0
            self._checkpointing = asyncio.create_task(self._fold_wal())

    async def _fold_wal(self) -> None:
        try:
            await self._checkpoint()
        except sqlite3.Error as error:
            logger.warning("could not checkpoint %s: %s", self._path, error)
        finally:
            self._checkpointing = None


def _settle(write: Write, *, result: Any = None, error: Exception | None = None) -> None:
    for future in (write.done, *write.riders):
        if future.done():  # its waiter gave up; the write happened all the same
            continue
        if error is None:
            future.set_result(result if future is write.done else None)
        else:
            future.set_exception(error)
    # Nobody may be waiting (a marker nobody asked about): do not warn about an unseen error.
    if error is not None and not write.done.cancelled():
        write.done.exception()


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 0")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    # Records written before ids began with their time have random primary keys, spread
    # over the whole index: a larger cache keeps more of its pages at hand.
    db.execute("PRAGMA cache_size = -16384")  # KiB
    # As the reading connection: no fsync per commit in WAL mode, nothing lost on a crash.
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def _write_batch(db: sqlite3.Connection, batch: Sequence[Write]) -> list[Any]:
    """All of `batch` in one transaction, each write's result; rolled back whole if any fails."""
    try:
        db.execute("BEGIN IMMEDIATE")
        results = _run_grouped(db, batch)
        if results is None:
            # Some row was there already: do it again row by row to tell each caller.
            db.execute("ROLLBACK")
            db.execute("BEGIN IMMEDIATE")
            results = [_run_one(db, write) for write in batch]
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise
    return results


def _run_grouped(db: sqlite3.Connection, batch: Sequence[Write]) -> list[Any] | None:
    """Each run of row writes of the same SQL as one executemany; None if any row was ignored."""
    results: list[Any] = []
    index, end = 0, len(batch)
    while index < end:
        write = batch[index]
        sql = write.sql
        if sql is None:
            assert write.statement is not None
            results.append(write.statement(db))
            index += 1
            continue
        stop = index + 1
        while stop < end and batch[stop].sql is sql:
            stop += 1
        run = batch[index:stop]
        if db.executemany(sql.insert, [w.row for w in run]).rowcount != len(run):
            return None
        companions = [w.companion for w in run if w.companion is not None]
        if companions and sql.companion is not None:
            db.executemany(sql.companion, companions)
        cleanups = [w.cleanup for w in run if w.cleanup is not None]
        if cleanups:
            db.executemany(sql.cleanup, cleanups)
        results.extend([True] * len(run))
        index = stop
    return results


def _run_one(db: sqlite3.Connection, write: Write) -> Any:
    if write.sql is None:
        assert write.statement is not None
        return write.statement(db)
    written = db.execute(write.sql.insert, write.row).rowcount == 1
    if written and write.companion is not None and write.sql.companion is not None:
        db.execute(write.sql.companion, write.companion)
    if write.cleanup is not None:
        db.execute(write.sql.cleanup, write.cleanup)
    return written
