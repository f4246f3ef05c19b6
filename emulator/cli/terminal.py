"""TerminalPrinter: the live view of `serve`, one line per activation and each log line."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import TextIO

from emulator.namespace.entities import JSON, Activation, StatusCode

RESET = "\033[0m"
DIM = "\033[2m"
STATUS_COLOURS = {
    StatusCode.SUCCESS: "\033[32m",  # green
    StatusCode.APPLICATION_ERROR: "\033[33m",  # yellow
    StatusCode.DEVELOPER_ERROR: "\033[31m",  # red
    StatusCode.INTERNAL_ERROR: "\033[35m",  # magenta
}


class TerminalPrinter:
    """An ActivationObserver that writes to `stream`; in colour when `colour`, which defaults
    to whether `stream` is a terminal, so that a log file or a pipe gets plain text."""

    def __init__(self, stream: TextIO, *, colour: bool | None = None) -> None:
        self._stream = stream
        self._colour = stream.isatty() if colour is None else colour

    def started(self, activation_id: str, path: str, params: Mapping[str, JSON]) -> None:
        return None  # the line comes when it ends, with its outcome

    def log_line(self, path: str, stream: str, text: str) -> None:
        self._write(f"{self._paint(DIM, path + ':')} {text}")

    def notice(self, path: str, text: str) -> None:
        self._write(f"{path}: {text}")

    def finished(self, activation: Activation) -> None:
        self._write(activation_line(activation, colour=self._colour))

    def _paint(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self._colour else text

    def _write(self, line: str) -> None:
        # A closed or broken terminal must not fail the activation being reported.
        try:
            self._stream.write(line + "\n")
            self._stream.flush()
        except (OSError, ValueError):
            if self._stream is sys.stdout:
                quiet_stdout()


def activation_line(activation: Activation, *, colour: bool = False) -> str:
    """`12:33:17 sample/hello success 12 ms cold 0f3c…`: when it ended, local time."""
    ended = datetime.fromtimestamp(activation.end / 1000).strftime("%H:%M:%S")
    code = activation.response.status_code
    status = f"{STATUS_COLOURS[code]}{code.status}{RESET}" if colour else code.status
    start = "warm" if activation.annotations.get("initTime") is None else "cold"
    duration = f"{activation.duration} ms"
    return f"{ended} {activation.path} {status} {duration} {start} {activation.activation_id}"


def echo(text: str) -> None:
    """Print `text`; a closed stdout (`serve | head -1`) stops the printing, not the server."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except (OSError, ValueError):
        quiet_stdout()


def quiet_stdout() -> None:
    """From now on stdout, and stderr when it is the same pipe, go nowhere: their reader went
    away, and what is still buffered must not fail the exit either."""
    with contextlib.suppress(OSError, ValueError):
        out = sys.stdout.fileno()
        try:
            same = os.path.sameopenfile(out, sys.stderr.fileno())
        except (OSError, ValueError):
            same = False
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out)
        if same:
            os.dup2(devnull, sys.stderr.fileno())
        os.close(devnull)
