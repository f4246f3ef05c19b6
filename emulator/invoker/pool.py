"""WarmPool: idle processes per function version, reused one activation at a time, and the
prelaunched generic processes that a cold start takes instead of starting its own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from emulator.invoker.confinement import Confinement
from emulator.invoker.logs import LineListener
from emulator.invoker.process import LaunchSpec, WarmProcess
from emulator.namespace.clock import Clock
from emulator.namespace.entities import Action
from emulator.settings import DEFAULT_MAX_IDLE_PROCESSES

logger = logging.getLogger(__name__)

PoolKey = tuple[str, str, int]
# Processes of one function starting at once: past this, an activation waits for one of
# them, or for a busy one to come back, before it starts another. A burst of calls to a
# quick function then reuses a few processes instead of starting one per call.
MAX_STARTING_PER_FUNCTION = 2
# Generic processes kept ready per launch spec in use (the platform keeps one per runtime).
PRELAUNCHED_PER_SPEC = 1
REFILL_DELAY_SECONDS = 0.1
# What a prelaunched process is given until its function's own limits replace them.
_GENERIC_LOG_LIMIT = 16 * 1024
_GENERIC_MEMORY_MB = 1024


def pool_key(action: Action) -> PoolKey:
    """A changed function (new version or reload) never reuses an older one's processes."""
    return (action.qualified_name, action.version, action.updated)


class WarmPool:
    """`reuse=False` (the `--cold` mode) keeps nothing warm: every call starts a process, so
    that start-up code runs each time, and each process is stopped after its activation."""

    def __init__(
        self,
        clock: Clock,
        *,
        idle_seconds: float,
        reuse: bool = True,
        confinement: Confinement | None = None,
        max_idle: int | None = DEFAULT_MAX_IDLE_PROCESSES,
        current: Callable[[str], Action | None] | None = None,
    ) -> None:
        """`max_idle`: how many idle processes all functions together may keep (None: no
        limit); past it the least recently used one stops. `current`: the function served at
        a path now, so that a process of any other version is stopped when it comes back."""
        self._clock = clock
        # How every process of this pool is confined: found once, not at each start.
        self.confinement = confinement or Confinement.detect()
        self._idle_seconds = idle_seconds
        self._reuse = reuse
        self._max_idle = max_idle
        self._current = current
        self._idle: defaultdict[PoolKey, list[WarmProcess]] = defaultdict(list)
        self._busy: dict[WarmProcess, Action] = {}
        # What `retire` doomed while busy or starting: stopped when it comes back.
        self._retired: set[PoolKey] = set()
        # Idle processes stopped to keep within `max_idle`: awaited, never cancelled, at close.
        self._stopping: set[asyncio.Task[None]] = set()
        self._starting_count: Counter[PoolKey] = Counter()
        # Activations waiting for a process of their function, first come first served: a
        # process that comes back (or a start that ends) wakes one of them, not all: a burst
        # of a thousand waiting calls woke a thousand tasks for every process released.
        self._waiters: dict[PoolKey, deque[asyncio.Future[None]]] = {}
        self._prelaunched: defaultdict[_SpecKey, list[_Generic]] = defaultdict(list)
        self._launching: Counter[_SpecKey] = Counter()
        self._prelaunching: set[asyncio.Task[None]] = set()
        self._closed = False
        # Activations waiting for a process of their function to start or come back.
        self.waiting = 0

    async def take_idle(self, action: Action) -> WarmProcess | None:
        """A warm process for `action`, now busy; None when a new one must start."""
        idle = self._idle.get(pool_key(action))
        while idle:
            process = idle.pop()
            if process.alive:
                self._busy[process] = action
                return process
            await process.stop()  # died while idle: collect it
        return None

    async def acquire(self, action: Action) -> WarmProcess | None:
        """A warm process for `action`, now busy; or None: the caller starts one, and calls
        `started` once it has (or has failed to). While MAX_STARTING_PER_FUNCTION are
        starting, this waits for one of them or for a busy process to come back."""
        key = pool_key(action)
        while True:
            process = await self.take_idle(action)
            if process is not None:
                return process
            if self._starting_count[key] < MAX_STARTING_PER_FUNCTION:
                self._starting_count[key] += 1
                return None
            waiters = self._waiters.setdefault(key, deque())
            woken = asyncio.get_running_loop().create_future()
            waiters.append(woken)
            self.waiting += 1
            try:
                await woken
            except asyncio.CancelledError:
                if woken.cancelled():
                    with contextlib.suppress(ValueError):
                        waiters.remove(woken)
                else:
                    self._notify(key)  # woken for a process it will not take: the next one
                raise
            finally:
                self.waiting -= 1
                if not waiters and self._waiters.get(key) is waiters:
                    del self._waiters[key]

    def started(self, action: Action) -> None:
        """One start that `acquire` allowed is over: another may begin."""
        key = pool_key(action)
        self._starting_count[key] -= 1
        if self._starting_count[key] <= 0:
            del self._starting_count[key]
        self._notify(key)

    def _notify(self, key: PoolKey) -> None:
        waiters = self._waiters.get(key)
        while waiters:
            woken = waiters.popleft()
            if not woken.done():
                woken.set_result(None)
                return

    def track(self, action: Action, process: WarmProcess) -> None:
        """`process`, just made for a cold start of `action`, is busy with it."""
        self._busy[process] = action

    async def release(self, action: Action, process: WarmProcess, *, healthy: bool) -> None:
        key = pool_key(self._busy.pop(process, action))
        if healthy and process.alive and self._reuse and self._serves(key, action):
            process.last_used = self._clock.monotonic()
            self._idle[key].append(process)
            self._keep_within_cap()
        else:
            await process.stop()
        self._forget_retired(key)
        self._notify(key)

    def _serves(self, key: PoolKey, action: Action) -> bool:
        """Whether `action`'s version (`key`) is still the one served at its path."""
        if key in self._retired:
            return False
        if self._current is None:
            return True
        current = self._current(action.path)
        return current is not None and pool_key(current) == key

    def _keep_within_cap(self) -> None:
        """Stop the least recently used idle processes past `max_idle` (in the background:
        the activation that came back must not wait for another's stop)."""
        if self._max_idle is None:
            return
        excess = self.idle_count - self._max_idle
        if excess <= 0:
            return
        idle = [(p.last_used, key, p) for key, processes in self._idle.items() for p in processes]
        for _, key, process in sorted(idle, key=lambda entry: entry[0])[:excess]:
            self._idle[key].remove(process)
            if not self._idle[key]:
                del self._idle[key]
            task = asyncio.create_task(process.stop())
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)
        logger.debug("stopped %d idle processes past the cap of %d", excess, self._max_idle)

    def _forget_retired(self, key: PoolKey) -> None:
        in_flight = key in self._starting_count or key in self._busy_keys()
        if key in self._retired and not in_flight:
            self._retired.discard(key)

    def running(self) -> list[Action]:
        """The function versions that busy processes run now."""
        return list(self._busy.values())

    def _busy_keys(self) -> set[PoolKey]:
        return {pool_key(action) for action in self._busy.values()}

    @property
    def idle_count(self) -> int:
        """Idle processes of all functions (prelaunched generic ones not counted)."""
        return sum(len(processes) for processes in self._idle.values())

    @property
    def max_idle(self) -> int | None:
        return self._max_idle

    @property
    def idle_processes(self) -> int:
        return self.idle_count

    @property
    def busy_processes(self) -> int:
        return len(self._busy)

    def warm_count(self, action: Action) -> int:
        return len(self._idle.get(pool_key(action), ()))

    async def retire(self, should_retire: Callable[[PoolKey], bool]) -> int:
        """Stop the idle processes whose key matches (busy ones finish, then never return)."""
        # Busy and starting processes finish their activation first, then `release` stops
        # them: their keys are remembered until the last of them is back.
        in_flight = self._busy_keys() | set(self._starting_count)
        self._retired |= {key for key in in_flight if should_retire(key)}
        doomed = [key for key in self._idle if should_retire(key)]
        processes = [p for key in doomed for p in self._idle.pop(key)]
        await asyncio.gather(*(p.stop() for p in processes))
        return len(processes)

    async def retire_function(self, qualified_name: str, *, serving: Action | None) -> int:
        """Stop the processes of every version of a function but `serving`, the one it is
        deployed as now (None: it was deleted)."""
        keep = pool_key(serving) if serving is not None else None
        return await self.retire(lambda key: key[0] == qualified_name and key != keep)

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

    def take_prelaunched(
        self,
        spec: LaunchSpec,
        action: Action,
        *,
        log_limit: int,
        memory_mb: int,
        on_line: LineListener | None,
    ) -> WarmProcess | None:
        """A started generic process of `spec`, now busy, given these limits; None when none
        is ready. Either way one more is started in the background, for the next cold start."""
        ready = self._prelaunched[_spec_key(spec)]
        taken: WarmProcess | None = None
        while ready and taken is None:
            generic = ready.pop()
            if generic.process.alive:
                generic.relay.target = on_line
                generic.process.adopt(log_limit=log_limit, memory_mb=memory_mb)
                taken = generic.process
                self._busy[taken] = action
            else:
                self._start_task(generic.process.stop())
        # Not at once: starting a process blocks the loop for its fork and exec, which would
        # land in the middle of this cold start.
        asyncio.get_running_loop().call_later(REFILL_DELAY_SECONDS, self.prelaunch, spec)
        return taken

    def prelaunch(self, spec: LaunchSpec) -> None:
        """Start generic processes of `spec` in the background, up to PRELAUNCHED_PER_SPEC."""
        if self._closed:
            return
        key = _spec_key(spec)
        for _ in range(PRELAUNCHED_PER_SPEC - len(self._prelaunched[key]) - self._launching[key]):
            self._launching[key] += 1
            self._start_task(self._start_generic(spec, key))

    def prelaunched(self, spec: LaunchSpec) -> list[WarmProcess]:
        """The generic processes of `spec` ready now."""
        return [generic.process for generic in self._prelaunched.get(_spec_key(spec), ())]

    async def _start_generic(self, spec: LaunchSpec, key: _SpecKey) -> None:
        try:
            await self._spawn_generic(spec, key)
        finally:
            self._launching[key] -= 1

    async def _spawn_generic(self, spec: LaunchSpec, key: _SpecKey) -> None:
        relay = _LineRelay()
        process = WarmProcess(
            spec,
            clock=self._clock,
            log_limit=_GENERIC_LOG_LIMIT,
            memory_mb=_GENERIC_MEMORY_MB,
            on_line=relay,
            confinement=self.confinement,
        )
        try:
            await process.spawn()
        except OSError as error:
            logger.warning("could not prelaunch %s: %s", spec.argv[0], error)
            return
        if self._closed:
            await process.stop()
        else:
            self._prelaunched[key].append(_Generic(process, relay))

    def _start_task(self, work: Coroutine[Any, Any, None]) -> None:
        if self._closed:
            work.close()
            return
        task = asyncio.create_task(work)
        self._prelaunching.add(task)
        task.add_done_callback(self._prelaunching.discard)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._prelaunching):
            task.cancel()
        await asyncio.gather(*self._prelaunching, *self._stopping, return_exceptions=True)
        generic = [g.process for gs in self._prelaunched.values() for g in gs]
        self._prelaunched.clear()
        everything = [p for ps in self._idle.values() for p in ps] + list(self._busy) + generic
        self._idle.clear()
        self._busy.clear()
        await asyncio.gather(*(p.stop() for p in everything))


class _LineRelay:
    """A prelaunched process's line listener, pointed at its function's once it has one."""

    def __init__(self) -> None:
        self.target: LineListener | None = None

    def __call__(self, stream: str, text: str) -> None:
        if self.target is not None:
            self.target(stream, text)


@dataclass(frozen=True, slots=True)
class _Generic:
    process: WarmProcess
    relay: _LineRelay


_SpecKey = tuple[tuple[str, ...], str, tuple[tuple[str, str], ...]]


def _spec_key(spec: LaunchSpec) -> _SpecKey:
    return (tuple(spec.argv), str(spec.cwd), tuple(sorted(spec.env.items())))
