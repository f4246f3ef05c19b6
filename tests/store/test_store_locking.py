"""Another process holding the database file: writes wait it out, reads carry on."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
import pytest

from emulator.namespace.entities import Activation
from emulator.store.activation_store import ActivationStore
from emulator.store.busy import retry_busy

MakeActivation = Callable[..., Activation]


@asynccontextmanager
async def exclusive_lock(db_path: Path, *, hold: float) -> AsyncIterator[None]:
    """Another connection (plain sqlite3, in a thread) holds the write lock for `hold` s."""
    locked = threading.Event()

    def hold_lock() -> None:
        other = sqlite3.connect(db_path, isolation_level=None)
        try:
            other.execute("BEGIN EXCLUSIVE")
            locked.set()
            time.sleep(hold)
            other.execute("COMMIT")
        finally:
            other.close()

    holder = asyncio.ensure_future(asyncio.to_thread(hold_lock))
    assert await asyncio.to_thread(locked.wait, 5.0)
    try:
        yield
    finally:
        await holder


async def test_a_write_during_another_connections_exclusive_lock_succeeds_after_release(
    store: ActivationStore, db_path: Path, make_activation: MakeActivation
) -> None:
    activation = make_activation()
    async with exclusive_lock(db_path, hold=1.0):
        started = time.monotonic()
        assert await store.finish(activation) is True
        waited = time.monotonic() - started
    assert waited > 0.5
    assert await store.get(activation.activation_id) == activation


async def test_reads_carry_on_while_another_connection_holds_the_write_lock(
    store: ActivationStore, db_path: Path, make_activation: MakeActivation
) -> None:
    activation = make_activation()
    await store.finish(activation)
    async with exclusive_lock(db_path, hold=1.0):
        started = time.monotonic()
        assert await store.list(namespace="guest") == [activation]
        assert time.monotonic() - started < 0.5


async def test_a_write_still_locked_after_the_retry_budget_is_raised_not_dropped(
    store: ActivationStore, db_path: Path
) -> None:
    async with aiosqlite.connect(db_path, isolation_level=None) as db:
        await db.execute("PRAGMA busy_timeout = 0")

        async def take_write_lock() -> None:
            await db.execute("BEGIN IMMEDIATE")

        async with exclusive_lock(db_path, hold=1.0):
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                await retry_busy(take_write_lock, what="test", budget=0.3)
