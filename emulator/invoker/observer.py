"""ActivationObserver: what the invoker tells a watcher (the terminal) while functions run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from emulator.namespace.entities import JSON, Activation


class ActivationObserver(Protocol):
    def started(self, activation_id: str, path: str, params: Mapping[str, JSON]) -> None:
        """An activation of the function at `path` has begun, with the parameters its caller
        passed (the store keeps them beside the record, for replays)."""
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


class Observers:
    """Several observers heard as one (the terminal's live logs and the dashboard)."""

    def __init__(self, *observers: ActivationObserver | None) -> None:
        self._observers = tuple(o for o in observers if o is not None)

    def started(self, activation_id: str, path: str, params: Mapping[str, JSON]) -> None:
        for observer in self._observers:
            observer.started(activation_id, path, params)

    def log_line(self, path: str, stream: str, text: str) -> None:
        for observer in self._observers:
            observer.log_line(path, stream, text)

    def notice(self, path: str, text: str) -> None:
        for observer in self._observers:
            observer.notice(path, text)

    def finished(self, activation: Activation) -> None:
        for observer in self._observers:
            observer.finished(activation)
