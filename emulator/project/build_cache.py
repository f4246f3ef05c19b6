"""Which builds already succeeded on the sources as they are now: a digest of each built
directory's inputs, taken right after its last successful build, kept in
`<root>/.emulator/builds.json`. A failure is recorded as a failure, never with a digest, so the
next start builds it again (and says so)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from emulator.project.code import BUILD_OUTPUTS, source_files

CACHE_FILE = Path(".emulator") / "builds.json"
# What the cache keeps of a directory whose last build failed: no digest matches it.
FAILED = "failed"
_CHUNK = 1024 * 1024


def input_digest(root: Path, directory: Path, *, salt: str) -> str:
    """The directory's build inputs: each file's name, execute bit and bytes (build outputs
    such as node_modules/ left out), which outputs exist at all, and `salt` (the command, and
    what the build may read besides, e.g. lib's digest)."""
    digest = hashlib.sha256(salt.encode())
    for file in source_files(root, directory):
        name = file.relative_to(directory).as_posix()
        digest.update(b"\0file\0" + name.encode("utf-8", "surrogateescape") + b"\0")
        if file.is_symlink():
            digest.update(b"link\0" + os.fsencode(os.readlink(file)))
            continue
        digest.update(b"x" if os.access(file, os.X_OK) else b"-")
        with contextlib.suppress(OSError), file.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
    # Deleting node_modules/ (or virtualenv/) must bring its build back.
    for name in sorted(BUILD_OUTPUTS - {".emulator"}):
        if (directory / name).exists():
            digest.update(b"\0output\0" + name.encode())
    return digest.hexdigest()


class BuildCache:
    """Digests by directory (relative to the project root), saved after every change."""

    def __init__(self, root: Path) -> None:
        self._file = root / CACHE_FILE
        self._digests: dict[str, str] = {}
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(self._file.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self._digests = {k: v for k, v in loaded.items() if isinstance(v, str)}

    def is_current(self, key: str, digest: str) -> bool:
        return self._digests.get(key) == digest

    def record(self, key: str, digest: str) -> None:
        self._digests[key] = digest
        self._save()

    def record_failure(self, key: str) -> None:
        self.record(key, FAILED)

    def failed(self, key: str) -> bool:
        """Whether the last build of `key` failed."""
        return self._digests.get(key) == FAILED

    def forget(self, key: str) -> None:
        if self._digests.pop(key, None) is not None:
            self._save()

    def _save(self) -> None:
        self._file.parent.mkdir(parents=True, exist_ok=True)
        partial = self._file.with_name(self._file.name + ".partial")
        partial.write_text(json.dumps(self._digests, indent=1, sort_keys=True), encoding="utf-8")
        partial.replace(self._file)
