"""DebugScope: which functions run under a debugger, with their timeouts lifted (`--debug`)."""

from __future__ import annotations

from dataclasses import dataclass

# Xdebug's own default: where an IDE listens for PHP step-debugging connections.
XDEBUG_DEFAULT_PORT = 9003


@dataclass(frozen=True, slots=True)
class DebugScope:
    """`--debug` alone debugs every function; `--debug FUNCTION` (repeatable) only those."""

    enabled: bool = False
    only: frozenset[str] = frozenset()
    # The port PHP functions' Xdebug connects to: the IDE's, which listens there.
    xdebug_port: int = XDEBUG_DEFAULT_PORT

    def covers(self, path: str) -> bool:
        """Whether the function at `path` (`pkg/fn`) runs under its debugger."""
        return self.enabled and (not self.only or path in self.only)

    @property
    def everything(self) -> bool:
        return self.enabled and not self.only
