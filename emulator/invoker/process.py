"""WarmProcess: one function's subprocess, spoken to over stdin and a result pipe.

The child side is a launcher in `shims/`. One activation at a time; a process that failed
(timeout, crash, bad reply, memory) is stopped and never reused, as the platform discards
the container.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from emulator.invoker.confinement import Confinement, Group
from emulator.invoker.logs import LineListener, LogCollector, pump
from emulator.namespace.clock import Clock
from emulator.namespace.entities import JSON

logger = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 2.0
# How often a running activation's processes are counted and measured.
WATCH_SECONDS = 0.05
# After the reply, how long the sentinels may lag behind on stdout and stderr.
SENTINEL_WAIT_SECONDS = 2.0
# After the child died, how long to drain what it printed (a grandchild may hold the pipes).
DRAIN_SECONDS = 0.5
# The reply pipe's buffer: a longer reply is read in pieces of this size, never all at once.
REPLY_BUFFER_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class LaunchSpec:
    """How to start a launcher: `argv` gets the result pipe's fd number appended."""

    argv: Sequence[str]
    cwd: Path
    env: Mapping[str, str]
    # A line for the developer about this process (a debugger port), printed when it starts.
    notice: str | None = None


class Outcome(enum.Enum):
    REPLIED = "replied"
    TIMED_OUT = "timed out"
    EXITED = "exited"
    OUT_OF_MEMORY = "out of memory"
    TOO_MANY_PROCESSES = "too many processes"


@dataclass(frozen=True, slots=True)
class Reply:
    """What one exchange with the child produced."""

    outcome: Outcome
    # The reply line (at most `keep` bytes of it) and its full size, when outcome is REPLIED.
    raw: bytes = b""
    size: int = 0
    logs: tuple[str, ...] = ()


class WarmProcess:
    def __init__(
        self,
        spec: LaunchSpec,
        *,
        clock: Clock,
        log_limit: int,
        memory_mb: int,
        on_line: LineListener | None = None,
        confinement: Confinement | None = None,
    ) -> None:
        """`confinement`: how the process and its descendants are held (by default, the best
        way this machine allows)."""
        self._spec = spec
        self._clock = clock
        self._memory_bytes = memory_mb * 1024 * 1024
        self.logs = LogCollector(clock, log_limit, on_line)
        self._proc: asyncio.subprocess.Process | None = None
        self._results: asyncio.StreamReader | None = None
        self._pumps: list[asyncio.Task[None]] = []
        self._confinement = confinement
        self._group: Group | None = None
        # Set when the watcher aborted the activation: why.
        self._violation: Outcome | None = None
        self._stopped = False
        self.last_used = clock.monotonic()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def alive(self) -> bool:
        # An output pipe at end of file means the process is gone (or as good as gone) even
        # before asyncio has collected its exit status, or that it closed a stream it can no
        # longer log to: either way it is not reused.
        return (
            self._proc is not None
            and self._proc.returncode is None
            and not self._stopped
            and not any(pump.done() for pump in self._pumps)
        )

    def adopt(self, *, log_limit: int, memory_mb: int) -> None:
        """The limits of the function a prelaunched process has been given."""
        self.logs.set_limit(log_limit)
        self._memory_bytes = memory_mb * 1024 * 1024

    async def spawn(self) -> None:
        read_fd, write_fd = os.pipe()
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self._spec.argv,
                str(write_fd),
                cwd=self._spec.cwd,
                env=dict(self._spec.env),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                pass_fds=(write_fd,),
                # Its own process group, so a timeout kills whatever it started too.
                start_new_session=True,
            )
        finally:
            os.close(write_fd)
        # Before the function is loaded: whatever it starts is confined with it.
        self._group = (self._confinement or Confinement.detect()).confine(self._proc.pid)
        loop = asyncio.get_running_loop()
        results = self._results = asyncio.StreamReader(limit=REPLY_BUFFER_BYTES, loop=loop)
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(results, loop=loop),
            os.fdopen(read_fd, "rb", buffering=0),
        )
        assert self._proc.stdout and self._proc.stderr
        self._pumps = [
            asyncio.create_task(pump(self._proc.stdout, "stdout", self.logs)),
            asyncio.create_task(pump(self._proc.stderr, "stderr", self.logs)),
        ]

    async def exchange(
        self, message: Mapping[str, JSON], *, timeout: float | None, keep: int
    ) -> Reply:
        """Send one line, wait up to `timeout` seconds (None: for ever) for the reply line.

        Keeps at most `keep` bytes of the reply; `size` tells the full length. Logs are not
        taken here: the caller decides which activation they belong to.
        """
        assert self._proc and self._proc.stdin and self._results
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n"
        watcher = asyncio.create_task(self._watch())
        try:
            self._proc.stdin.write(line.encode())
            async with asyncio.timeout(timeout):
                await self._proc.stdin.drain()
                raw, size, complete = await _read_line(self._results, keep)
        except TimeoutError:
            return Reply(self._violation or Outcome.TIMED_OUT)
        except (BrokenPipeError, ConnectionResetError):
            complete = False
        finally:
            watcher.cancel()
        if self._violation is not None:
            return Reply(self._violation)
        if not complete:
            return Reply(Outcome.EXITED)
        self.last_used = self._clock.monotonic()
        return Reply(Outcome.REPLIED, raw, size)

    async def settle_logs(self, healthy: bool) -> bool:
        """Wait until this activation's output is in; False if the sentinels never came."""
        if healthy:
            return await self.logs.wait_for_sentinels(SENTINEL_WAIT_SECONDS)
        await self.stop()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_SECONDS):
                await asyncio.gather(*self._pumps, return_exceptions=True)
        return False

    async def stop(self) -> None:
        """SIGTERM to the whole process group, then SIGKILL after a grace period."""
        proc = self._proc
        if proc is None or self._stopped:
            return
        # Once only: signalling a group long after it is gone could hit a reused id.
        self._stopped = True
        if proc.returncode is None:
            self._signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), STOP_GRACE_SECONDS)
            except TimeoutError:
                logger.warning("process %d ignored SIGTERM; killing it", proc.pid)
        # Children it left behind get SIGKILL even when it exited by itself.
        self._signal(signal.SIGKILL)
        if proc.returncode is None:
            await proc.wait()
        if proc.stdin:
            proc.stdin.close()
        if self._group is not None:
            await asyncio.to_thread(self._group.release)

    async def kill(self) -> None:
        """Stop at once: the platform aborts a timed-out or runaway activation."""
        if self._proc is not None and not self._stopped:
            self._signal(signal.SIGKILL)
            await self.stop()

    def _signal(self, sig: signal.Signals) -> None:
        if self._group is not None:
            self._group.signal(sig)
        elif self._proc is not None:
            _signal_group(self._proc.pid, sig)

    async def _watch(self) -> None:
        """Abort the activation when its processes pass the process or the memory limit."""
        group = self._group
        assert group is not None
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            if group.over_process_limit():
                self._violation = Outcome.TOO_MANY_PROCESSES
            elif group.memory_bytes() > self._memory_bytes:
                self._violation = Outcome.OUT_OF_MEMORY
            else:
                continue
            self._signal(signal.SIGKILL)
            return


async def _read_line(reader: asyncio.StreamReader, keep: int) -> tuple[bytes, int, bool]:
    """One line without its newline: (first `keep` bytes, full size, whether it ended)."""
    kept = bytearray()
    size = 0
    while True:
        try:
            chunk = await reader.readuntil(b"\n")
            done = True
        except asyncio.IncompleteReadError as partial:
            chunk, done = partial.partial, False
            if not chunk:
                return bytes(kept), size, False
        except asyncio.LimitOverrunError as overrun:
            chunk = await reader.readexactly(overrun.consumed)
            done = chunk.endswith(b"\n")
        body = chunk[:-1] if done else chunk
        size += len(body)
        kept += body[: max(keep - len(kept), 0)]
        if done:
            return bytes(kept), size, True
        if reader.at_eof():
            return bytes(kept), size, False


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
