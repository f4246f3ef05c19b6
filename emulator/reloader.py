"""Reloader: the served project watched for saved changes, each one applied as a new deploy
that keeps the warm processes of the functions it leaves unchanged."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change, awatch

from emulator.entities import Action, Package
from emulator.errors import ProjectError
from emulator.invoker.pool import pool_key
from emulator.project import Project, build_project
from emulator.project.build_cache import input_digest
from emulator.services import Services

logger = logging.getLogger(__name__)

# watchfiles ends a burst of events after STEP ms of quiet (an editor's atomic save writes a
# temporary file, then renames it), and never groups for longer than DEBOUNCE ms.
DEBOUNCE_MS = 800
STEP_MS = 100
# The emulator's own state, dependencies, VCS folders and what the deployer's builds write.
IGNORED_DIRS = frozenset(
    {
        ".emulator",
        "node_modules",
        "__pycache__",
        ".git",
        ".hg",
        ".svn",
        ".idea",
        ".mypy_cache",
        ".pytest_cache",
        "virtualenv",
        ".deployed",
        ".built",
        "__deployer__.zip",
    }
)
# Editors' swap, backup and probe files: vim (.swp…, 4913), emacs (~, .#, #…#), JetBrains.
IGNORED_NAME = re.compile(
    r"\.sw[a-px]$|~$|^\.#|^#.*#$|^4913$|\.tmp$|___jb_\w+___$|^\.DS_Store$|\.py[cod]$"
)
SHOWN_FILES = 3
# How long a stopping watcher may take (it checks its stop event every STEP_MS).
STOP_GRACE = 2.0


class ProjectFilter:
    """Which changed paths under the project root can change what is served."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def __call__(self, change: Change, path: str) -> bool:
        candidate = Path(path)
        parts = (
            candidate.relative_to(self._root).parts
            if candidate.is_relative_to(self._root)
            else candidate.parts
        )
        if not parts or any(part in IGNORED_DIRS for part in parts):
            return False
        return IGNORED_NAME.search(parts[-1]) is None


@dataclass(frozen=True, slots=True)
class Reload:
    """What one reload did to the served project."""

    files: tuple[str, ...]  # what changed on disk, relative to the project root
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()  # scheduled triggers added, changed or removed

    @property
    def line(self) -> str:
        """The one log line a reload prints."""
        shown = ", ".join(self.files[:SHOWN_FILES])
        if len(self.files) > SHOWN_FILES:
            shown += f" and {len(self.files) - SHOWN_FILES} more"
        what = [
            *(f"{path} (changed)" for path in self.changed),
            *(f"{path} (added)" for path in self.added),
            *(f"{path} (removed)" for path in self.removed),
            *(f"trigger {name} (updated)" for name in self.triggers),
        ]
        after = f" after {shown}" if shown else ""
        return f"reloaded{after}: {', '.join(what) or 'no function changed'}"


class Reloader:
    """Rebuilds the project on demand and swaps it into the running services."""

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
                await self._reload_logged(sorted({_relative(self.root, p) for _, p in changes}))
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
        project, outcome = _carried_over(
            services.project, self._digests or {}, built, digests, files
        )
        stored = await services.deployments.stored()
        # 3. one step, no await: the project's deployment, then the API's over it
        services.registry.replace(project.packages, project.actions, project.build_failures)
        services.deployments.overlay(stored)
        services.scheduler.replace(project.triggers)
        services.project = project
        self._digests = digests
        self._failure = None
        # 4. processes of versions no longer served stop (busy ones are never reused)
        live = {pool_key(action) for action in services.registry.actions()}
        await services.pool.retire(lambda key: key not in live)
        logger.info("%s", outcome.line)
        return outcome

    async def _remember_code(self) -> None:
        if self._digests is None:
            actions = self._services.project.actions
            self._digests = await asyncio.to_thread(code_digests, actions)


def code_digests(actions: Iterable[Action]) -> dict[str, str]:
    """`pkg/fn` → a digest of the code each function runs (its file, or its directory)."""
    return {action.path: _code_digest(action.exec.source) for action in actions}


def _code_digest(source: Path) -> str:
    try:
        if source.is_dir():
            return input_digest(source, source, salt="")
        return hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:
        return ""  # unreadable now: differs from any readable version


def _carried_over(
    old: Project,
    old_digests: Mapping[str, str],
    new: Project,
    new_digests: Mapping[str, str],
    files: Sequence[str],
) -> tuple[Project, Reload]:
    """`new`, with `old`'s values wherever only the deploy time differs; and what changed."""
    before = {action.path: action for action in old.actions}
    actions: list[Action] = []
    changed: list[str] = []
    for action in new.actions:
        previous = before.get(action.path)
        if previous is None:
            actions.append(action)
        elif (
            _same(previous, action)
            and old_digests.get(action.path) == new_digests.get(action.path)
            and old.build_failures.get(action.path) == new.build_failures.get(action.path)
        ):
            actions.append(previous)
        else:
            # A new deploy time is a new pool key, even with a clock that stood still.
            updated = max(action.updated, previous.updated + 1)
            actions.append(dataclasses.replace(action, updated=updated))
            changed.append(action.path)
    paths = {action.path for action in new.actions}
    old_triggers = {trigger.name: trigger for trigger in old.triggers}
    new_triggers = {trigger.name: trigger for trigger in new.triggers}
    outcome = Reload(
        files=tuple(files),
        changed=tuple(changed),
        added=tuple(action.path for action in new.actions if action.path not in before),
        removed=tuple(path for path in before if path not in paths),
        triggers=tuple(
            sorted(
                name
                for name in old_triggers.keys() | new_triggers.keys()
                if old_triggers.get(name) != new_triggers.get(name)
            )
        ),
    )
    packages = _kept_packages(old.packages, new.packages)
    return dataclasses.replace(new, actions=tuple(actions), packages=packages), outcome


def _kept_packages(old: Iterable[Package], new: Iterable[Package]) -> tuple[Package, ...]:
    before = {package.name: package for package in old}
    return tuple(
        previous if (previous := before.get(package.name)) and _same(previous, package) else package
        for package in new
    )


def _same(old: Action | Package, new: Action | Package) -> bool:
    return dataclasses.replace(new, updated=old.updated) == old


def _relative(root: Path, path: str) -> str:
    candidate = Path(path)
    return candidate.relative_to(root).as_posix() if candidate.is_relative_to(root) else path
