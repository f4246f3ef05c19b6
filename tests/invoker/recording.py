"""RecordingObserver: an ActivationObserver that keeps what it was told, for assertions."""

from __future__ import annotations

import asyncio

from emulator.namespace.entities import Activation


class RecordingObserver:
    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []
        self.activations: list[Activation] = []
        self._changed = asyncio.Event()

    def started(self, activation_id: str, path: str, params: object) -> None:
        self._note("started", path, activation_id)

    def log_line(self, path: str, stream: str, text: str) -> None:
        self._note("log", path, stream, text)

    def notice(self, path: str, text: str) -> None:
        self._note("notice", path, text)

    def finished(self, activation: Activation) -> None:
        self.activations.append(activation)
        self._note("finished", activation.path, activation.activation_id)

    async def wait_for(self, *event: str, timeout: float = 10) -> None:
        """Until `event` has been told (a prefix of its fields is enough)."""
        async with asyncio.timeout(timeout):
            while not any(e[: len(event)] == event for e in self.events):
                self._changed.clear()
                await self._changed.wait()

    def _note(self, *event: str) -> None:
        self.events.append(event)
        self._changed.set()
