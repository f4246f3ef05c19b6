"""EventHub: every activation as it starts and ends, told to each open dashboard page."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from emulator.dashboard.views import activation_row
from emulator.namespace.entities import JSON, Activation

# A page that stops reading loses events past this many rather than growing the emulator.
QUEUE_SIZE = 256


@dataclass(frozen=True, slots=True)
class Event:
    """One server-sent event: its name and its JSON data."""

    name: str
    data: JSON


class EventHub:
    """An ActivationObserver that fans each activation out to the subscribed pages."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Event | None]] = set()
        self._closed = False

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    def started(self, activation_id: str, path: str, params: Mapping[str, JSON]) -> None:
        # The parameters are kept with the record, in the store: the page reads them there.
        self._publish(Event("started", {"activationId": activation_id, "function": path}))

    def log_line(self, path: str, stream: str, text: str) -> None:
        """Log lines reach the dashboard with their record."""

    def notice(self, path: str, text: str) -> None:
        """Notices are for the terminal."""

    def finished(self, activation: Activation) -> None:
        self._publish(Event("activation", activation_row(activation)))

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Event | None]]:
        """A queue of the events from now on; None in it means the emulator is stopping."""
        queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_SIZE)
        if self._closed:
            queue.put_nowait(None)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def close(self) -> None:
        """End every subscription, so that open event streams let the server stop."""
        self._closed = True
        for queue in self._queues:
            _offer(queue, None, force=True)

    def _publish(self, event: Event) -> None:
        for queue in self._queues:
            _offer(queue, event)


def _offer(queue: asyncio.Queue[Event | None], item: Event | None, *, force: bool = False) -> None:
    if queue.full():
        if not force:
            return
        queue.get_nowait()
    queue.put_nowait(item)
