"""Lanes: the non-blocking activations of each function, queued and run by a bounded number
of runners, so that accepting a burst never waits for running it and costs no task per call.

A 202 needs only the activation's pending marker committed; the activation itself waits here
for one of its function's runners. The runners go as their function goes: a lane starts with
INITIAL_RUNNERS, and doubles them (up to MAX_RUNNING_PER_FUNCTION) every GROW_SECONDS in
which its queue did not shrink while the event loop kept up. Slow calls (a sleep, a request
elsewhere) then each get a process of their own, as before; a quick function's burst on a
busy loop is run by a few runners, one call after the other, on the few processes that keep
coming back: more would only start processes, which takes the CPU that accepting needs.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

# Non-blocking activations of one function running at once at most: the platform's limit of
# concurrent activations per namespace. The rest wait in its lane, in the order accepted.
MAX_RUNNING_PER_FUNCTION = 120
# A lane's first runners: as many as the pool starts processes of one function at once. (A
# task per call, as before, made the fan-out of a quick function start 63 processes, each
# for a call that a process coming back a millisecond later could have run.)
INITIAL_RUNNERS = 2
# How often a lane with calls waiting looks at whether it should grow: about a process start.
GROW_SECONDS = 0.05
# A look this late means the loop itself is the bottleneck (it had that much work queued
# before it): more runners would not run the calls any sooner.
BUSY_LATENESS_SECONDS = GROW_SECONDS / 2

T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class _Lane(Generic[T, R]):
    waiting: deque[tuple[T, asyncio.Future[R]]] = field(default_factory=deque)
    runners: int = 0
    allowed: int = INITIAL_RUNNERS
    # The next look at whether the lane should grow: when it is due, and how many calls were
    # waiting at the last one.
    growing: asyncio.TimerHandle | None = None
    due: float = 0.0
    backlog: int = 0


class Lanes(Generic[T, R]):
    """Runs `run(item)` for each submitted item, at most `limit` per key at once."""

    def __init__(
        self,
        run: Callable[[T], Coroutine[Any, Any, R]],
        *,
        limit: int = MAX_RUNNING_PER_FUNCTION,
    ) -> None:
        self._run = run
        self._limit = limit
        self._lanes: dict[str, _Lane[T, R]] = {}
        self._runners: set[asyncio.Task[None]] = set()
        self._queued = 0

    @property
    def in_flight(self) -> int:
        """Items submitted and not yet done: running, or waiting for a runner."""
        return self._queued

    def submit(self, key: str, item: T) -> asyncio.Future[R]:
        """Queue `item` in `key`'s lane; the future resolves with what `run` returned (or is
        cancelled when the lanes close before or while it runs)."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane(allowed=min(INITIAL_RUNNERS, self._limit))
        lane.waiting.append((item, future))
        self._queued += 1
        if lane.runners < lane.allowed:
            self._add_runner(key, lane)
        elif lane.growing is None:
            self._look_later(key, lane)
        return future

    def _look_later(self, key: str, lane: _Lane[T, R]) -> None:
        loop = asyncio.get_running_loop()
        lane.backlog = len(lane.waiting)
        lane.due = loop.time() + GROW_SECONDS
        lane.growing = loop.call_at(lane.due, self._grow, key, lane)

    def _add_runner(self, key: str, lane: _Lane[T, R]) -> None:
        lane.runners += 1
        runner = asyncio.create_task(self._drain(key, lane))
        self._runners.add(runner)
        runner.add_done_callback(self._runners.discard)

    def _grow(self, key: str, lane: _Lane[T, R]) -> None:
        lane.growing = None
        if not lane.waiting or self._lanes.get(key) is not lane:
            return
        late = asyncio.get_running_loop().time() - lane.due
        if len(lane.waiting) >= lane.backlog and late < BUSY_LATENESS_SECONDS:
            lane.allowed = min(lane.allowed * 2, self._limit)
        wanted = min(lane.allowed, lane.runners + len(lane.waiting))
        while lane.runners < wanted:
            self._add_runner(key, lane)
        self._look_later(key, lane)

    async def _drain(self, key: str, lane: _Lane[T, R]) -> None:
        try:
            while lane.waiting:
                item, future = lane.waiting.popleft()
                try:
                    result = await self._run(item)
                except asyncio.CancelledError:
                    future.cancel()
                    raise
                except Exception as error:
                    future.set_exception(error)
                else:
                    future.set_result(result)
                finally:
                    self._queued -= 1
        finally:
            lane.runners -= 1
            if not lane.runners and not lane.waiting and self._lanes.get(key) is lane:
                del self._lanes[key]
                if lane.growing is not None:
                    lane.growing.cancel()

    async def close(self, abandon: Callable[[T], Awaitable[object]]) -> None:
        """Stop the running items (their `run` sees the cancellation), then `abandon` each
        one still waiting, whose future is then cancelled."""
        runners = list(self._runners)
        for runner in runners:
            runner.cancel()
        await asyncio.gather(*runners, return_exceptions=True)
        lanes, self._lanes = list(self._lanes.values()), {}
        for lane in lanes:
            if lane.growing is not None:
                lane.growing.cancel()
            while lane.waiting:
                item, future = lane.waiting.popleft()
                self._queued -= 1
                try:
                    await abandon(item)
                except Exception:
                    logger.exception("could not record an activation stopped before it ran")
                future.cancel()
