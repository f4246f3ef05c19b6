"""Reloader: the served project watched for saved changes, each one applied as a new deploy
that keeps the warm processes of the functions it leaves unchanged."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from watchfiles import awatch

from emulator.project import Project, build_project
from emulator.project.changes import ProjectFilter, Reload, carried_over, code_digests, relative
from emulator.project.project_error import ProjectError
from emulator.services import Services

logger = logging.getLogger(__name__)

# watchfiles ends a burst of events after STEP ms of quiet (an editor's atomic save writes a
# temporary file, then renames it), and never groups for longer than DEBOUNCE ms.
DEBOUNCE_MS = 800
STEP_MS = 100
# How long a stopping watcher may take (it checks its stop event every STEP_MS).
STOP_GRACE = 2.0


class Reloader:
    """Rebuilds the project on demand and deploys it into the running services."""

    def __init__(
        self,
        services: Services,
        read: Callable[[], Project],
        *,
        environ: Mapping[str, str],
    ) -> None:
        self._services = services
        self._read = read
        self._environ = environ
        self._digests: dict[str, str] | None = None
        self._failure: str | None = None

        self._stop = asyncio.Event()
        self._watching: asyncio.Task[None] | None = None

    @property
    def failure(self) -> str | None:
        """Why the last reload failed (the last good version is served), or None."""
        return self._failure

    @property
    def root(self) -> Path:
        return self._services.settings.project_root

    async def start(self) -> None:
        """Watch the project in the background; its watches are set up when this returns."""
        await self._remember_code()
        self._watching = asyncio.create_task(self.watch(self._stop))
        # One turn of the loop: the task runs until its watcher waits for events.
        await asyncio.sleep(0)

    async def stop(self) -> None:
        """End the watch; a reload under way is cancelled."""
        if self._watching is None:
            return
        self._stop.set()
        # Past the grace, wait_for cancels it.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._watching, STOP_GRACE)
        self._watching = None

    async def watch(self, stop_event: asyncio.Event) -> None:
        """Reload after each burst of saves, until `stop_event` is set."""
        await self._remember_code()
        try:
            async for changes in awatch(
                self.root,
                watch_filter=ProjectFilter(self.root),
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=stop_event,
            ):
                await self._reload_logged(sorted({relative(self.root, p) for _, p in changes}))
        except OSError as error:  # e.g. the system's limit on file watches
            logger.warning("hot reload is off: cannot watch %s: %s", self.root, error)

    async def _reload_logged(self, files: Sequence[str]) -> None:
        try:
            await self.reload(files)
        except Exception as error:
            self._failure = f"{type(error).__name__}: {error}"
            # The watcher must outlive any one failed reload.
            logger.exception("reload failed; still serving the last good version")

    async def reload(self, files: Sequence[str] = ()) -> Reload | None:
        """Read, build and serve the project again; None when it is invalid (the last good
        version keeps serving)."""
        services = self._services
        await self._remember_code()
        # 1. the project as a deploy would read it now; builds are cached by their inputs
        try:
            loaded = await asyncio.to_thread(self._read)
            built = await build_project(loaded, environ=self._environ)
        except ProjectError as error:
            logger.error("not reloaded, still serving the last good version: %s", error)
            self._failure = str(error)
            return None
        digests = await asyncio.to_thread(code_digests, built.actions)
        # 2. unchanged functions keep their very Action, so their warm processes stay theirs
        project, outcome = carried_over(
            services.project, self._digests or {}, built, digests, files
        )
        # 3. the deploy every start makes
        await services.deploy(project)
        self._digests = digests
        self._failure = None
        logger.info("%s", outcome.line)
        return outcome

    async def _remember_code(self) -> None:
        if self._digests is None:
            actions = self._services.project.actions
            self._digests = await asyncio.to_thread(code_digests, actions)
