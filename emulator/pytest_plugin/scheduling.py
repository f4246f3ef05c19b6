"""The fixture's time: a wall clock that a test moves forward, the scheduler's sleep on it, and
waiting for the activations a move (or a call) started."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

from emulator.namespace.entities import JSON, Activation
from emulator.namespace.scheduler import FIRING_ANNOTATION, SCHEDULED, Scheduler

# How often advance() looks whether the scheduler has fired what became due.
_POLL_SECONDS = 0.005


class ManualClock:
    """Real time plus whatever the test added. The scheduler's sleeps end only when the test
    moves the clock, so that scheduled triggers never fire on their own in a test run."""

    def __init__(self, start_ms: int | None = None) -> None:
        """`start_ms`: the time to start from (epoch milliseconds); None: now."""
        self._offset_ns = 0 if start_ms is None else start_ms * 1_000_000 - time.time_ns()
        self._sleepers: list[asyncio.Future[None]] = []

    def now_ns(self) -> int:
        return time.time_ns() + self._offset_ns

    def now_ms(self) -> int:
        return self.now_ns() // 1_000_000

    def monotonic(self) -> float:
        # Durations and deadlines stay real: a function's timeout is not a matter of the test.
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Until the test moves the clock (however far): the scheduler, woken, looks again at
        what is due and sleeps again. `seconds` was reckoned from a reading of the clock that
        a move may already have made stale, so it decides nothing."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append(future)
        try:
            await future
        finally:
            self._sleepers.remove(future)

    def move_to(self, ms: int) -> None:
        """Move forward to `ms` (epoch milliseconds), never back, and wake the sleepers."""
        self._offset_ns += max(0, ms - self.now_ms()) * 1_000_000
        self.wake()

    def wake(self) -> None:
        for future in self._sleepers:
            if not future.done():
                future.set_result(None)


class ActivationTracker:
    """The invoker's observer: which activations started, and a wait for their end."""

    def __init__(self) -> None:
        self.started_ids: list[str] = []
        self._ends: dict[str, asyncio.Future[Activation]] = {}

    def started(self, activation_id: str, path: str, params: Mapping[str, JSON]) -> None:
        self.started_ids.append(activation_id)
        self._end(activation_id)

    def log_line(self, path: str, stream: str, text: str) -> None:
        pass

    def notice(self, path: str, text: str) -> None:
        pass

    def finished(self, activation: Activation) -> None:
        end = self._end(activation.activation_id)
        if not end.done():
            end.set_result(activation)

    async def wait(self, activation_id: str) -> Activation | None:
        """The stored activation once it has ended; None for an id this emulator never ran."""
        end = self._ends.get(activation_id)
        if end is None:
            return None
        try:
            return await asyncio.shield(end)
        finally:
            self._ends.pop(activation_id, None)

    def _end(self, activation_id: str) -> asyncio.Future[Activation]:
        end = self._ends.get(activation_id)
        if end is None:
            end = self._ends[activation_id] = asyncio.get_running_loop().create_future()
        return end


async def advance(
    clock: ManualClock,
    scheduler: Scheduler,
    tracker: ActivationTracker,
    seconds: float,
    *,
    timeout: float,
) -> list[str]:
    """Move `clock` forward by `seconds`, stopping at each scheduled time on the way: every
    one of them fires, and its activations end, before the clock moves on, as if that much
    time had passed. The ids of the activations the firings started, once recorded."""
    if seconds < 0:
        raise ValueError("the clock only moves forward")
    target = clock.now_ms() + int(seconds * 1000)
    ended: list[Activation | None] = []
    async with asyncio.timeout(timeout):
        while (due := _next_due(scheduler)) is not None and due <= target:
            first = len(tracker.started_ids)
            clock.move_to(due)
            while (pending := _next_due(scheduler)) is not None and pending <= clock.now_ms():
                # A scheduler that went to sleep after the move has not seen it yet.
                clock.wake()
                await asyncio.sleep(_POLL_SECONDS)
            ended += [await tracker.wait(i) for i in tracker.started_ids[first:]]
        clock.move_to(target)
    return [
        activation.activation_id
        for activation in ended
        if activation is not None and activation.annotations.get(FIRING_ANNOTATION) == SCHEDULED
    ]


def _next_due(scheduler: Scheduler) -> int | None:
    return min(
        (s.next_run_ms for s in scheduler.states() if s.next_run_ms is not None), default=None
    )
