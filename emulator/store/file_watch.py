"""A watch on the database file itself: deleted or replaced while the emulator runs (an
`rm -rf .emulator`), the open connections go on writing to a file no one can open again, and
everything written from then on would be lost at the stop without a word."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

WATCH_SECONDS = 1.0


def identity(path: Path) -> tuple[int, int] | None:
    """Which file `path` names now (device and inode); None when there is none."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


async def watch_database(path: Path, *, interval: float = WATCH_SECONDS) -> None:
    """Warn once when the file at `path` stops being the one opened at the start (and again
    if it changes after that)."""
    # The file opened, then each state already warned about.
    known = [identity(path)]
    while True:
        await asyncio.sleep(interval)
        now = identity(path)
        if now in known:
            continue
        known.append(now)
        what = "deleted" if now is None else "replaced by another file"
        logger.warning(
            "the database %s was %s while the emulator runs: activation records and functions "
            "deployed through the API from now on are lost when it stops. Restart the emulator "
            "to start a new database there.",
            path,
            what,
        )
