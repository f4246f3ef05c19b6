"""Deploying through the API: the platform's rules for PUT and DELETE of functions and
packages, applied to the registry and kept in an archive across restarts."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from emulator.namespace.clock import Clock
from emulator.namespace.code_bundles import write_code
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
    ) -> None:
        self._registry = registry
        self._archive = archive
        self._retire = retire
        self._code_dir = code_dir
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
        package, _, name = path.rpartition("/")
        if package and self._registry.package(package) is None:
            raise NotFound()
        old = self._existing_action(path)
        if old is not None and not overwrite:
            raise Conflict()
        if old is None and spec.exec is None:
            raise ExecUndefined()
        exec_ = await self._exec(spec.exec) if spec.exec else old.exec if old else None
        assert exec_ is not None
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
        action = dataclasses.replace(action, annotations=_amended(merged_annotations, exec_.kind))
        self._registry.put_action(action)
        await self._archive.save_action(action)
        await self._retire(action)
        return action

    async def delete_action(self, path: str) -> Action:
        check_name(path)
        action = self._registry.remove_action(path)
        await self._archive.forget_action(action.namespace, path)
        await self._retire(action)
        return action

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
        self._registry.put_package(package)
        await self._archive.save_package(package)
        return package

    async def delete_package(self, name: str, *, force: bool) -> Package:
        check_name(name)
        if self._registry.package(name) is None:
            raise NotFound()
        contents = self._registry.actions(name)
        if contents and not force:
            raise PackageNotEmpty(len(contents))
        for action in contents:
            await self.delete_action(action.path)
        package = self._registry.remove_package(name)
        await self._archive.forget_package(package.namespace, name)
        return package

    def _existing_action(self, path: str) -> Action | None:
        """The function at `path`; 409 when the name is a package's."""
        action = self._registry.find_action(path)
        if action is None and self._registry.package(path) is not None:
            raise WrongCollection()
        return action

    async def _exec(self, spec: ExecSpec) -> Exec:
        family = spec.kind.partition(":")[0]
        source = await asyncio.to_thread(
            write_code, self._code_dir, family, spec.code, binary=spec.binary
        )
        return Exec(spec.kind, spec.main, source, spec.binary)


def _amended(annotations: Annotations, kind: str) -> Annotations:
    """What the controller adds: `exec` always, `provide-api-key: false` when absent."""
    amended = annotations.merged({"exec": kind})
    if all(key != "provide-api-key" for key, _ in amended.items):
        amended = amended.merged({"provide-api-key": False})
    return amended
