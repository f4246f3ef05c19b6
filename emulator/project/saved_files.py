"""Whether a project's files are as they were deployed, and settled: an editor saving a file
writes it in pieces, and a process started from it in between would load half of it.

A file is taken as settled once it has not been modified for SETTLE_SECONDS; its signature
(size, mtime) is what a deploy remembers of it.
"""

from __future__ import annotations

import asyncio
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from emulator.namespace.entities import Action

# Editors write a save in bursts milliseconds apart; the watcher itself ends a burst after
# 100 ms without events.
SETTLE_SECONDS = 0.15
# A file written without pause for longer than this is read as it is then.
MAX_SETTLE_SECONDS = 5.0

Signature = tuple[int, int]


def signature(path: Path) -> Signature | None:
    """The file's size and modification time (ns); None when it is not a regular file (a
    directory function's folder changes with what its builds write into it)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return status.st_size, status.st_mtime_ns


def signatures(actions: Iterable[Action]) -> dict[Path, Signature]:
    """Each source file's signature, for the functions that are one file (keyed by the
    file: a function deployed through the API over a project's one runs from elsewhere)."""
    found = {action.exec.source: signature(action.exec.source) for action in actions}
    return {source: sign for source, sign in found.items() if sign is not None}


async def settle(paths: Iterable[Path], *, quiet: float = SETTLE_SECONDS) -> bool:
    """Wait until none of `paths` has changed for `quiet` seconds, counted from its last
    modification (the watcher reports a save only after a pause, which counts too); False if
    they were still changing after MAX_SETTLE_SECONDS."""
    watched = list(paths)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAX_SETTLE_SECONDS
    before = [signature(path) for path in watched]
    await asyncio.sleep(_still_to_wait(before, quiet))
    while True:
        now = [signature(path) for path in watched]
        if now == before:
            return True
        if loop.time() >= deadline:
            return False
        before = now
        await asyncio.sleep(quiet)


def _still_to_wait(found: Iterable[Signature | None], quiet: float) -> float:
    """How much longer than they already have the files must stand still; all of `quiet`
    when a modification time is ahead of this clock (a file system of another machine)."""
    newest = max((sign[1] for sign in found if sign is not None), default=0)
    still_for = time.time() - newest / 1e9
    return quiet if still_for < 0 else max(quiet - still_for, 0.0)
