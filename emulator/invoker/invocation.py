"""An activation once started: when its pending marker is written, and how a caller waits
for its end."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from emulator.namespace.entities import Activation, PendingActivation
from emulator.namespace.errors import ServiceUnavailable
from emulator.store.activation_store import ActivationStore
from emulator.store.writer import Marker


class PendingMarker:
    """When an activation's pending marker is written: at once, after a delay, or on demand."""

    def __init__(self, store: ActivationStore, pending: PendingActivation) -> None:
        self._store = store
        self._pending = pending
        self._marker: Marker | None = None
        self._timer: asyncio.TimerHandle | None = None
        # The activation's record is queued: no marker is needed any more.
        self.finished = False

    @property
    def queued(self) -> Marker | None:
        return self._marker

    async def write(self) -> None:
        """Commit the marker (queueing it now if it is not yet): before a client gets the id."""
        if self._marker is None:
            self.cancel()
            self._marker = self._store.begin_soon(self._pending)
        await asyncio.shield(self._marker.done)

    def write_after(self, seconds: float) -> None:
        self._timer = asyncio.get_running_loop().call_later(seconds, self._queue)

    def finish(self) -> None:
        self.finished = True
        self.cancel()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _queue(self) -> None:
        self._timer = None
        if self._marker is None:
            self._marker = self._store.begin_soon(self._pending)


@dataclass(frozen=True, slots=True)
class Invocation:
    activation_id: str
    # Resolves to the finished, stored activation; shield it before waiting with a timeout.
    done: asyncio.Future[Activation]
    marker: PendingMarker

    async def wait(self, seconds: float | None) -> Activation | None:
        """The finished activation, or None when it is still running after `seconds` (it runs
        on, and is recorded when it ends); `seconds=None` waits for the end."""
        try:
            return await asyncio.wait_for(asyncio.shield(self.done), seconds)
        except TimeoutError:
            if self.marker.finished:
                # It ended just now: its record is queued, and beats any marker.
                return await asyncio.shield(self.done)
            # The caller is about to hand out the id: a kill from now on must leave a trace.
            await self.marker.write()
            return None
        except asyncio.CancelledError:
            if self.done.cancelled():
                raise ServiceUnavailable() from None
            raise
