"""CompilesAhead: compiled functions (Go's) built in the background when they are deployed,
not inside their first activation, and what a cold start of one waits for.

With an empty Go build cache a function's first build compiles the standard library too:
12 to 40 s on two cores, past even the platform's 10 s for initialisation, so that the first
call timed out. Built ahead, once per function version (the runner's own digest of the code
then makes an unchanged program a no-op), a call that arrives during the build waits for it
before its process starts: the wait is no part of the function's timeout, and its record's
initTime counts it, as the platform's initTime counts its own init.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from emulator.invoker.pool import PoolKey, pool_key
from emulator.namespace.entities import Action

logger = logging.getLogger(__name__)

# Builds at once: each `go build` keeps a core busy.
MAX_BUILDING = 1

Compile = Callable[[Action], Awaitable[str | None]]


class CompilesAhead:
    """`compile(action)` builds one function, answering the compiler's output when that fails
    (the first call then builds it again, and reports the failure as it always did)."""

    def __init__(self, compile: Compile) -> None:
        self._compile = compile
        self._builds: dict[PoolKey, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(MAX_BUILDING)

    def start(self, actions: Iterable[Action]) -> None:
        """Build each of `actions` not built or building yet; forget the versions no longer
        among them."""
        wanted = {pool_key(action): action for action in actions}
        for key in [key for key in self._builds if key not in wanted]:
            build = self._builds.pop(key)
            if not build.done():
                build.cancel()
        for key, action in wanted.items():
            if key not in self._builds:
                self._builds[key] = asyncio.create_task(
                    self._build(action), name=f"compiling {action.path}"
                )

    async def ready(self, action: Action) -> None:
        """Once `action`'s build ahead is over (at once when there is none)."""
        build = self._builds.get(pool_key(action))
        if build is not None and not build.done():
            await asyncio.wait([build])

    async def close(self) -> None:
        builds = list(self._builds.values())
        self._builds.clear()
        for build in builds:
            build.cancel()
        await asyncio.gather(*builds, return_exceptions=True)

    async def _build(self, action: Action) -> None:
        async with self._slots:
            try:
                failure = await self._compile(action)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("compiling %s ahead of its first call failed", action.path)
                return
        if failure is not None:
            # Its first call builds it again and reports why it cannot, as the platform does.
            logger.debug("%s did not compile ahead: %s", action.path, failure)
