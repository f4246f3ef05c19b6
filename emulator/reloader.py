"""Reloader: the served project watched for saved changes, each one applied as a new deploy
that keeps the warm processes of the functions it leaves unchanged.

A change is read only once its files have settled (an editor writes a file in pieces), and
until it is deployed no process starts from a file that differs from what was deployed:
the start waits for the deploy of the new version instead."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from watchfiles import awatch

from emulator.namespace.entities import Action
from emulator.project import Project, build_project
from emulator.project.changes import ProjectFilter, Reload, carried_over, code_digests, relative
from emulator.project.project_error import ProjectError
from emulator.project.saved_files import (
    MAX_SETTLE_SECONDS,
    Signature,
    settle,
    signature,
    signatures,
)
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
        # What each served one-file function's source looked like when it was deployed.
        self._signatures: dict[Path, Signature] = signatures(services.project.actions)
        # Set after each reload, deployed or refused: starts waiting for one look again.
        self._reloaded = asyncio.Event()
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
                # An editor may still be writing: read the files once they stand still.
                await settle(Path(path) for _, path in changes)
                await self._reload_logged(sorted({relative(self.root, p) for _, p in changes}))
        except OSError as error:  # e.g. the system's limit on file watches
            logger.warning("hot reload is off: cannot watch %s: %s", self.root, error)
            # No reload will come: starts must not wait for one.
            self._signatures = {}

    async def _reload_logged(self, files: Sequence[str]) -> None:
        try:
            await self.reload(files)
        except Exception as error:
            self._failure = f"{type(error).__name__}: {error}"
            # The watcher must outlive any one failed reload.
            logger.exception("reload failed; still serving the last good version")
            # The last good version serves on, from the files as they are now.
            self._signatures = signatures(self._services.project.actions)

    def unchanged(self, action: Action) -> bool:
        """Whether `action`'s file is as it was when `action` was deployed."""
        expected = self._signatures.get(action.exec.source)
        return expected is None or signature(action.exec.source) == expected

    async def settled(self, action: Action) -> Action:
        """The version of `action` to start a process of: itself while its file is as it was
        deployed; else, once the change is deployed, the new version (waiting at most
        MAX_SETTLE_SECONDS past the file's settling)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2 * MAX_SETTLE_SECONDS
        while True:
            if self.unchanged(action):
                return action
            left = deadline - loop.time()
            if left <= 0:
                return action
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reloaded.wait(), left)
            action = self._services.registry.action(action.path)

    async def reload(self, files: Sequence[str] = ()) -> Reload | None:
        """Read, build and serve the project again; None when it is invalid (the last good
        version keeps serving)."""
        try:
            return await self._reload(files)
        finally:
            # Starts waiting for this reload look again, whatever it did.
            self._reloaded.set()
            self._reloaded = asyncio.Event()

    async def _reload(self, files: Sequence[str]) -> Reload | None:
        services = self._services
        await self._remember_code()
        # 1. the project as a deploy would read it now; builds are cached by their inputs
        try:
            loaded = await asyncio.to_thread(self._read)
            built = await build_project(loaded, environ=self._environ)
        except ProjectError as error:
            logger.error("not reloaded, still serving the last good version: %s", error)
            self._failure = str(error)
            self._signatures = signatures(services.project.actions)
            return None
        digests = await asyncio.to_thread(code_digests, built.actions)
        # 2. unchanged functions keep their very Action, so their warm processes stay theirs
        project, outcome = carried_over(
            services.project, self._digests or {}, built, digests, files
        )
        # 3. the deploy every start makes
        await services.deploy(project)
        self._signatures = signatures(project.actions)
        self._digests = digests
        self._failure = None
        logger.info("%s", outcome.line)
        return outcome

    async def _remember_code(self) -> None:
        if self._digests is None:
            actions = self._services.project.actions
            self._digests = await asyncio.to_thread(code_digests, actions)
