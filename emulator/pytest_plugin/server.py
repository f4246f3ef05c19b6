"""The emulator in-process on a free loopback port: started in the running loop (the async
fixture), or in a loop of its own thread (the sync fixture)."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from emulator.app import create_app, read_project
from emulator.app import discover_launchers as discover
from emulator.invoker.launchers import Launcher
from emulator.project import Project
from emulator.project.selection import override_bindings, select_functions
from emulator.pytest_plugin.options import EmulatorOptions
from emulator.pytest_plugin.scheduling import ActivationTracker, ManualClock, advance
from emulator.services import SERVICES, Services
from emulator.settings import Settings

T = TypeVar("T")
Launchers = dict[str, Launcher]
# How long starting the emulator may take: the builds of a project that was never built.
START_TIMEOUT = 600.0


class StartFailed(Exception):
    """The project could not be served: the deployer's refusal, or a name no function has."""


class RunningEmulator:
    """One emulator serving over HTTP in the current event loop, until close()."""

    def __init__(
        self,
        runner: web.AppRunner,
        settings: Settings,
        clock: ManualClock,
        tracker: ActivationTracker,
    ) -> None:
        self._runner = runner
        self.settings = settings
        self.clock = clock
        self.tracker = tracker
        # What cannot run here (toolchains, builds), as the start banner says it, if anything.
        self.problems: list[str] = []

    @classmethod
    async def start(
        cls, options: EmulatorOptions, *, database: Path, launchers: Launchers
    ) -> RunningEmulator:
        """Read, narrow and build the project, then listen on 127.0.0.1 at a free port."""
        # 1. the port first: functions call back to the API host their settings name
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        port: int = listener.getsockname()[1]
        settings = Settings(
            project_file=options.project_file,
            port=port,
            db_path=database,
            no_reload=True,
            bare_runtimes=options.bare_runtimes,
        )
        if not options.throttled:
            # A test suite calls far more often than a namespace may: no 429s unless asked.
            settings = dataclasses.replace(
                settings, invocations_per_minute=None, concurrent_invocations=None
            )
        clock = ManualClock(options.clock_ms)
        tracker = ActivationTracker()
        # 2. the project as a deploy reads it, narrowed as the options say
        try:
            project = _narrowed(read_project(settings, clock), options)
        except Exception:
            listener.close()
            raise
        # 3. the application and its services, then the socket it serves on
        app = create_app(
            settings,
            project=project,
            clock=clock,
            sleep=clock.sleep,
            launchers=lambda _: launchers,
            observer=tracker,
        )
        runner = web.AppRunner(app, handle_signals=False)
        try:
            await runner.setup()
            await web.SockSite(runner, listener).start()
        except BaseException:
            await runner.cleanup()
            listener.close()
            raise
        emulator = cls(runner, settings, clock, tracker)
        emulator.problems = [
            line.strip() for problem in emulator.services.problems() for line in problem.lines()
        ]
        return emulator

    @property
    def services(self) -> Services:
        return self._runner.app[SERVICES]

    @property
    def url(self) -> str:
        return self.settings.api_host

    async def advance_clock(self, seconds: float, *, timeout: float) -> list[str]:
        return await advance(
            self.clock, self.services.scheduler, self.tracker, seconds, timeout=timeout
        )

    async def wait_for(self, activation_id: str) -> None:
        await self.tracker.wait(activation_id)

    async def close(self) -> None:
        await self._runner.cleanup()


class ThreadedEmulator:
    """A RunningEmulator in an event loop of its own thread, for synchronous tests."""

    def __init__(self, options: EmulatorOptions, *, database: Path, launchers: Launchers) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="functions-emulator", daemon=True
        )
        self._thread.start()
        try:
            self.emulator = self.call(
                RunningEmulator.start(options, database=database, launchers=launchers),
                timeout=START_TIMEOUT,
            )
        except BaseException:
            self._stop_loop()
            raise

    def call(self, coroutine: Coroutine[Any, Any, T], *, timeout: float | None = None) -> T:
        """Run `coroutine` in the emulator's loop and wait for its value."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def close(self) -> None:
        try:
            self.call(self.emulator.close(), timeout=60)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        # The builds and store ran in the loop's thread pool: it ends with the loop.
        try:
            self.call(self._loop.shutdown_default_executor(), timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()


def _narrowed(project: Project, options: EmulatorOptions) -> Project:
    if options.functions is not None:
        try:
            project = select_functions(project, options.functions)
        except ValueError as error:
            raise StartFailed(str(error)) from None
    return override_bindings(
        project, parameters=options.parameters, environment=options.environment
    )


def discover_launchers(
    project_file: Path,
    *,
    python_coverage: Path | None = None,
    node_coverage: Path | None = None,
) -> Launchers:
    """The local toolchains, looked for once per session (it takes a while); with coverage
    paths, their processes measure the functions (`--functions-emulator-cov`)."""
    settings = Settings(
        project_file=project_file, python_coverage=python_coverage, node_coverage=node_coverage
    )
    return discover(settings)
