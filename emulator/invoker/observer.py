"""ActivationObserver: what the invoker tells a watcher (the terminal) while functions run."""

from __future__ import annotations

from typing import Protocol

from emulator.entities import Activation


class ActivationObserver(Protocol):
    def started(self, activation_id: str, path: str) -> None:
        """An activation of the function at `path` has begun."""
        ...

    def log_line(self, path: str, stream: str, text: str) -> None:
        """A process of `path` printed `text` on `stream`, just now (not at the end)."""
        ...

    def notice(self, path: str, text: str) -> None:
        """Something the developer must see about `path`'s process, e.g. a debugger port."""
        ...

    def finished(self, activation: Activation) -> None:
        """An activation's record has been stored."""
        ...
