"""The four runtime families as the contract tests deploy them: one kind of each, where its
code goes, and how long its first call may take."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from emulator.namespace.entities import DEFAULT_TIMEOUT_MS, Action, Limits
from tests.support.invoking import Functions

# Long enough for a Go compilation with a cold build cache.
COMPILING_MS = 90_000


@dataclass(frozen=True, slots=True)
class Runtime:
    family: str  # the launcher's key: python, nodejs, go, php
    kind: str
    extension: str  # of a single-file function
    entry: str  # the file a directory function's code goes into
    compiles: bool = False  # its first call builds the code (Go)

    def limits(self, timeout: int = DEFAULT_TIMEOUT_MS) -> Limits:
        """Limits with `timeout`, or, for a compiled runtime, at least the time a build takes."""
        return Limits(timeout=max(timeout, COMPILING_MS) if self.compiles else timeout)

    def add(
        self,
        functions: Functions,
        name: str,
        code: str,
        *,
        files: dict[str, str] | None = None,
        limits: Limits | None = None,
        **options: Any,
    ) -> Action:
        """Deploy `code` as `<name><extension>`, or with `files` as a directory function's
        entry file. The code is dedented and starts at its first line (PHP's `<?php`)."""
        return functions.add(
            name,
            textwrap.dedent(code).lstrip(),
            kind=self.kind,
            filename=self.entry if files is not None else name + self.extension,
            files=files,
            limits=limits or self.limits(),
            **options,
        )


RUNTIMES = {
    runtime.family: runtime
    for runtime in (
        Runtime("python", "python:3.11", ".py", "__main__.py"),
        Runtime("nodejs", "nodejs:18", ".js", "index.js"),
        Runtime("go", "go:1.25", ".go", "main.go", compiles=True),
        Runtime("php", "php:8.2", ".php", "index.php"),
    )
}
