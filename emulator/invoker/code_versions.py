"""CodeVersions: a digest of each function version's code, and a copy of small code kept under
its digest, so that an activation can be replayed with the code it ran (`--code recorded`).

Copies are kept in the project's `.emulator/code-history/`, at a function version's first
activation, for code of at most SNAPSHOT_LIMIT bytes; larger code (say, with node_modules) is
fingerprinted by its files' sizes and times and not copied. Nothing is deleted: removing the
folder forgets the old versions.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from emulator.invoker.pool import PoolKey, pool_key
from emulator.namespace.entities import Action

logger = logging.getLogger(__name__)

SNAPSHOT_LIMIT = 10 * 1024 * 1024
_COMPLETE = ".complete"


class CodeVersions:
    def __init__(self, folder: Path | None, *, limit: int = SNAPSHOT_LIMIT) -> None:
        """`folder` None: digests only, no copies."""
        self._folder = folder
        self._limit = limit
        self._digests: dict[PoolKey, asyncio.Task[str | None]] = {}

    async def digest(self, action: Action) -> str | None:
        """The digest of `action`'s code, computed (and copied) once per function version."""
        key = pool_key(action)
        task = self._digests.get(key)
        if task is None:
            task = asyncio.ensure_future(asyncio.to_thread(self._record, action.exec.source))
            self._digests[key] = task
        return await asyncio.shield(task)

    def snapshot(self, digest: str, name: str) -> Path | None:
        """The kept copy of the code with `digest` (its file or folder `name`), if kept."""
        if self._folder is None or "/" in digest or not digest.isalnum():
            return None
        folder = self._folder / digest
        copy = folder / name
        return copy if (folder / _COMPLETE).exists() and copy.exists() else None

    def _record(self, source: Path) -> str | None:
        try:
            files = sorted(_files(source))
            size = sum(path.stat().st_size for path in files)
            if size > self._limit:
                return _fingerprint(source, files)
            digest = _content_digest(source, files)
            self._copy(source, digest)
            return digest
        except OSError as error:
            logger.debug("no digest of %s: %s", source, error)
            return None

    def _copy(self, source: Path, digest: str) -> None:
        if self._folder is None:
            return
        folder = self._folder / digest
        if (folder / _COMPLETE).exists():
            return
        folder.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, folder / source.name, symlinks=False, dirs_exist_ok=True)
        else:
            shutil.copy2(source, folder / source.name)
        (folder / _COMPLETE).touch()


def _files(source: Path) -> Iterator[Path]:
    if not source.is_dir():
        yield source
        return
    for folder, dirs, names in os.walk(source, followlinks=True):
        dirs.sort()
        for name in names:
            yield Path(folder, name)


def _content_digest(source: Path, files: list[Path]) -> str:
    hashed = hashlib.sha256()
    for path in files:
        relative = path.relative_to(source).as_posix() if source.is_dir() else path.name
        content = path.read_bytes()
        hashed.update(b"%s\0%d\0" % (relative.encode(), len(content)))
        hashed.update(content)
    return hashed.hexdigest()[:32]


def _fingerprint(source: Path, files: list[Path]) -> str:
    """For code too large to read on every version: names, sizes and modification times."""
    hashed = hashlib.sha256(b"stat\0")
    for path in files:
        stat = path.stat()
        relative = path.relative_to(source).as_posix() if source.is_dir() else path.name
        hashed.update(b"%s\0%d\0%d\0" % (relative.encode(), stat.st_size, stat.st_mtime_ns))
    return "s" + hashed.hexdigest()[:31]
