"""Services: what the HTTP layer reaches through its one typed application key, and the one
deploy path that puts a project in service, at the first start and at every reload."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

from emulator.builder.remote_builds import RemoteBuilder
from emulator.invoker.invoker import Invoker
from emulator.invoker.launchers import Launcher
from emulator.invoker.pool import WarmPool, pool_key
from emulator.namespace.clock import Clock, IdFactory
from emulator.namespace.deployments import Deployments
from emulator.namespace.registry import Registry
from emulator.namespace.rules import Rules
from emulator.namespace.scheduler import Scheduler
from emulator.namespace.throttling import Throttle
from emulator.project import Project
from emulator.project.build_failures import diagnosed
from emulator.settings import Settings
from emulator.store.activation_store import ActivationStore
from emulator.store.entity_store import EntityStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why some functions cannot run here: a missing toolchain, or a failed build."""

    what: str  # the toolchain's problem (may span lines), or a build's one-line hint
    functions: tuple[str, ...]
    build: bool = False

    def lines(self) -> list[str]:
        """As the start banner and the pytest plugin print it."""
        if self.build:
            return [f"{path}: {self.what}" for path in self.functions]
        return [*self.what.splitlines(), f"  affects: {', '.join(self.functions)}"]


@dataclass(slots=True)
class Services:
    settings: Settings
    project: Project
    registry: Registry
    store: ActivationStore
    pool: WarmPool
    invoker: Invoker
    launchers: dict[str, Launcher]
    clock: Clock
    ids: IdFactory
    deployments: Deployments
    rules: Rules
    entities: EntityStore
    scheduler: Scheduler
    throttle: Throttle
    builder: RemoteBuilder
    # When these services started: the namespace's creation, as the control plane shows it.
    started_ms: int = 0

    @property
    def building(self) -> frozenset[str]:
        """The functions whose start-up build is still running (their calls wait for it)."""
        return self.invoker.unbuilt

    async def deploy(self, project: Project) -> None:
        """Serve `project` from now on: its functions with the API's deploys over them, and
        its triggers. Processes of versions no longer served stop (busy ones are never reused)."""
        stored = await self.deployments.stored()
        failures = {path: diagnosed(text) for path, text in project.build_failures.items()}
        # One step, no await: the project's deployment, then the API's over it.
        self.registry.replace(project.packages, project.actions, failures)
        lost = self.deployments.overlay(stored)
        self.scheduler.replace(project.triggers)
        self.project = project
        # Compiled runtimes build now, not in their first calls.
        self.invoker.compile_ahead(self.registry.actions())
        for action in lost:
            logger.warning(
                "deployed function %s lost its code at %s", action.path, action.exec.source
            )
        live = {pool_key(action) for action in self.registry.actions()}
        await self.pool.retire(lambda key: key not in live)
        await self.deployments.remove_unused_code()

    def problems(self) -> list[Problem]:
        """What cannot run here: each missing toolchain once, with the functions it affects;
        then each function whose build failed, with its one-line hint."""
        missing: dict[str, list[str]] = {}
        broken: list[Problem] = []
        for action in sorted(self.registry.actions(), key=lambda a: a.path):
            hint = self.registry.build_hint(action.path)
            if hint is not None:
                broken.append(Problem(hint, (action.path,), build=True))
                continue
            problem = self.invoker.problem(action)
            if problem:
                missing.setdefault(problem, []).append(action.path)
        return [Problem(what, tuple(paths)) for what, paths in missing.items()] + broken


SERVICES = web.AppKey("services", Services)
