"""`serve`'s run: the app started on its socket, the banner printed, then served until a stop
signal; a start that fails is one line and a prompt exit with everything released.

Closing the terminal sends SIGHUP, which stops the server as Ctrl-C (SIGINT) and SIGTERM
do: the activations in flight are recorded, callers get an answer, the database is folded
back into one file. SIGUSR1 and SIGUSR2, whose default is to kill at once, are logged and
ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable
from typing import Any

from aiohttp import web

from emulator.cli.terminal import echo

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
IGNORED_SIGNALS = (signal.SIGUSR1, signal.SIGUSR2)
# How long requests in flight get to finish once a stop begins.
SHUTDOWN_TIMEOUT = 10.0


class StartFailed(Exception):
    """The server could not start; `str()` is the one line to print."""


def serve_app(
    app: web.Application,
    sock: socket.socket,
    *,
    loop: asyncio.AbstractEventLoop,
    announce: Callable[[web.Application], str],
    **runner_options: Any,
) -> None:
    """Serve `app` on `sock` until a stop signal; StartFailed if it cannot start (everything
    it opened closed again, the socket too)."""
    try:
        loop.run_until_complete(_serve(app, sock, announce, runner_options))
    finally:
        sock.close()
        with contextlib.suppress(RuntimeError):
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


async def _serve(
    app: web.Application,
    sock: socket.socket,
    announce: Callable[[web.Application], str],
    runner_options: dict[str, Any],
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, _stopping, sig, stop)
    for sig in IGNORED_SIGNALS:
        loop.add_signal_handler(sig, _ignored, sig)
    runner = web.AppRunner(
        app, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT, **runner_options
    )
    try:
        try:
            await runner.setup()
            await web.SockSite(runner, sock).start()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.debug("start failed", exc_info=True)
            raise StartFailed(start_failure(error)) from error
        echo(announce(app))
        await stop.wait()
    finally:
        await runner.cleanup()
        for sig in (*STOP_SIGNALS, *IGNORED_SIGNALS):
            loop.remove_signal_handler(sig)


def start_failure(error: BaseException) -> str:
    """The one line that says why the server could not start."""
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return f"Cannot start the emulator: {message}"


def _stopping(sig: signal.Signals, stop: asyncio.Event) -> None:
    if not stop.is_set():
        logger.info("%s: stopping", sig.name)
    stop.set()


def _ignored(sig: signal.Signals) -> None:
    logger.warning("%s ignored: stop the emulator with Ctrl-C, SIGTERM or SIGHUP", sig.name)
