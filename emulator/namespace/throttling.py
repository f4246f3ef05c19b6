"""The platform's throttles per namespace: invocations and trigger fires per calendar minute,
and activations in flight, answered with its 429s.

As OpenWhisk's controller counts them: a call is counted before anything is looked up, a
refused call counts in its minute too, and the concurrent limit admits a call while fewer
than the limit are running."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from emulator.namespace.clock import Clock
from emulator.namespace.errors import TooManyConcurrentRequests, TooManyRequests

MINUTE_MS = 60_000
# The throttles, as the counts of refused calls name them.
PER_MINUTE, CONCURRENT, FIRES = (
    "invocations per minute",
    "concurrent invocations",
    "trigger fires per minute",
)
THROTTLES = (PER_MINUTE, CONCURRENT, FIRES)


class Started(Protocol):
    """A started activation (the invoker's Invocation): `done` ends once it is recorded."""

    @property
    def done(self) -> asyncio.Future[Any]: ...


S = TypeVar("S", bound=Started)


@dataclass(slots=True)
class _MinuteCounter:
    """Calls per namespace in the current calendar minute (not a sliding window)."""

    limit: int | None
    minute: int = -1
    counts: Counter[str] = field(default_factory=Counter)

    def count(self, namespace: str, now_ms: int) -> None:
        if self.limit is None:
            return
        minute = now_ms // MINUTE_MS
        if minute != self.minute:
            self.minute, self.counts = minute, Counter()
        self.counts[namespace] += 1
        if self.counts[namespace] > self.limit:
            raise TooManyRequests(self.counts[namespace], self.limit)


class Throttle:
    """`per_minute` and `concurrent` None: that throttle is off."""

    def __init__(self, *, per_minute: int | None, concurrent: int | None, clock: Clock) -> None:
        self._clock = clock
        self._concurrent = concurrent
        self._invocations = _MinuteCounter(per_minute)
        # The platform has a separate figure for fires; DigitalOcean publishes one for both.
        self._fires = _MinuteCounter(per_minute)
        self._in_flight: Counter[str] = Counter()
        # Calls refused so far, by which throttle refused them (the metrics read it).
        self.refused: Counter[str] = Counter()

    def in_flight(self, namespace: str) -> int:
        return self._in_flight[namespace]

    async def invocation(self, namespace: str, start: Callable[[], Awaitable[S]]) -> S:
        """Admit one activation of `namespace`, then `start` it; it stays in flight until its
        record is written. A refused call is never started."""
        try:
            self._invocations.count(namespace, self._clock.now_ms())
        except TooManyRequests:
            self.refused[PER_MINUTE] += 1
            raise
        running = self._in_flight[namespace]
        if self._concurrent is not None and running >= self._concurrent:
            self.refused[CONCURRENT] += 1
            raise TooManyConcurrentRequests(running, self._concurrent)
        self._in_flight[namespace] += 1
        try:
            invocation = await start()
        except BaseException:
            self._release(namespace)
            raise
        invocation.done.add_done_callback(lambda _: self._release(namespace))
        return invocation

    def fire(self, namespace: str) -> None:
        """Count one trigger fire of `namespace`, refused past the per-minute limit."""
        try:
            self._fires.count(namespace, self._clock.now_ms())
        except TooManyRequests:
            self.refused[FIRES] += 1
            raise

    def _release(self, namespace: str) -> None:
        self._in_flight[namespace] -= 1
        if self._in_flight[namespace] <= 0:
            del self._in_flight[namespace]
