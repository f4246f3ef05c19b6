"""ToolchainProbes: what each toolchain said about itself (its version, its real executable,
`go env`), kept in the user cache per program path and modification time.

A probe starts the program: a Python interpreter takes 20 ms, node 40 ms, `go env` 30 to
100 ms, and `serve` asked eight of them before it could answer. The answer is the same until
the program changes, so it is kept with the identity (path, size, modification time, inode)
of the program and of every file the answer names (a pyenv or nvm shim names the real
executable behind it: a new version there is a new answer), and of the files the caller says
the answer depends on (Go's own `go env` file). Anything that differs, and the probe runs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

PROBE_SECONDS = 10
FILE_NAME = "toolchain-probes.json"
# Bumped when what is kept changes meaning: an older file is then ignored whole.
FORMAT = 1
# Answers kept at most: the newest win (every program on a machine fits many times over).
MAX_ENTRIES = 256

_Identity = list[object]


class ToolchainProbes:
    """Runs probes, or answers them from `path` (None: nothing kept, every probe runs)."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, object]] = self._load()
        self._changed = False
        self.ran = 0  # probes that ran (not answered from the cache), for the tests and notes

    @classmethod
    def in_cache(cls, cache_dir: Path) -> ToolchainProbes:
        return cls(cache_dir / FILE_NAME)

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        keyed_env: Iterable[str] = (),
        depends_on: Iterable[Path] = (),
        timeout: float = PROBE_SECONDS,
    ) -> str | None:
        """What `argv` prints when it runs and succeeds; None when it is missing, fails or
        hangs. `keyed_env`: the variables of `env` the answer depends on; `depends_on`: files
        whose change changes it (a missing one counts as missing)."""
        program = shutil.which(argv[0]) or argv[0]
        variables = env if env is not None else os.environ
        key = json.dumps(
            [list(argv), program, cwd, {name: variables.get(name) for name in sorted(keyed_env)}]
        )
        watched = [program, *map(str, depends_on)]
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry.get("files") == _identities(
            [*watched, *_named_files(entry.get("output"))]
        ):
            output = entry.get("output")
            return output if isinstance(output, str) else None
        output = _probe(argv, env=env, cwd=cwd, timeout=timeout)
        files = _identities([*watched, *_named_files(output)])
        with self._lock:
            self.ran += 1
            self._entries.pop(key, None)
            self._entries[key] = {"output": output, "files": files}
            while len(self._entries) > MAX_ENTRIES:
                del self._entries[next(iter(self._entries))]
            self._changed = True
        return output

    def save(self) -> None:
        """Write what was learnt, if anything (a failure to write costs the next start only)."""
        path = self._path
        with self._lock:
            if path is None or not self._changed:
                return
            document = {"format": FORMAT, "entries": self._entries}
            self._changed = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
            partial.write_text(json.dumps(document), encoding="utf-8")
            partial.replace(path)
        except OSError as error:
            logger.debug("could not keep the toolchain probes in %s: %s", path, error)

    def _load(self) -> dict[str, dict[str, object]]:
        if self._path is None:
            return {}
        with contextlib.suppress(OSError, ValueError):
            document = json.loads(self._path.read_text(encoding="utf-8"))
            entries = document.get("entries") if isinstance(document, dict) else None
            if document.get("format") == FORMAT and isinstance(entries, dict):
                return {k: v for k, v in entries.items() if isinstance(v, dict)}
        return {}


def _probe(
    argv: Sequence[str], *, env: Mapping[str, str] | None, cwd: str | None, timeout: float
) -> str | None:
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=None if env is None else dict(env),
            cwd=cwd,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _named_files(output: object) -> list[str]:
    """The absolute paths of files an answer names (a real executable behind a shim)."""
    if not isinstance(output, str):
        return []
    words = output.replace('"', " ").replace(",", " ").split()
    return [word for word in words if word.startswith("/") and os.path.isfile(word)]


def _identities(paths: Iterable[str]) -> list[_Identity]:
    found: list[_Identity] = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            found.append([path, None])
            continue
        found.append([path, stat.st_size, stat.st_mtime_ns, stat.st_ino])
    return found
