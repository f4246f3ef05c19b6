"""WarmPool: idle processes per function version, reused one activation at a time."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable

from emulator.clock import Clock
from emulator.entities import Action
from emulator.invoker.process import WarmProcess

logger = logging.getLogger(__name__)

PoolKey = tuple[str, str, int]


def pool_key(action: Action) -> PoolKey:
    """A changed function (new version or reload) never reuses an older one's processes."""
    return (action.qualified_name, action.version, action.updated)


class WarmPool:
    """`reuse=False` (the `--cold` mode) keeps nothing warm: every call starts a process, so
    that start-up code runs each time, and each process is stopped after its activation."""

    def __init__(self, clock: Clock, *, idle_seconds: float, reuse: bool = True) -> None:
        self._clock = clock
        self._idle_seconds = idle_seconds
        self._reuse = reuse
        self._idle: defaultdict[PoolKey, list[WarmProcess]] = defaultdict(list)
        self._busy: set[WarmProcess] = set()
        # What `retire` doomed: a process busy at that moment is stopped when it comes back.
        self._retired: Callable[[PoolKey], bool] | None = None

    async def take_idle(self, action: Action) -> WarmProcess | None:
        """A warm process for `action`, now busy; None when a new one must start."""
        idle = self._idle.get(pool_key(action))
        while idle:
            process = idle.pop()
            if process.alive:
                self._busy.add(process)
                return process
            await process.stop()  # died while idle: collect it
        return None

    def track(self, process: WarmProcess) -> None:
        self._busy.add(process)

    async def release(self, action: Action, process: WarmProcess, *, healthy: bool) -> None:
        self._busy.discard(process)
        retired = self._retired is not None and self._retired(pool_key(action))
        if healthy and process.alive and self._reuse and not retired:
            self._idle[pool_key(action)].append(process)
        else:
            await process.stop()

    def warm_count(self, action: Action) -> int:
        return len(self._idle.get(pool_key(action), ()))

    async def retire(self, should_retire: Callable[[PoolKey], bool]) -> int:
        """Stop the idle processes whose key matches (busy ones finish, then never return)."""
        # Busy processes finish their activation first, then `release` stops them. Only the
        # latest verdict matters: a newer reload knows the whole set of live keys.
        self._retired = should_retire
        doomed = [key for key in self._idle if should_retire(key)]
        processes = [p for key in doomed for p in self._idle.pop(key)]
        await asyncio.gather(*(p.stop() for p in processes))
        return len(processes)

    async def evict_idle(self) -> int:
        """Stop processes idle for longer than `idle_seconds` (the platform's 10 minutes)."""
        cutoff = self._clock.monotonic() - self._idle_seconds
        stale: list[WarmProcess] = []
        for key, processes in list(self._idle.items()):
            keep = [p for p in processes if p.last_used >= cutoff and p.alive]
            stale += [p for p in processes if p not in keep]
            if keep:
                self._idle[key] = keep
            else:
                del self._idle[key]
        await asyncio.gather(*(p.stop() for p in stale))
        if stale:
            logger.info("retired %d idle processes", len(stale))
        return len(stale)

    async def evict_periodically(self, interval: float = 30.0) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.evict_idle()

    async def close(self) -> None:
        everything = [p for ps in self._idle.values() for p in ps] + list(self._busy)
        self._idle.clear()
        self._busy.clear()
        await asyncio.gather(*(p.stop() for p in everything))
