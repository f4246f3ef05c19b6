"""Deploying through the API: the platform's rules for PUT and DELETE of functions and
packages, kept in an archive across restarts and then applied to the registry.

The archive comes first: a change it cannot keep (a read-only or full disk) is refused as a
whole, and the running emulator stays as it was."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from emulator.namespace.clock import Clock
from emulator.namespace.code_bundles import CodeFolders, read_code
from emulator.namespace.entities import (
    FIRST_VERSION,
    Action,
    Annotations,
    ApiDeployment,
    Exec,
    Limits,
    Package,
)
from emulator.namespace.entity_bodies import ActionBody, BindingBody, ExecSpec
from emulator.namespace.errors import (
    Conflict,
    ExecUndefined,
    NotFound,
    PackageNotEmpty,
    ReservedPackageName,
    WrongCollection,
)
from emulator.namespace.naming import DEFAULT_PACKAGE, check_name, next_version
from emulator.namespace.registry import Registry

logger = logging.getLogger(__name__)

Retire = Callable[[Action], Awaitable[object]]
"""Stops the idle processes of a function's earlier code: they never serve it again."""
Running = Callable[[], Iterable[Action]]
"""The functions (versions) that activations run right now."""


@dataclass(frozen=True, slots=True)
class Deleted:
    """A deleted function, and its code as the DELETE that deleted it answers."""

    action: Action
    code: str


class DeploymentArchive(Protocol):
    """Where what is deployed through the API outlives a restart (the entity store)."""

    async def load(self, namespace: str) -> ApiDeployment: ...
    async def save_action(self, action: Action) -> None: ...
    async def save_package(self, package: Package) -> None: ...
    async def forget_action(self, namespace: str, path: str) -> None: ...
    async def forget_package(self, namespace: str, name: str) -> None: ...


class Deployments:
    """PUT and DELETE of functions and packages: the registry serves them at once, the
    archive keeps them for the next start."""

    def __init__(
        self,
        *,
        registry: Registry,
        archive: DeploymentArchive,
        retire: Retire,
        code_dir: Path,
        clock: Clock,
        running: Running = tuple,
    ) -> None:
        """`running`: the versions activations run now, whose code folders must stay."""
        self._registry = registry
        self._archive = archive
        self._retire = retire
        self._code = CodeFolders(code_dir)
        self._running = running
        self._clock = clock

    async def stored(self) -> ApiDeployment:
        """What was deployed through the API, as the archive keeps it."""
        return await self._archive.load(self._registry.namespace)

    def overlay(self, stored: ApiDeployment) -> list[Action]:
        """Lay `stored` over the registry's project deployment, in one step (a reload swaps
        the project and must keep these on top); returns the functions whose code is gone."""
        for package in stored.packages:
            self._registry.put_package(package)
        lost = [action for action in stored.actions if not action.exec.source.exists()]
        for action in stored.actions:
            if action not in lost:
                self._registry.put_action(action)
        return lost

    async def put_action(self, path: str, body: Mapping[str, Any], *, overwrite: bool) -> Action:
        """Create the function at `path`, or update it with `overwrite`."""
        check_name(path)
        spec = ActionBody.parse(body)
        package = path.rpartition("/")[0]
        if package and self._registry.package(package) is None:
            raise NotFound()
        old = self._existing_action(path)
        if old is not None and not overwrite:
            raise Conflict()
        if old is None and spec.exec is None:
            raise ExecUndefined()
        if spec.exec is None:
            assert old is not None
            return await self._deploy(self._versioned(path, old, spec, old.exec))
        exec_ = await self._exec(spec.exec)
        try:
            return await self._deploy(self._versioned(path, old, spec, exec_))
        finally:
            # Now served, or refused: either way no longer a deploy's folder in the making.
            self._code.release(exec_.source)

    async def _deploy(self, action: Action) -> Action:
        await self._archive.save_action(action)
        self._registry.put_action(action)
        await self._retire(action)
        await self.remove_unused_code()
        return action

    def _versioned(self, path: str, old: Action | None, spec: ActionBody, exec_: Exec) -> Action:
        """The function `spec` makes at `path`: new, or the next version of `old`."""
        package, _, name = path.rpartition("/")
        if old is None:
            merged_annotations = Annotations.of(spec.annotations or ())
            action = Action(
                namespace=self._registry.namespace,
                package=package or None,
                name=name,
                exec=exec_,
                parameters=spec.parameters or (),
                limits=dataclasses.replace(Limits(), **spec.limits),
                version=spec.version or FIRST_VERSION,
                publish=bool(spec.publish),
                updated=self._clock.now_ms(),
            )
        else:
            kept = [(k, v) for k, v in old.annotations.items if k not in spec.removed_annotations]
            merged_annotations = Annotations.of(kept).merged(spec.annotations or ())
            action = dataclasses.replace(
                old,
                exec=exec_,
                parameters=old.parameters if spec.parameters is None else spec.parameters,
                limits=dataclasses.replace(old.limits, **spec.limits),
                version=spec.version or next_version(old.version),
                publish=old.publish if spec.publish is None else spec.publish,
                updated=self._clock.now_ms(),
            )
        return dataclasses.replace(action, annotations=_amended(merged_annotations, exec_.kind))

    async def delete_action(self, path: str) -> Deleted:
        """The function at `path` is deleted; it is answered with its code, read first."""
        check_name(path)
        action = self._registry.action(path)
        code = await read_code(action.exec)
        await self._forget(action)
        return Deleted(action, code)

    async def _forget(self, action: Action) -> None:
        await self._archive.forget_action(action.namespace, action.path)
        self._registry.remove_action(action.path)
        await self._retire(action)
        await self.remove_unused_code()

    async def remove_unused_code(self) -> int:
        """Remove the code folders of versions no longer deployed nor running (a version
        still running keeps its folder until the next deploy, or the next start)."""
        in_use = [*self._registry.actions(), *self._running()]
        return await self._code.remove_unused(action.exec.source for action in in_use)

    async def put_package(self, name: str, body: Mapping[str, Any], *, overwrite: bool) -> Package:
        """Create the package `name`, or update it with `overwrite`."""
        check_name(name)
        if name == DEFAULT_PACKAGE:
            raise ReservedPackageName()
        spec = BindingBody.parse(body)
        if self._registry.find_action(name) is not None:
            raise WrongCollection()
        old = self._registry.package(name)
        if old is not None and not overwrite:
            raise Conflict()
        base = old or Package(namespace=self._registry.namespace, name=name)
        package = dataclasses.replace(
            base,
            # On update these replace the old values when present; they are not merged.
            parameters=base.parameters if spec.parameters is None else spec.parameters,
            annotations=base.annotations
            if spec.annotations is None
            else Annotations.of(spec.annotations),
            publish=base.publish if spec.publish is None else spec.publish,
            version=spec.version or (next_version(old.version) if old else FIRST_VERSION),
            updated=self._clock.now_ms(),
        )
        await self._archive.save_package(package)
        self._registry.put_package(package)
        return package

    async def delete_package(self, name: str, *, force: bool) -> Package:
        check_name(name)
        if self._registry.package(name) is None:
            raise NotFound()
        contents = self._registry.actions(name)
        if contents and not force:
            raise PackageNotEmpty(len(contents))
        for action in contents:
            await self._forget(action)
        await self._archive.forget_package(self._registry.namespace, name)
        return self._registry.remove_package(name)

    def _existing_action(self, path: str) -> Action | None:
        """The function at `path`; 409 when the name is a package's."""
        action = self._registry.find_action(path)
        if action is None and self._registry.package(path) is not None:
            raise WrongCollection()
        return action

    async def _exec(self, spec: ExecSpec) -> Exec:
        family = spec.kind.partition(":")[0]
        source = await self._code.write(family, spec.code, binary=spec.binary)
        return Exec(spec.kind, spec.main, source, spec.binary)


def _amended(annotations: Annotations, kind: str) -> Annotations:
    """What the controller adds: `exec` always, `provide-api-key: false` when absent."""
    amended = annotations.merged({"exec": kind})
    if all(key != "provide-api-key" for key, _ in amended.items):
        amended = amended.merged({"provide-api-key": False})
    return amended
