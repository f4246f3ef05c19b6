"""Retrying SQLite work that meets another process's lock on the database file."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Long enough to outlast another emulator's checkpoint or a `sqlite3` shell's transaction;
# a write that still fails after this is raised, never dropped silently.
RETRY_BUDGET_S = 30.0
_FIRST_DELAY_S = 0.02
_MAX_DELAY_S = 0.5


def is_busy(error: sqlite3.Error) -> bool:
    """Whether `error` is SQLITE_BUSY or SQLITE_LOCKED (in any extended form)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


async def retry_busy(
    attempt: Callable[[], Awaitable[T]], *, what: str, budget: float = RETRY_BUDGET_S
) -> T:
    """Run `attempt` until it does not fail with busy/locked, backing off, for `budget` seconds.

    `attempt` must leave nothing half done when it raises (roll back its transaction).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    delay = _FIRST_DELAY_S
    while True:
        try:
            return await attempt()
        except sqlite3.OperationalError as error:
            if not is_busy(error) or loop.time() + delay > deadline:
                raise
            logger.debug("%s: database busy (%s), retrying in %.2f s", what, error, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, _MAX_DELAY_S)
