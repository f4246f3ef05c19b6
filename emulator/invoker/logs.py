"""Log capture: a function's stdout and stderr, cut into activations by the sentinel lines."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from emulator.invoker.messages import SENTINEL, logs_truncated
from emulator.namespace.clock import Clock

STREAMS = ("stdout", "stderr")
# A longer line is cut into pieces, so that a flood without newlines stays bounded.
MAX_LINE_BYTES = 64 * 1024
READ_CHUNK = 64 * 1024

# Told of each line as it arrives: (stream, text).
LineListener = Callable[[str, str], None]


def format_timestamp(time_ns: int) -> str:
    """RFC 3339 with nanoseconds, as Docker stamps the lines the platform collects."""
    seconds, nanos = divmod(time_ns, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"


def format_line(time_ns: int, stream: str, text: str) -> str:
    return f"{format_timestamp(time_ns):<30} {stream}: {text}"


@dataclass(slots=True)
class _Batch:
    lines: list[str]
    size: int = 0
    truncated: bool = False


class LogCollector:
    """The lines of one process that no activation has taken yet.

    Each stream's sentinel closes the current activation's share of that stream; what a
    stream prints after its sentinel (a late timer, a background thread) goes to the next
    activation, as on the platform.
    """

    def __init__(self, clock: Clock, limit_bytes: int, on_line: LineListener | None = None) -> None:
        self._clock = clock
        self._limit = limit_bytes
        self._on_line = on_line
        self._current = _Batch([])
        self._next = _Batch([])
        self._closed: dict[str, asyncio.Event] = {s: asyncio.Event() for s in STREAMS}
        self._eof: dict[str, bool] = dict.fromkeys(STREAMS, False)

    def set_limit(self, limit_bytes: int) -> None:
        self._limit = limit_bytes

    def add(self, stream: str, text: str) -> None:
        if text == SENTINEL:
            self._closed[stream].set()
            return
        batch = self._next if self._closed[stream].is_set() else self._current
        size = len(text.encode("utf-8", "replace")) + 1
        if batch.truncated or batch.size + size > self._limit:
            if not batch.truncated and self._on_line is not None:
                # The live view stops where the record does: a flood is not a terminal's job.
                self._on_line("stderr", logs_truncated(self._limit))
            batch.truncated = True
            return
        if self._on_line is not None:
            self._on_line(stream, text)
        batch.size += size
        batch.lines.append(format_line(self._clock.now_ns(), stream, text))

    def end_of_stream(self, stream: str) -> None:
        self._eof[stream] = True
        self._closed[stream].set()

    async def wait_for_sentinels(self, timeout: float) -> bool:
        """True when both streams ended this activation's output within `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout):
                for event in self._closed.values():
                    await event.wait()
        except TimeoutError:
            return False
        return True

    def take(self, *notes: str) -> tuple[str, ...]:
        """This activation's lines, with the platform's notes appended as stderr lines."""
        batch, self._current, self._next = self._current, self._next, _Batch([])
        for stream, event in self._closed.items():
            if not self._eof[stream]:
                event.clear()
        lines = list(batch.lines)
        if batch.truncated:
            lines.append(format_line(self._clock.now_ns(), "stderr", logs_truncated(self._limit)))
        lines.extend(format_line(self._clock.now_ns(), "stderr", note) for note in notes)
        return tuple(lines)


async def pump(reader: asyncio.StreamReader, stream: str, collector: LogCollector) -> None:
    """Feed `collector` with `reader`'s lines until end of file."""
    pending = b""
    try:
        while chunk := await reader.read(READ_CHUNK):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                _add_bounded(collector, stream, line)
            while len(pending) > MAX_LINE_BYTES:
                _add_bounded(collector, stream, pending[:MAX_LINE_BYTES])
                pending = pending[MAX_LINE_BYTES:]
        if pending:
            _add_bounded(collector, stream, pending)
    finally:
        collector.end_of_stream(stream)


def _add_bounded(collector: LogCollector, stream: str, raw: bytes) -> None:
    for start in range(0, max(len(raw), 1), MAX_LINE_BYTES):
        collector.add(stream, raw[start : start + MAX_LINE_BYTES].decode("utf-8", "replace"))
