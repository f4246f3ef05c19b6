"""Whether a project's files are as they were deployed, and settled: an editor saving a file
writes it in pieces, and a process started from it in between would load half of it.

A file is taken as settled once its size and modification time have stood still for
SETTLE_SECONDS; its signature (size, mtime) is what a deploy remembers of it.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from emulator.namespace.entities import Action

SETTLE_SECONDS = 0.25
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
    """Wait until none of `paths` has changed for `quiet` seconds; False if they were still
    changing after MAX_SETTLE_SECONDS."""
    watched = list(paths)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAX_SETTLE_SECONDS
    before = [signature(path) for path in watched]
    while True:
        await asyncio.sleep(quiet)
        now = [signature(path) for path in watched]
        if now == before:
            return True
        if loop.time() >= deadline:
            return False
        before = now
